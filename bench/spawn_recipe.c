/*
 * spawn_recipe: the C crash loop of bench-peers' spawnbench (one child at a time, start it, wait
 * for its exit, again), but starting each child the runner's way, piece by piece, so the kernel's
 * share of a restart can be told from the runner's. Prints one JSON line per recipe:
 * a child's p50 / p90 / p99 from its start to its reaped exit.
 *
 *   spawn_recipe LIBSR_SPAWN SECS CGROUP_PARENT CHILD
 *
 * Recipes, taking turns in runs of 25 children for SECS in all:
 *   posix_spawn   glibc's posix_spawn, stdout to /dev/null, waitpid (spawnbench's loop)
 *   sr_spawn      libsr-spawn's sr_spawn as the runner calls it (stdin /dev/null, stdout and stderr
 *                 appended to two log files, setsid, close_range), no cgroup, waitid on the pidfd
 *   +cgroup       the same, cloned into one of 32 cgroups under CGROUP_PARENT, taken in turn (the
 *                 runner's pool)
 *   +epoll        the same, the exit noticed by epoll_wait on the pidfd before the waitid (the
 *                 runner's reaper)
 * The runner adds its own work to the last one: its reaper's hand-over to the loop, the loop's
 * decision and durable write, the hand-over to a launch thread and the launch's preparation.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

typedef long (*sr_spawn_fn)(const char *, char **, char **, const char *, const char *, const char *,
                            const char *, int, int, int *);

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

enum { POSIX, SR, SR_CGROUP, SR_EPOLL };
static const char *NAMES[] = {"posix_spawn", "sr_spawn", "+cgroup", "+epoll"};
#define POOL 32
#define MAX_N 2000000
#define BLOCK 25

/* what the run made, removed on every way out (a failed spawn too) */
static const char *cgroup_parent;
static int pool[POOL];
static char logs[] = "/tmp/spawn-recipe-XXXXXX", out[64], err[64];

static void pool_dir(char *dir, size_t size, int i) {
    snprintf(dir, size, "%s/recipe-%d", cgroup_parent, i);
}

static int clean_up(int status) {
    for (int i = 0; i < POOL; i++) {
        char dir[4096];
        if (pool[i] >= 0) {
            close(pool[i]);
        }
        pool_dir(dir, sizeof dir, i);
        rmdir(dir);
    }
    unlink(out);
    unlink(err);
    rmdir(logs);
    return status;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: spawn_recipe LIBSR_SPAWN SECS CGROUP_PARENT CHILD\n");
        return 2;
    }
    void *lib = dlopen(argv[1], RTLD_NOW);
    sr_spawn_fn sr_spawn = lib ? (sr_spawn_fn) dlsym(lib, "sr_spawn") : NULL;
    if (!sr_spawn) {
        fprintf(stderr, "spawn_recipe: cannot load sr_spawn from %s: %s\n", argv[1], dlerror());
        return 2;
    }
    double secs = atof(argv[2]);
    const char *child = argv[4];
    cgroup_parent = argv[3];
    for (int i = 0; i < POOL; i++) {
        pool[i] = -1;
    }
    if (mkdtemp(logs) == NULL) {
        perror(logs);
        return 2;
    }
    snprintf(out, sizeof out, "%s/stdout.log", logs);
    snprintf(err, sizeof err, "%s/stderr.log", logs);
    for (int i = 0; i < POOL; i++) {
        char dir[4096];
        pool_dir(dir, sizeof dir, i);
        mkdir(dir, 0755);
        pool[i] = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (pool[i] < 0) {
            perror(dir);
            return clean_up(2);
        }
    }
    char *cargv[] = {NULL, (char *) child, NULL}; /* sr_spawn wants an argv[-1] slot */
    int ep = epoll_create1(EPOLL_CLOEXEC);
    /* the recipes take turns in runs of BLOCK children, so a machine whose speed drifts (a shared
     * host) slows them alike, and no child pays for the recipe before it (a child cloned into a
     * cgroup right after one that was not costs more than the next one) */
    static double laps[SR_EPOLL + 1][MAX_N / 4];
    long n[SR_EPOLL + 1] = {0};
    double t0 = now();
    for (long i = 0; now() - t0 < secs && i < MAX_N; i++) {
        int recipe = (int) (i / BLOCK % (SR_EPOLL + 1));
        double start = now();
        if (recipe == POSIX) {
            pid_t pid;
            posix_spawn_file_actions_t fa;
            posix_spawn_file_actions_init(&fa);
            posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
            if (posix_spawn(&pid, child, &fa, NULL, cargv + 1, environ) != 0) {
                perror("posix_spawn");
                return clean_up(1);
            }
            posix_spawn_file_actions_destroy(&fa);
            int st;
            while (waitpid(pid, &st, 0) < 0) {
            }
        } else {
            int pidfd = -1;
            int cg = recipe >= SR_CGROUP ? pool[i % POOL] : -1;
            long pid = sr_spawn(child, cargv + 1, environ, "/dev/null", out, err, "/", 0600, cg, &pidfd);
            if (pid < 0) {
                fprintf(stderr, "spawn_recipe: sr_spawn: %s\n", strerror((int) -pid));
                return clean_up(1);
            }
            if (recipe == SR_EPOLL) {
                struct epoll_event ev = {.events = EPOLLIN, .data.fd = pidfd};
                epoll_ctl(ep, EPOLL_CTL_ADD, pidfd, &ev);
                struct epoll_event got;
                while (epoll_wait(ep, &got, 1, -1) < 1) {
                }
                epoll_ctl(ep, EPOLL_CTL_DEL, pidfd, NULL);
            }
            siginfo_t info;
            syscall(SYS_waitid, P_PIDFD, pidfd, &info, WEXITED, NULL);
            close(pidfd);
        }
        laps[recipe][n[recipe]++] = (now() - start) * 1e6;
    }
    double el = now() - t0;
    for (int recipe = POSIX; recipe <= SR_EPOLL; recipe++) {
        long k = n[recipe];
        qsort(laps[recipe], k, sizeof(double), cmp);
        printf("{\"recipe\": \"%s\", \"n\": %ld, \"p50_us\": %.1f, \"p90_us\": %.1f, \"p99_us\": %.1f}\n",
               NAMES[recipe], k, laps[recipe][k / 2], laps[recipe][(long) (k * 0.9)], laps[recipe][(long) (k * 0.99)]);
    }
    printf("{\"children\": %ld, \"secs\": %.2f, \"rate\": %.1f}\n", n[0] + n[1] + n[2] + n[3], el,
           (n[0] + n[1] + n[2] + n[3]) / el);
    return clean_up(0);
}
