/*
 * libsr-spawn: starts a session's child the way glibc's posix_spawn does (a vfork-like clone on a
 * stack of its own; the caller's thread waits until the child has exec'd or failed), with what the
 * posix_spawn of glibc 2.36 cannot do (docs/performance.md, "Fifteenth session"):
 *
 *  - CLONE_INTO_CGROUP: the child is in its cgroup from its first instruction, without the exec
 *    of sr-cgroup-exec in front of every contained command;
 *  - CLONE_PIDFD: the pidfd the runner's reaper watches comes with the clone (no pidfd_open);
 *  - CLONE_FILES, then close_range(3, ~0, CLOSE_RANGE_UNSHARE) in the child: the child's
 *    descriptor table is a copy of the runner's 0, 1 and 2 only, not of every descriptor the
 *    runner holds (a pidfd per running child: with 1 000 sessions the clone copied, and the child
 *    then closed, a thousand references);
 *  - its stack comes from malloc, where glibc maps and unmaps one per spawn (an unmap in a process
 *    whose threads run on other CPUs interrupts those CPUs to flush their TLBs).
 *
 * The child does what PosixSpawnLauncher asks of posix_spawn: stdin /dev/null, stdout and stderr
 * opened O_APPEND on the log files, every other descriptor closed, the working directory, a new
 * session (setsid), every signal's disposition back to default and an empty signal mask. A file
 * the kernel refuses to exec as a program (ENOEXEC: a script without #!) runs as a /bin/sh
 * script, as sr-cgroup-exec and execvp do. It fails with the errno of the first step that failed,
 * as posix_spawn does.
 *
 * The child shares the runner's memory until it execs: it touches nothing but its own stack and
 * the request, makes system calls directly (no libc: no errno, no lazy binding) and runs with
 * every signal blocked until it has reset their dispositions. x86_64 Linux 5.9+ (close_range's
 * CLOSE_RANGE_UNSHARE; clone3 with CLONE_INTO_CGROUP is 5.7): the runner tries it once at start
 * and keeps to posix_spawn where it does not work (process/NativeSpawn).
 */
#if !defined(__x86_64__) || !defined(__linux__)
#error "libsr-spawn is written for x86_64 Linux"
#endif

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SYS_OPEN 2
#define SYS_CLOSE 3
#define SYS_RT_SIGACTION 13
#define SYS_RT_SIGPROCMASK 14
#define SYS_DUP2 33
#define SYS_EXECVE 59
#define SYS_CHDIR 80
#define SYS_SETSID 112
#define SYS_WAITID 247
#define SYS_CLOSE_RANGE 436

#define O_CREAT 0100
#define O_APPEND 02000
#define O_WRONLY 01
#define O_RDONLY 0
#define ENOMEM 12
#define ENOEXEC 8
#define SIG_SETMASK 2
#define SIGKILL 9
#define SIGSTOP 19
#define SIGCHLD 17
#define NSIG 64
#define CLOSE_RANGE_UNSHARE 2
/* sr_spawn's answer for a child killed before its first instruction (ECHILD: no child to run) */
#define KILLED_AT_CLONE 10
#define P_PIDFD 3
#define WEXITED 4

#define CLONE_VM 0x00000100ULL
#define CLONE_FILES 0x00000400ULL
#define CLONE_PIDFD 0x00001000ULL
#define CLONE_VFORK 0x00004000ULL
#define CLONE_INTO_CGROUP 0x200000000ULL

/* What the child does stays well inside this: a few system calls, no recursion. */
#define STACK_BYTES 32768

struct clone_args {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size,
        cgroup;
};

/* The kernel's struct sigaction on x86_64: handler, flags, restorer, mask. All zero: SIG_DFL. */
static const struct {
    uint64_t handler, flags, restorer, mask;
} DEFAULT_ACTION;
static const uint64_t NO_SIGNALS;

struct job {
    const char *path;
    char **argv; /* argv[-1] is a spare slot, for the /bin/sh of a script without #! */
    char **envp;
    const char *in, *out, *err, *dir;
    int mode;
    volatile int error;
    volatile int ran; /* the child ran its first instruction: it was not killed as it was cloned */
};

/* A system call with up to five arguments (unused ones 0); -errno on failure. */
static inline long sys5(long number, long a, long b, long c, long d, long e) {
    long result;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    __asm__ volatile("syscall"
                     : "=a"(result)
                     : "a"(number), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
                     : "rcx", "r11", "memory");
    return result;
}

static inline long sys(long number, long a, long b, long c, long d) {
    return sys5(number, a, b, c, d, 0);
}

/* long sr_clone3(struct clone_args *args, size_t size, int (*fn)(void *), void *arg): the parent
 * returns the child's pid (or -errno); the child calls fn(arg) on its own stack and exits with
 * what it returns. rdx and r8 survive the system call (rcx does not: the 4th argument moves). */
long sr_clone3(struct clone_args *args, unsigned long size, int (*fn)(void *), void *arg);
__asm__(".text\n"
        ".hidden sr_clone3\n"
        ".type sr_clone3,@function\n"
        "sr_clone3:\n"
        "    mov %rcx, %r8\n"
        "    mov $435, %eax\n"
        "    syscall\n"
        "    test %rax, %rax\n"
        "    jz 1f\n"
        "    ret\n"
        "1:  xor %ebp, %ebp\n"
        "    mov %r8, %rdi\n"
        "    call *%rdx\n"
        "    mov %eax, %edi\n"
        "    mov $231, %eax\n"
        "    syscall\n"
        "    hlt\n"
        ".size sr_clone3, .-sr_clone3\n");

static int failed(struct job *j, long result) {
    j->error = (int) -result;
    return 127;
}

/* Opens path on descriptor `target` (the lowest free one is target or above, as 0, 1, 2 are done in order). */
static long redirect(const char *path, long flags, long mode, long target) {
    long fd = sys(SYS_OPEN, (long) path, flags, mode, 0);
    if (fd < 0 || fd == target) {
        return fd;
    }
    long r = sys(SYS_DUP2, fd, target, 0, 0);
    sys(SYS_CLOSE, fd, 0, 0, 0);
    return r;
}

static int child(void *arg) {
    struct job *j = arg;
    long r;
    j->ran = 1;
    for (long sig = 1; sig <= NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP) {
            sys(SYS_RT_SIGACTION, sig, (long) &DEFAULT_ACTION, 0, 8);
        }
    }
    if ((r = sys(SYS_CLOSE_RANGE, 3, ~0U, CLOSE_RANGE_UNSHARE, 0)) < 0
        || (r = redirect(j->in, O_RDONLY, 0, 0)) < 0
        || (r = redirect(j->out, O_WRONLY | O_CREAT | O_APPEND, j->mode, 1)) < 0
        || (r = redirect(j->err, O_WRONLY | O_CREAT | O_APPEND, j->mode, 2)) < 0
        || (r = sys(SYS_CHDIR, (long) j->dir, 0, 0, 0)) < 0
        || (r = sys(SYS_SETSID, 0, 0, 0, 0)) < 0
        || (r = sys(SYS_RT_SIGPROCMASK, SIG_SETMASK, (long) &NO_SIGNALS, 0, 8)) < 0) {
        return failed(j, r);
    }
    r = sys(SYS_EXECVE, (long) j->path, (long) j->argv, (long) j->envp, 0);
    if (r == -ENOEXEC) {
        j->argv[-1] = "/bin/sh";
        j->argv[0] = (char *) j->path;
        sys(SYS_EXECVE, (long) "/bin/sh", (long) (j->argv - 1), (long) j->envp, 0);
    }
    return failed(j, r);
}

/*
 * Starts path with argv (whose argv[-1] slot exists) and envp, as described at the top.
 * cgroup_fd: a cgroup v2 directory to start the child in, or -1.
 * Returns the child's pid, with its pidfd in *pidfd; or -errno, the child (if any) reaped:
 * -ECHILD when it was killed before its first instruction (a kernel that kills what is cloned
 * into a cgroup killed before; the caller stops cloning into that cgroup).
 */
long sr_spawn(const char *path, char **argv, char **envp, const char *in, const char *out, const char *err,
              const char *dir, int mode, int cgroup_fd, int *pidfd) {
    struct job j = {path, argv, envp, in, out, err, dir, mode, 0, 0};
    char *stack = malloc(STACK_BYTES);
    if (stack == NULL) {
        return -ENOMEM;
    }
    int fd = -1;
    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.flags = CLONE_VM | CLONE_VFORK | CLONE_FILES | CLONE_PIDFD | (cgroup_fd >= 0 ? CLONE_INTO_CGROUP : 0);
    args.pidfd = (uintptr_t) &fd;
    args.exit_signal = SIGCHLD;
    args.stack = (uintptr_t) stack;
    args.stack_size = STACK_BYTES;
    args.cgroup = cgroup_fd >= 0 ? (uint64_t) cgroup_fd : 0;
    /* every signal blocked (glibc's internal ones too) until the child has reset the dispositions */
    uint64_t all = ~0ULL, saved;
    sys(SYS_RT_SIGPROCMASK, SIG_SETMASK, (long) &all, (long) &saved, 8);
    long pid = sr_clone3(&args, sizeof args, child, &j);
    sys(SYS_RT_SIGPROCMASK, SIG_SETMASK, (long) &saved, 0, 8);
    free(stack);
    if (pid < 0) {
        return pid;
    }
    if (j.error != 0 || !j.ran) { /* it exited without exec'ing, or was killed before it ran: reap it */
        char info[128];
        sys5(SYS_WAITID, P_PIDFD, fd, (long) info, WEXITED, 0);
        sys(SYS_CLOSE, fd, 0, 0, 0);
        return j.ran ? -j.error : -KILLED_AT_CLONE;
    }
    *pidfd = fd;
    return pid;
}
