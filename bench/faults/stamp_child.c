/* Fault-suite session child: appends its own start and end stamps (one write each, O_APPEND) so
 * overlaps are measured from the children themselves, not only from the runner's events.
 * Usage: stamp_child STAMPS PROFILE SESSION [LONG_PERCENT=5] [FAIL_PERCENT=30]
 * Sleeps 0.05-2 s (LONG_PERCENT of the time 30 s, to outlive a runner restart), then exits 0, or 1
 * FAIL_PERCENT of the time. SIGTERM writes an end stamp ("term") and exits 143; SIGKILL writes none.
 * Line: S|E profile session pid monotonic_ns wall_ns runner_id how exit_code */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int fd = -1;
static const char *profile, *session, *runner;

static long long ns(clockid_t c) {
    struct timespec ts;
    clock_gettime(c, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void stamp(char kind, const char *how, int code) {
    char buf[512];
    int n = snprintf(buf, sizeof buf, "%c %s %s %d %lld %lld %s %s %d\n", kind, profile, session,
                     (int)getpid(), ns(CLOCK_MONOTONIC), ns(CLOCK_REALTIME), runner, how, code);
    if (n > 0) write(fd, buf, (size_t)n);   /* snprintf/write: fine in a handler for this purpose */
}

static void on_term(int sig) {
    (void)sig;
    stamp('E', "term", 143);
    _exit(143);
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: stamp_child STAMPS PROFILE SESSION [LONG%%] [FAIL%%]\n"); return 2; }
    fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd < 0) { perror(argv[1]); return 2; }
    profile = argv[2]; session = argv[3];
    runner = getenv("SR_RUNNER_ID") ? getenv("SR_RUNNER_ID") : "-";
    int long_pct = argc > 4 ? atoi(argv[4]) : 5, fail_pct = argc > 5 ? atoi(argv[5]) : 30;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    srandom((unsigned)(ns(CLOCK_REALTIME) ^ getpid()));
    stamp('S', "start", 0);
    long ms = (random() % 100) < long_pct ? 30000 : 50 + random() % 1951;
    struct timespec d = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&d, &d) != 0) {}
    int code = (random() % 100) < fail_pct ? 1 : 0;
    stamp('E', "exit", code);
    return code;
}
