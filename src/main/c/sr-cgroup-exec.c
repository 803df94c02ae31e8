/*
 * sr-cgroup-exec: joins a cgroup, then execs a program in the same pid.
 *
 *   sr-cgroup-exec CGROUP_PROCS EXECUTABLE ARGV0 [ARG...]
 *
 * Writes "0" (this process) into CGROUP_PROCS, then execve(EXECUTABLE, [ARGV0, ARG...], environ).
 * The runner starts a contained launch through it on a glibc without posix_spawnattr_setcgroup_np
 * (CLONE_INTO_CGROUP): the child must be in its cgroup before the program's first instruction,
 * and a write into cgroup.procs after the spawn returns is too late (docs/containment.md).
 *
 * Why not /bin/sh, which did the same until the ninth session: each launch paid a dynamically
 * linked shell's start-up, 0.5 ms of CPU on the development machine (most of it the dynamic
 * loader's cache-size probe, whose cpuid instructions trap to the hypervisor on a VM). This
 * program has no libc and no loader: 0.06 ms. It is freestanding (no libc at all: a static
 * glibc still runs that probe), so it carries its own four system calls; x86_64 only, like the
 * runner's posix_spawn launcher.
 *
 * Like the shell it replaces:
 * - a failed write into CGROUP_PROCS does not stop the launch (the subreaper still catches an
 *   escapee);
 * - the environment and arguments reach the program unchanged;
 * - a file without a #! line that the kernel refuses (ENOEXEC) runs as a /bin/sh script, as
 *   execvp and the shell's exec do;
 * - when the exec fails it says why on stderr and exits 127 (not found) or 126 (anything else),
 *   which the runner reports as a spawn failure (SpawnCheck.execFailure).
 */
#if !defined(__x86_64__) || !defined(__linux__)
#error "sr-cgroup-exec is written for x86_64 Linux"
#endif

#define SYS_WRITE 1
#define SYS_OPEN 2
#define SYS_CLOSE 3
#define SYS_EXECVE 59
#define SYS_EXIT_GROUP 231
#define O_WRONLY 01
#define O_CLOEXEC 02000000
#define ENOENT 2
#define ENOEXEC 8
#define EACCES 13
#define ENOTDIR 20

static long sys3(long number, long a, long b, long c) {
    long result;
    __asm__ volatile("syscall" : "=a"(result) : "a"(number), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return result;
}

static long length(const char *s) {
    long n = 0;
    while (s[n]) {
        n++;
    }
    return n;
}

static void say(const char *s) {
    sys3(SYS_WRITE, 2, (long) s, length(s));
}

static __attribute__((noreturn)) void exit_with(int code) {
    for (;;) {
        sys3(SYS_EXIT_GROUP, code, 0, 0);
    }
}

static void join(const char *procs) {
    long fd = sys3(SYS_OPEN, (long) procs, O_WRONLY | O_CLOEXEC, 0);
    if (fd >= 0) {
        sys3(SYS_WRITE, fd, (long) "0", 1);
        sys3(SYS_CLOSE, fd, 0, 0);
    }
}

/* The kernel's answer to execve, as a positive errno. */
static long exec(const char *file, char **argv, char **envp) {
    return -sys3(SYS_EXECVE, (long) file, (long) argv, (long) envp);
}

/* sp: the process's initial stack (argc, argv..., NULL, envp..., NULL). */
__attribute__((used, noreturn)) void start(long *sp) {
    long argc = sp[0];
    char **argv = (char **) (sp + 1);
    char **envp = argv + argc + 1;
    if (argc < 4) {
        say("usage: sr-cgroup-exec CGROUP_PROCS EXECUTABLE ARGV0 [ARG...]\n");
        exit_with(2);
    }
    join(argv[1]);
    char *file = argv[2];
    char **args = argv + 3;
    long error = exec(file, args, envp);
    if (error == ENOEXEC) {
        /* a script without #!: /bin/sh FILE ARG..., as execvp runs it (the slot of ARGV0 takes FILE) */
        args[-1] = "/bin/sh";
        args[0] = file;
        exec("/bin/sh", args - 1, envp);
    }
    say("sr-cgroup-exec: cannot execute ");
    say(file);
    say(error == ENOENT || error == ENOTDIR ? ": not found\n" : error == EACCES ? ": permission denied\n"
            : ": not executable\n");
    exit_with(error == ENOENT || error == ENOTDIR ? 127 : 126);
}

/* The entry point: hands the initial stack to start() on a 16-byte aligned stack, as the ABI wants. */
__asm__(".text\n"
        ".globl _start\n"
        "_start:\n"
        "    xor %rbp, %rbp\n"
        "    mov %rsp, %rdi\n"
        "    and $-16, %rsp\n"
        "    call start\n"
        "    hlt\n");
