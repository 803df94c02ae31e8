package io.smartrunner.process;


import io.smartrunner.testkit.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/** Test helpers for real child processes, and cleanup of whatever a test leaves behind. */
final class Children {
    private final List<String> sessions = new ArrayList<>();
    private final List<ProcessHandle> strays = new ArrayList<>();
    private final List<ProcStat> untagged = new ArrayList<>();

    /** A fresh session id, swept by {@link #killAll()}. */
    String newSession() {
        return newSession("test-" + UUID.randomUUID());
    }

    /** A run id of a given shape (a browser's, a recovery step's), killed with the others at the end. */
    String newSession(String id) {
        sessions.add(id);
        return id;
    }

    static LaunchSpec spec(String sessionId, Path logDir, String... argv) {
        return new LaunchSpec(sessionId, List.of(argv), Map.of("SR_SESSION_ID", sessionId), null,
                OutputFiles.forProfile(logDir, "p1", 0, 0));
    }

    /** Live (non-zombie) processes whose environment carries SR_SESSION_ID=sessionId. */
    static List<Long> tagged(String sessionId) {
        List<Long> pids = new ArrayList<>();
        ProcFs.scan().values().forEach(p -> {
            if (!p.dead() && sessionId.equals(ProcFs.environ(p.pid()).get("SR_SESSION_ID"))) {
                pids.add(p.pid());
            }
        });
        return pids;
    }

    /** Live (non-zombie) members of process group {@code pgid}. */
    static List<ProcStat> group(long pgid) {
        return ProcFs.scan().values().stream().filter(p -> p.pgrp() == pgid && !p.dead()).toList();
    }

    /** Whether the process ignores SIGTERM now (/proc/PID/status SigIgn); false once it is gone. */
    static boolean ignoresSigterm(long pid) {
        return sigtermIn(pid, "SigIgn:");
    }

    /** Whether the process has a SIGTERM handler now, a shell's trap set (/proc/PID/status SigCgt); false once it is gone. */
    static boolean catchesSigterm(long pid) {
        return sigtermIn(pid, "SigCgt:");
    }

    private static boolean sigtermIn(long pid, String mask) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(mask)) {
                    return (Long.parseUnsignedLong(line.substring(mask.length()).trim(), 16) & (1L << (15 - 1))) != 0;
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    static boolean alive(long pid) {
        return ProcFs.stat(pid).map(p -> !p.dead()).orElse(false);
    }

    /** Bounded polling for a condition; fails the test when it does not hold in time. */
    static void await(String what, BooleanSupplier condition) {
        Await.until(what, Duration.ofSeconds(10), condition);
    }

    /** An untagged `sleep` in a session of its own, not a child of any runner session. */
    ProcessHandle unrelatedSleeper() throws Exception {
        Process p = new ProcessBuilder("/usr/bin/setsid", "--", "sleep", "1000").start();
        strays.add(p.toHandle());
        await("unrelated sleeper in its own group", () -> ProcFs.stat(p.pid())
                .map(s -> s.pgrp() == p.pid()).orElse(false));
        return p.toHandle();
    }

    /** Also SIGKILL this process (if it is still the same one) at cleanup: it carries no tags. */
    long track(long pid) {
        ProcFs.stat(pid).ifPresent(untagged::add);
        return pid;
    }

    /** SIGKILLs every process of the sessions handed out, and the strays and tracked ones. */
    void killAll() {
        strays.forEach(ProcessHandle::destroyForcibly);
        untagged.forEach(p -> Signals.send(p, true));
        for (String session : sessions) {
            for (long pid : tagged(session)) {
                ProcFs.stat(pid).ifPresent(p -> Signals.send(p, true));
            }
        }
    }
}
