package io.smartrunner.engine;

import io.smartrunner.process.ExitStatus;
import io.smartrunner.process.LaunchSpec;
import io.smartrunner.process.ProcessLauncher;
import io.smartrunner.process.RunningProcess;
import io.smartrunner.process.SpawnException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/** A launcher whose children do exactly what the test tells them. */
final class FakeLauncher implements ProcessLauncher {
    final List<FakeProcess> launched = new ArrayList<>();
    /**
     * What the runner asked of the children, in order: "checked PID" ({@link RunningProcess#termGroupAhead}),
     * "ahead PID" (the SIGTERM it returned, sent), "stop PID".
     */
    final List<String> calls = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong pids = new AtomicLong(1000);
    String spawnError;
    /** Whether {@link #spawnError} is the host's refusal of a process (EAGAIN and the like). */
    boolean spawnHostShort;
    /** Thrown by the next launches instead of a SpawnException: what a broken native library or a full heap throws. */
    Error spawnBreaks;

    @Override
    public synchronized RunningProcess launch(LaunchSpec spec) {
        if (spawnError != null) {
            throw new SpawnException(spawnError, spawnHostShort);
        }
        if (spawnBreaks != null) {
            throw spawnBreaks;
        }
        FakeProcess p = new FakeProcess(spec, pids.incrementAndGet(), calls);
        launched.add(p);
        return p;
    }

    synchronized FakeProcess last() {
        return launched.get(launched.size() - 1);
    }

    synchronized List<FakeProcess> forProfile(String profileId) {
        return launched.stream().filter(p -> p.spec.env().get("SR_PROFILE_ID").equals(profileId)).toList();
    }

    static final class FakeProcess implements RunningProcess {
        final LaunchSpec spec;
        final long pid;
        final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
        CompletableFuture<Void> stop;
        volatile long output;
        volatile String stderr = "";
        /** How often the runner read the tail of its stderr log. */
        volatile int tailReads;
        /** What {@link RunningProcess#contained()} says: its cgroup took its leftovers. */
        volatile boolean contained;
        Duration stopGrace;
        private final List<String> calls;

        FakeProcess(LaunchSpec spec, long pid, List<String> calls) {
            this.spec = spec;
            this.pid = pid;
            this.calls = calls;
        }

        void exit(int code) {
            exit.complete(ExitStatus.exited(code));
        }

        /** Exits with {@code code}, the launcher knowing it happened at {@code nanos} (however late the loop sees it). */
        void exitAt(int code, long nanos) {
            exit.complete(ExitStatus.exited(code).at(nanos));
        }

        @Override
        public long pid() {
            return pid;
        }

        @Override
        public long startTicks() {
            return pid * 10;
        }

        @Override
        public long pgid() {
            return pid;
        }

        @Override
        public CompletableFuture<ExitStatus> onExit() {
            return exit;
        }

        /** Thrown by {@link #pollOutput()} when set (a log that could not be rotated). */
        volatile RuntimeException pollFailure;
        /** What {@link RunningProcess#outputDropped()} says. */
        volatile long dropped;

        @Override
        public long outputDropped() {
            return dropped;
        }

        /** What {@link RunningProcess#outputQuiet()} says: watched and untouched, a poll would find nothing new. */
        volatile boolean quiet;
        /** What the runner asked to be told when a quiet output is written again ({@link RunningProcess#onOutputAfterQuiet}). */
        volatile Runnable afterQuiet;
        /** Runs at the first stop, before the tree dies: what held when the runner decided to stop it. */
        volatile Runnable onStop;
        /** How often the runner polled the output. */
        volatile int polls;

        @Override
        public boolean outputQuiet() {
            return quiet;
        }

        @Override
        public void onOutputAfterQuiet(Runnable written) {
            afterQuiet = written;
        }

        @Override
        public long pollOutput() {
            polls++;
            if (pollFailure != null) {
                throw pollFailure;
            }
            return output;
        }

        @Override
        public boolean contained() {
            return contained;
        }

        @Override
        public String stderrTail(int maxBytes) {
            tailReads++;
            return stderr.length() <= maxBytes ? stderr : stderr.substring(stderr.length() - maxBytes);
        }

        /** The fake tree dies at once: SIGTERM is honoured. */
        @Override
        public synchronized CompletableFuture<Void> stop(Duration grace) {
            calls.add("stop " + pid);
            if (stop == null && onStop != null) {
                onStop.run();
            }
            if (stop == null) {
                stopGrace = grace;
                stop = new CompletableFuture<>();
                exit.complete(new ExitStatus(143, "SIGTERM", null));
                stop.complete(null);
            }
            return stop;
        }

        @Override
        public Runnable termGroupAhead() {
            calls.add("checked " + pid);
            return () -> calls.add("ahead " + pid);
        }
    }
}
