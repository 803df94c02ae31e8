/* Cluster bench session child: stamps its own start and end, and takes a per-profile lock, so
 * overlaps are measured from the children themselves, not from what the runners say.
 *
 * Usage: stamp_child STAMPS LOCKDIR RUNNER PROFILE SESSION MIN_MS MAX_MS LONG_PERCENT LONG_MS
 *   Sleeps MIN_MS..MAX_MS (LONG_PERCENT of the time LONG_MS), then exits 0.
 *   STAMPS "-" = no stamps; LOCKDIR "-" = no lock.
 *
 * Lines appended to STAMPS (one write each, O_APPEND; monotonic and wall clock in ns):
 *   S profile session pid mono wall runner runner_id        at start
 *   L profile session pid mono wall runner holder_pid       the profile's lock was held by a live
 *                                                          process (holder_pid): an overlap, seen
 *                                                          by the kernel, exact even for SIGKILL
 *   E profile session pid mono wall runner how              at end: how = exit | term (SIGTERM)
 * A SIGKILLed child writes no E line; the bench's observer records its death from a pidfd.
 *
 * The lock is a POSIX record lock on LOCKDIR/PROFILE: held while this process lives, released by
 * the kernel when it dies however it dies. Taken at the first instruction after the stamps file
 * is open; a child that finds it held keeps running (so the bench does not change what it
 * measures) and takes it when it frees, so a third overlapping session is seen too. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int fd = -1, lockfd = -1, locked = 0;
static const char *profile, *session, *runner;

static long long ns(clockid_t c) {
    struct timespec ts;
    clock_gettime(c, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void stamp(char kind, const char *tail) {
    if (fd < 0) return;
    char buf[600];
    int n = snprintf(buf, sizeof buf, "%c %s %s %d %lld %lld %s %s\n", kind, profile, session,
                     (int)getpid(), ns(CLOCK_MONOTONIC), ns(CLOCK_REALTIME), runner, tail);
    if (n > 0) write(fd, buf, (size_t)n);   /* async-signal-safe enough for this purpose */
}

static void on_term(int sig) {
    (void)sig;
    stamp('E', "term");
    _exit(143);
}

/* 1 = now held by us; 0 = held by another live process (reported once per holder) */
static int try_lock(int *last_holder) {
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (fcntl(lockfd, F_SETLK, &fl) == 0) return 1;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (fcntl(lockfd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK && fl.l_pid != *last_holder) {
        char tail[32];
        snprintf(tail, sizeof tail, "%d", (int)fl.l_pid);
        stamp('L', tail);
        *last_holder = fl.l_pid;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 10) {
        fprintf(stderr, "usage: stamp_child STAMPS LOCKDIR RUNNER PROFILE SESSION MIN_MS MAX_MS LONG%% LONG_MS\n");
        return 2;
    }
    profile = argv[4]; session = argv[5]; runner = argv[3];
    if (strcmp(argv[1], "-") != 0) {
        fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT, 0644);
        if (fd < 0) { perror(argv[1]); return 2; }
    }
    if (strcmp(argv[2], "-") != 0) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", argv[2], profile);
        lockfd = open(path, O_RDWR | O_CREAT, 0644);
        if (lockfd < 0) { perror(path); return 2; }
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    int holder = 0;
    if (lockfd >= 0) locked = try_lock(&holder);
    char tail[300];
    snprintf(tail, sizeof tail, "%s", getenv("SR_RUNNER_ID") ? getenv("SR_RUNNER_ID") : "-");
    stamp('S', tail);
    long min_ms = atol(argv[6]), max_ms = atol(argv[7]), long_pct = atol(argv[8]), long_ms = atol(argv[9]);
    srandom((unsigned)(ns(CLOCK_REALTIME) ^ getpid()));
    long ms = (random() % 100) < long_pct ? long_ms
              : min_ms + (max_ms > min_ms ? random() % (max_ms - min_ms + 1) : 0);
    long long until = ns(CLOCK_MONOTONIC) + (long long)ms * 1000000LL;
    for (;;) {
        long long left = until - ns(CLOCK_MONOTONIC);
        if (left <= 0) break;
        /* not holding the lock: look again every 20 ms, so a later overlapping session is seen */
        long long step = (lockfd >= 0 && !locked && left > 20000000LL) ? 20000000LL : left;
        struct timespec d = {(time_t)(step / 1000000000LL), (long)(step % 1000000000LL)};
        while (nanosleep(&d, &d) != 0 && errno == EINTR) {}
        if (lockfd >= 0 && !locked) locked = try_lock(&holder);
    }
    stamp('E', "exit");
    return 0;
}
