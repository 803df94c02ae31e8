/* The fleet table's limit on this machine: sr_scale.py's fleet (PROFILES profiles in PODS pods, CONC
 * sessions at once, each `stamp DIR/stamps/<profile>.log --exec /bin/sleep SLEEP`) under a bare C
 * supervisor: posix_spawn, waitpid, and at each exit the pod's next profile spawned at once
 * (round-robin, so a profile's turn comes every PROFILES/CONC sessions and sr_scale.py's cooldown
 * never binds). No bookkeeping and no files of its own: what the fleet costs when only the sessions'
 * own processes are paid for, timed from the same stamps as sr_scale.py (refill_split.py --summary).
 *
 * Usage: c_fleet DIR STAMP PROFILES PODS CONC SLEEP SECS
 * Env: BURN_US (default 0) and BURN_MODE (inline or beside, default beside): a supervisor that spends
 *      BURN_US microseconds of CPU on each session, as a supervisor with bookkeeping does; inline
 *      on the refill's own path (after each spawn, before the next exit is taken), beside on a
 *      second thread that burns while the spawns go on (bench/fleet-floor.sh: the refill p99 a
 *      supervisor gets on this machine when it spends what Smart Runner spends a session).
 * Writes DIR/stamps/p<pod>-<n>.log (named as sr_scale.py names its profiles) and DIR/fleet.json (the
 * config refill_split.py reads); runs SECS seconds from the first spawn, then ends its children. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char *dir, *stamp, *sleep_s;
static int per_pod;
static int *next_profile;   /* pod -> its next profile, round-robin */
static posix_spawn_file_actions_t quiet;
static long burn_ns;        /* CPU a session costs the supervisor besides its spawn */
static int burn_beside;     /* 1: on the burner thread; 0: on the refill's path */
static sem_t sessions_to_burn;

/* Spins until this thread has used ns of CPU (its own clock: a preempted thread burns nothing). */
static void burn(long ns) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    long long until = t.tv_sec * 1000000000LL + t.tv_nsec + ns;
    do {
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    } while (t.tv_sec * 1000000000LL + t.tv_nsec < until);
}

static void *burner(void *unused) {
    (void)unused;
    for (;;) {
        while (sem_wait(&sessions_to_burn) != 0) { }
        burn(burn_ns);
    }
    return NULL;
}

/* The bookkeeping of one session: spent at once, or handed to the burner thread. */
static void account(void) {
    if (burn_ns == 0) return;
    if (burn_beside) sem_post(&sessions_to_burn);
    else burn(burn_ns);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* @return the session's pid, or 0 when the spawn failed */
static pid_t spawn_next(int pod) {
    char log[4096];
    snprintf(log, sizeof log, "%s/stamps/p%d-%05d.log", dir, pod, next_profile[pod]);
    next_profile[pod] = (next_profile[pod] + 1) % per_pod;
    char *argv[] = {(char *)stamp, log, "--exec", "/bin/sleep", (char *)sleep_s, NULL};
    pid_t pid;
    return posix_spawn(&pid, stamp, &quiet, NULL, argv, environ) == 0 ? pid : 0;
}

int main(int argc, char **argv) {
    if (argc != 8) {
        fprintf(stderr, "usage: c_fleet DIR STAMP PROFILES PODS CONC SLEEP SECS\n");
        return 2;
    }
    dir = argv[1];
    stamp = argv[2];
    sleep_s = argv[6];
    int profiles = atoi(argv[3]), pods = atoi(argv[4]), conc = atoi(argv[5]);
    double secs = atof(argv[7]);
    if (profiles <= 0 || pods <= 0 || conc < pods || profiles % pods || conc % pods || secs <= 0) {
        fprintf(stderr, "c_fleet: expected PROFILES and CONC multiples of PODS, CONC >= PODS, SECS > 0\n");
        return 2;
    }
    const char *burn_us = getenv("BURN_US"), *burn_mode = getenv("BURN_MODE");
    char *rest = NULL;
    burn_ns = burn_us && *burn_us ? strtol(burn_us, &rest, 10) * 1000L : 0;
    burn_beside = !burn_mode || !*burn_mode || burn_mode[0] == 'b';
    if (burn_ns < 0 || (rest && *rest) || (burn_mode && *burn_mode && strcmp(burn_mode, "inline") && strcmp(burn_mode, "beside"))) {
        fprintf(stderr, "c_fleet: expected BURN_US a whole number of microseconds >= 0 and BURN_MODE inline or "
                        "beside, got '%s' and '%s'\n", burn_us ? burn_us : "", burn_mode ? burn_mode : "");
        return 2;
    }
    if (burn_ns && burn_beside) {
        pthread_t t;
        sem_init(&sessions_to_burn, 0, 0);
        pthread_create(&t, NULL, burner, NULL);
    }
    per_pod = profiles / pods;
    int slots = conc / pods;
    char path[4096];
    snprintf(path, sizeof path, "%s/stamps", dir);
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        perror(path);
        return 1;
    }
    pid_t *pid_of = calloc(conc, sizeof *pid_of);   /* slot -> its session's pid */
    next_profile = calloc(pods, sizeof *next_profile);
    posix_spawn_file_actions_init(&quiet);
    posix_spawn_file_actions_addopen(&quiet, 1, "/dev/null", 1, 0);
    posix_spawn_file_actions_addopen(&quiet, 2, "/dev/null", 1, 0);
    double end = now() + secs;
    long spawned = 0, failed = 0;
    for (int s = 0; s < conc; s++) {
        pid_of[s] = spawn_next(s / slots);
        if (pid_of[s]) spawned++; else failed++;
        account();
    }
    while (now() < end) {
        pid_t pid = waitpid(-1, NULL, 0);
        if (pid < 0) break;
        int s = 0;
        while (s < conc && pid_of[s] != pid) s++;   /* 1 000 slots: a scan takes about a microsecond */
        if (s == conc) continue;
        pid_of[s] = spawn_next(s / slots);
        if (pid_of[s]) spawned++; else failed++;
        account();
    }
    for (int s = 0; s < conc; s++) if (pid_of[s] > 0) kill(pid_of[s], SIGTERM);
    while (waitpid(-1, NULL, 0) > 0) { }
    snprintf(path, sizeof path, "%s/fleet.json", dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return 1;
    }
    const char *exec_ms = getenv("EXEC_MS");
    fprintf(f, "{\"config\": {\"profiles\": %d, \"pods\": %d, \"global_conc\": %d, \"sleep_s\": %s, "
               "\"window_s\": %g}, \"exec_ms_assumed\": %s, \"spawned\": %ld, \"failed\": %ld, "
               "\"burn_us\": %ld, \"burn_mode\": \"%s\"}\n",
            profiles, pods, conc, sleep_s, secs, exec_ms ? exec_ms : "0.6", spawned, failed,
            burn_ns / 1000, burn_beside ? "beside" : "inline");
    fclose(f);
    return failed ? 1 : 0;
}
