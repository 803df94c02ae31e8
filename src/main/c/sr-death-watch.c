/*
 * sr-death-watch: kills a runner's sessions when the runner dies without having stopped them.
 *
 *   sr-death-watch RUNNER_PID CGROUP_DIR|- RUNNER_ID|- [LOCK_FILE]
 *
 * The runner (SQLite, one machine) starts it with a pipe on its stdin and keeps the other end.
 * A line "q" means the runner stopped every session itself: exit, killing nothing. End of file
 * means the runner's end closed: it died (kill -9, a crash, an OOM kill) or is exiting without
 * having stopped them. Then, once:
 *   - "1" into CGROUP_DIR/cgroup.kill: every session, browser and step with whatever it forked;
 *   - three passes 50 ms apart: SIGKILL to every process whose environment holds exactly
 *     SR_RUNNER_ID=RUNNER_ID and that started no later than the fire (a process started since is a
 *     next runner's with the same id, never this one's);
 *   - while RUNNER_PID is still this program's parent (alive, exiting), its other children:
 *     sessions and orphans it adopted as subreaper, which a cgroup-less runner cannot otherwise name;
 *   - when the runner is dead and no process holds LOCK_FILE (the data dir's runner.lock, an fcntl
 *     lock), CGROUP_DIR's tree once it is empty: a data dir that never starts again (a test's, one
 *     deleted after a crash) otherwise left an empty tree behind for good. A next runner already
 *     on the data dir holds the lock and is left the tree, which its start clears and reuses;
 *     a runner still alive (exiting) removes its own;
 * says in one line on stderr (the runner's) whether it killed anything, and exits.
 *
 * Why not the bash process watchdog (src/main/resources/fencing/process-watchdog.bash), which does
 * this as part of cluster mode's fence and is the fallback here: bash sat beside every runner with
 * 3.4 MiB resident (bench-peers counts it with the runner: its 200-idle-children RSS went from 77
 * to 80.1 MiB against a target of 80). Static, this program holds about a tenth of it, asleep in
 * one read(2) until the end. Only pids, a cgroup path and the runner id reach it (argv), never a
 * shell string.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ENVIRON_MAX (256 * 1024)

static char environ_buf[ENVIRON_MAX];

/* Reads a whole small file (at most size - 1 bytes) into buf; returns the length or -1. */
static ssize_t read_file(const char *path, char *buf, size_t size) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    size_t total = 0;
    while (total < size - 1) {
        ssize_t n = read(fd, buf + total, size - 1 - total);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        total += (size_t) n;
    }
    close(fd);
    buf[total] = '\0';
    return (ssize_t) total;
}

/* Fields 3 (state), 4 (ppid) and 22 (start time, clock ticks since boot) of /proc/PID/stat; 0 on success. */
static int stat_fields(long pid, char *state, long *ppid, unsigned long long *start) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    if (read_file(path, buf, sizeof buf) <= 0) {
        return -1;
    }
    char *p = strrchr(buf, ')'); /* the command may hold spaces and parentheses */
    if (p == NULL) {
        return -1;
    }
    p += 2; /* field 3, the state */
    *state = *p;
    for (int field = 3; field < 22; field++) {
        if (field == 4) {
            *ppid = strtol(p, NULL, 10);
        }
        p = strchr(p, ' ');
        if (p == NULL) {
            return -1;
        }
        p++;
    }
    *start = strtoull(p, NULL, 10);
    return 0;
}

/* Whether PID's environment holds exactly the entry TAG (NUL-separated entries). */
static int tagged(long pid, const char *tag, size_t tag_len) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/environ", pid);
    ssize_t n = read_file(path, environ_buf, sizeof environ_buf);
    for (ssize_t at = 0; n > 0 && at < n;) {
        size_t len = strnlen(environ_buf + at, (size_t) (n - at));
        if (len == tag_len && memcmp(environ_buf + at, tag, tag_len) == 0) {
            return 1;
        }
        at += (ssize_t) len + 1;
    }
    return 0;
}

/*
 * One pass over /proc: SIGKILL to what the tag marks (started by FIRED) or the runner's children.
 * Returns how many live processes it killed (the dying ones cgroup.kill reached are not counted).
 */
static int kill_pass(long runner, int runner_alive, const char *tag, size_t tag_len, unsigned long long fired) {
    DIR *proc = opendir("/proc");
    if (proc == NULL) {
        return 0;
    }
    int killed = 0;
    long self = (long) getpid();
    struct dirent *e;
    while ((e = readdir(proc)) != NULL) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end != '\0' || pid <= 1 || pid == self || pid == runner) {
            continue;
        }
        char state = '?';
        long ppid = 0;
        unsigned long long start = 0;
        if (stat_fields(pid, &state, &ppid, &start) != 0) {
            continue;
        }
        if ((runner_alive && ppid == runner) || (tag_len > 0 && start <= fired && tagged(pid, tag, tag_len))) {
            if (kill((pid_t) pid, SIGKILL) == 0 && state != 'Z' && state != 'X') {
                killed++;
            }
        }
    }
    closedir(proc);
    return killed;
}

/*
 * Who holds an fcntl lock on FILE: 0 nobody (or no file: its data dir is gone), the holder's pid,
 * or -1 when this program cannot tell (taken as held).
 */
static long lock_holder(const char *file) {
    int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        return errno == ENOENT ? 0 : -1;
    }
    struct flock probe = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    long holder = fcntl(fd, F_GETLK, &probe) != 0 ? -1 : probe.l_type == F_UNLCK ? 0 : (long) probe.l_pid;
    close(fd); /* this program holds no lock there: closing releases none */
    return holder;
}

static int lock_held(const char *file) {
    return lock_holder(file) != 0;
}

/* Whether DIR's cgroup.events says "populated VALUE" ('0': nothing in it or below it, '1': something). */
static int populated_is(const char *dir, char value) {
    char path[4096], events[512];
    if ((size_t) snprintf(path, sizeof path, "%s/cgroup.events", dir) >= sizeof path
            || read_file(path, events, sizeof events) <= 0) {
        return 0;
    }
    char line[] = "populated ?";
    line[sizeof line - 2] = value;
    return strstr(events, line) != NULL;
}

/* Why the tree stays: 0 once it is gone, -1 a runner took the data dir meanwhile, else an errno. */
static int kept_because;

/*
 * Removes DIR's cgroup and those below it, deepest first, while LOCK_FILE stays free: a runner
 * that takes the data dir meanwhile keeps what is left (and its start clears and reuses it).
 */
static void remove_tree(const char *dir, const char *lock_file, int depth) {
    if (depth >= 16) {
        kept_because = ELOOP;
        return;
    }
    DIR *d = opendir(dir);
    if (d == NULL) {
        if (errno != ENOENT) { /* gone already: removed meanwhile (a next runner's start clears it too) */
            kept_because = errno;
        }
        return;
    }
    char path[4096];
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_type == DT_DIR && e->d_name[0] != '.'
                && (size_t) snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < sizeof path) {
            remove_tree(path, lock_file, depth + 1);
        }
    }
    closedir(d);
    if (lock_held(lock_file)) {
        kept_because = -1;
    } else if (rmdir(dir) != 0 && errno != ENOENT) {
        kept_because = errno;
    }
}

/* Whether PID is a process that has not exited (neither gone nor a zombie). */
static int runs(long pid) {
    char state = 'X';
    long ppid = 0;
    unsigned long long start = 0;
    return stat_fields(pid, &state, &ppid, &start) == 0 && state != 'Z' && state != 'X';
}

/* Clock ticks since boot (CLOCK_BOOTTIME, as /proc/PID/stat's start times count them). */
static unsigned long long ticks_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_BOOTTIME, &ts);
    long hz = sysconf(_SC_CLK_TCK);
    return (unsigned long long) ts.tv_sec * (unsigned long long) hz
            + (unsigned long long) ts.tv_nsec / (1000000000ULL / (unsigned long long) hz);
}

int main(int argc, char **argv) {
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: sr-death-watch RUNNER_PID CGROUP_DIR|- RUNNER_ID|- [LOCK_FILE]\n");
        return 2;
    }
    /* a session of its own: a signal to the runner's process group (a shell's kill %1, or its
     * kill -STOP -PGID) must not take the watch with the runner while the sessions, each in a
     * group of its own, run on (reviewer R12's finding for the bash watchdog) */
    setsid();
    long runner = strtol(argv[1], NULL, 10);
    const char *cgroup = argv[2];
    const char *runner_id = argv[3];
    const char *lock_file = argc == 5 ? argv[4] : NULL;
    /* Ctrl-C / Ctrl-Z at a terminal reach the whole foreground group: only the runner decides */
    int ignored[] = {SIGINT, SIGHUP, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE, SIGUSR1, SIGUSR2};
    for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++) {
        signal(ignored[i], SIG_IGN);
    }
    char tag[256] = "";
    size_t tag_len = 0;
    if (strcmp(runner_id, "-") != 0 && strlen(runner_id) < sizeof tag - 16
            && strspn(runner_id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == strlen(runner_id)) {
        tag_len = (size_t) snprintf(tag, sizeof tag, "SR_RUNNER_ID=%s", runner_id);
    }

    char line[64];
    size_t used = 0;
    for (;;) {
        ssize_t n = read(STDIN_FILENO, line + used, sizeof line - 1 - used);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break; /* the runner's end closed */
        }
        used += (size_t) n;
        line[used] = '\0';
        char *nl;
        while ((nl = strchr(line, '\n')) != NULL) {
            *nl = '\0';
            if (strcmp(line, "q") == 0) {
                return 0; /* it stopped every session itself */
            }
            used -= (size_t) (nl + 1 - line);
            memmove(line, nl + 1, used + 1);
        }
        if (used == sizeof line - 1) {
            used = 0; /* a line this long is no line of the runner's */
        }
    }

    unsigned long long fired = ticks_now();
    int runner_alive = getppid() == (pid_t) runner;
    int contained = strcmp(cgroup, "-") != 0;
    /* whether anything ran, not how much: counting a tree of a thousand cgroups before the kill
     * delayed it (1.3 s under strace); after it, the killed leave as they die */
    int killed_any = contained && populated_is(cgroup, '1');
    if (contained) {
        char path[4096];
        if ((size_t) snprintf(path, sizeof path, "%s/cgroup.kill", cgroup) < sizeof path) {
            int fd = open(path, O_WRONLY | O_CLOEXEC);
            if (fd >= 0) {
                ssize_t ignored_result = write(fd, "1", 1);
                (void) ignored_result;
                close(fd);
            }
        }
    }
    /* a launch caught between its clone and its exec still shows the runner's own environment */
    for (int pass = 0; pass < 3; pass++) {
        if (kill_pass(runner, runner_alive, tag, tag_len, fired) > 0) {
            killed_any = 1;
        }
        if (pass < 2) {
            struct timespec pause = {0, 50 * 1000 * 1000};
            nanosleep(&pause, NULL);
        }
    }
    char removal[9000] = "";
    /* its pipe closes in its exit before its children are handed on: a killed runner may still be
     * this program's parent at the fire, a zombie by now; one exiting on its own removes its tree */
    if (contained && lock_file != NULL && !runs(runner) && access(cgroup, F_OK) == 0) {
        /* a killed process leaves its cgroup as it exits; one in uninterruptible sleep may take a while */
        for (int wait = 0; wait < 200 && !populated_is(cgroup, '0') && access(cgroup, F_OK) == 0; wait++) {
            struct timespec pause = {0, 10 * 1000 * 1000};
            nanosleep(&pause, NULL);
        }
        /* a command of the CLI (status, pause, forget) holds the lock for a moment: a runner holds it on */
        long holder = lock_holder(lock_file);
        for (int wait = 0; wait < 40 && holder != 0; wait++) {
            struct timespec pause = {0, 50 * 1000 * 1000};
            nanosleep(&pause, NULL);
            holder = lock_holder(lock_file);
        }
        kept_because = holder != 0 ? -1 : 0;
        if (kept_because == 0) {
            remove_tree(cgroup, lock_file, 0);
        }
        if (kept_because == 0) {
            snprintf(removal, sizeof removal, "; removed %s", cgroup);
        } else if (kept_because == -1 && holder > 0) {
            snprintf(removal, sizeof removal, "; %s left to pid %ld, which holds %s (a next runner on the data dir)",
                    cgroup, holder, lock_file);
        } else if (kept_because == -1) {
            snprintf(removal, sizeof removal, "; %s left to the runner now on its data dir", cgroup);
        } else {
            snprintf(removal, sizeof removal, "; %s not removed: %s", cgroup, strerror(kept_because));
        }
    }
    if (killed_any) {
        fprintf(stderr, "smart-runner watchdog: the runner closed its end of the pipe (it died, or exits without"
                " having stopped them): killed the sessions of runner pid %ld%s\n", runner, removal);
    } else {
        fprintf(stderr, "smart-runner watchdog: the runner closed its end of the pipe (it died, or exits without"
                " having stopped them): no process of runner pid %ld's sessions was running, nothing killed%s\n",
                runner, removal);
    }
    return 0;
}
