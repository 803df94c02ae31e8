/* Reference: a bare C posix_spawn + waitpid loop of the same child, one at a time per worker. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: spawn_baseline CHILD SECONDS WORKERS\n"); return 2; }
    double secs = atof(argv[2]);
    int workers = atoi(argv[3]);
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long count = 0;
    char *cargv[] = {argv[1], NULL};
    int running = 0;
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &t);
        double el = (t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9;
        if (el >= secs) break;
        while (running < workers) {
            pid_t pid;
            posix_spawn_file_actions_t fa;
            posix_spawn_file_actions_init(&fa);
            posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", 1, 0);
            if (posix_spawn(&pid, argv[1], &fa, NULL, cargv, environ) == 0) running++;
            posix_spawn_file_actions_destroy(&fa);
        }
        int st;
        if (waitpid(-1, &st, 0) > 0) { running--; count++; }
    }
    clock_gettime(CLOCK_MONOTONIC, &t);
    double el = (t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9;
    printf("bare posix_spawn loop: %ld spawns in %.1f s = %.0f spawns/s (%d at a time)\n", count, el, count / el, workers);
    return 0;
}
