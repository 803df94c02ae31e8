package io.smartrunner.process;

import java.util.Optional;

/** Signal names for exit statuses, and signalling one scanned process safely. */
final class Signals {
    // Linux numbering (x86, ARM, RISC-V); index = signal number
    private static final String[] NAMES = {null,
        "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
        "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
        "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
        "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};

    private Signals() {
    }

    /**
     * The exit status Java reports for a child: it reports a death by signal N as 128+N, so a code
     * in 129..159 is read as that signal. An explicit {@code exit(137)} therefore reads as SIGKILL,
     * exactly like a POSIX shell's {@code $?}: the information is not there to tell them apart.
     */
    static ExitStatus exitStatus(int code) {
        String signal = code > 128 && code < 128 + NAMES.length ? NAMES[code - 128] : null;
        return new ExitStatus(code, signal, null);
    }

    /** A child the kernel reports as killed by signal {@code signal}: shell convention code 128+N. */
    static ExitStatus killedBy(int signal) {
        String name = signal > 0 && signal < NAMES.length ? NAMES[signal] : "signal " + signal;
        return new ExitStatus(128 + signal, name, null);
    }

    /**
     * Sends SIGTERM ({@code force=false}) or SIGKILL to the process scanned as {@code target},
     * unless its pid now names another process.
     *
     * @return whether a signal was sent
     */
    static boolean send(ProcStat target, boolean force) {
        Optional<ProcessHandle> handle = ProcessHandle.of(target.pid());
        if (handle.isEmpty()) {
            return false;
        }
        // The handle pins the start time it saw and destroy() re-checks it; confirming here that
        // this start time is the one we scanned means a reused pid is never signalled.
        Optional<ProcStat> now = ProcFs.stat(target.pid());
        if (now.isEmpty() || now.get().startTicks() != target.startTicks()) {
            return false;
        }
        return force ? handle.get().destroyForcibly() : handle.get().destroy();
    }
}
