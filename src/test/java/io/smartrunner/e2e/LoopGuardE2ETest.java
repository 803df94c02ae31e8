package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.PodConfig;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.config.RunnerSettings;
import io.smartrunner.config.SessionSettings;
import io.smartrunner.config.StepConfig;
import io.smartrunner.config.VerifyConfig;
import io.smartrunner.engine.Supervisor;
import io.smartrunner.engine.SupervisorDeps;
import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.JsonlEventSink;
import io.smartrunner.process.ExitStatus;
import io.smartrunner.process.PosixSpawnLauncher;
import io.smartrunner.process.ProcFsProcessTable;
import io.smartrunner.process.ProcessLauncher;
import io.smartrunner.process.RunningProcess;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.recovery.ProcessRecoveryActions;
import io.smartrunner.recovery.RecoveryActions;
import io.smartrunner.recovery.RunningStep;
import io.smartrunner.recovery.StepContext;
import io.smartrunner.store.SqliteStateStore;
import io.smartrunner.testkit.Await;
import io.smartrunner.testkit.TestConfig;
import io.smartrunner.time.TimeSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #10 point 5 with real children, the real launcher, SQLite and the JSONL log: p1's recovery
 * step throws every time and p3's output poll throws once while its real `sleep` runs; p2 keeps
 * running sessions throughout, p3's process tree is really gone, the runner lines are in the file.
 */
class LoopGuardE2ETest {
    @TempDir
    Path dir;

    private static SessionSettings sh(String script, long idleMs, long cooldownMs) {
        return new SessionSettings(List.of("/bin/sh", "-c", script), Map.of(), null, 60_000, idleMs, cooldownMs,
                300, 10L * 1024 * 1024, 2, 4096);
    }

    private static void await(String what, BooleanSupplier condition) {
        Await.until(what, Duration.ofSeconds(30), condition);
    }

    @Test
    void theFleetGoesOnAroundAThrowingStepAndABrokenPoll() throws Exception {
        List<ProfileConfig> profiles = List.of(
                new ProfileConfig("p1", "podA", "http://127.0.0.1/x", sh("exit 1", 0, 0), null, null),
                new ProfileConfig("p2", "podA", "http://127.0.0.1/x", sh("exit 0", 0, 20), null, null),
                new ProfileConfig("p3", "podA", "http://127.0.0.1/x", sh("sleep 30", 2_000, 600_000), null, null));
        RunnerConfig base = TestConfig.builder().session(sh("true", 0, 0)).maxErrorStreak(100).maxRecoverySteps(1)
                .retryBackoffMs(0).steps("restart").dataDir(dir).build();
        RunnerConfig config = new RunnerConfig(base.source(), base.runner(), base.session(), base.recovery(),
                base.browser(), base.http(), List.of(new PodConfig("podA", 8, profiles)), Set.of());

        ProcessLauncher real = PosixSpawnLauncher.best();
        AtomicLong p3Pid = new AtomicLong();
        AtomicBoolean p3PollThrew = new AtomicBoolean();
        ProcessLauncher launcher = spec -> {
            RunningProcess p = real.launch(spec);
            if (!"p3".equals(spec.env().get("SR_PROFILE_ID")) || !p3Pid.compareAndSet(0, p.pid())) {
                return p;
            }
            return new BrokenPoll(p, p3PollThrew);
        };
        SqliteStateStore store = SqliteStateStore.open(dir.resolve("state.db"), RunnerSettings.SqliteSynchronous.NORMAL);
        JsonlEventSink sink = JsonlEventSink.open(dir.resolve("events.jsonl"), RunnerSettings.FsyncPolicy.NEVER, 1000);
        RecoveryActions realSteps = new ProcessRecoveryActions(real, dir.resolve("logs"), store.runnerId(), 60_000, null);
        RecoveryActions steps = new RecoveryActions() {
            @Override
            public RunningStep step(StepConfig step, StepContext ctx) {
                if (ctx.profile().id().equals("p1")) {
                    throw new IllegalStateException("no step for p1");
                }
                return realSteps.step(step, ctx);
            }

            @Override
            public RunningStep verify(VerifyConfig verify, StepContext ctx) {
                return realSteps.verify(verify, ctx);
            }
        };
        List<EventRecord> events = new CopyOnWriteArrayList<>();
        List<String> diagnostics = new CopyOnWriteArrayList<>();
        ExecutorService spawner = Executors.newFixedThreadPool(2);
        Supervisor supervisor = new Supervisor(config, new SupervisorDeps(store, sink, launcher,
                new ProcFsProcessTable(), TimeSource.system(), new Random(), dir.resolve("logs"), events::addAll,
                diagnostics::add, spawner, steps, null));
        AtomicBoolean clean = new AtomicBoolean();
        Thread loop = new Thread(() -> clean.set(supervisor.run()), "supervisor");
        loop.start();
        try {
            await("p1's step and p3's poll have failed", () -> internalError("p1", "recovery", events) >= 0
                    && internalError("p3", "timers", events) >= 0);
            int p1Failed = internalError("p1", "recovery", events);
            await("p1 started again after its internal error, and p2 ran 3 more sessions", () ->
                    indexOf(events, p1Failed, "p1", "start") >= 0
                            && count(since(events, p1Failed), "p2", "finish") >= 3);
            await("p3's session ended", () -> terminal(events, "p3") != null);
            assertEquals("shutdown", terminal(events, "p3").params().get("reason"));
            assertFalse(Files.exists(Path.of("/proc/" + p3Pid.get())), "p3's real process is gone");
        } finally {
            supervisor.requestStop();
            loop.join(30_000);
            spawner.shutdownNow();
        }
        assertFalse(loop.isAlive());
        assertTrue(clean.get(), "the loop ended normally, everything written");
        sink.close();
        Map<String, ProfileState> states = store.loadProfiles();
        store.close();
        states.values().forEach(s -> assertFalse(s.running(), s.profileId() + " left running"));
        List<EventRecord> logged = EventLogReader.readAll(dir.resolve("events.jsonl"));
        // p1 fails, its step throws, it runs again and fails...: its lastError is whichever came last
        // (a session the runner's own stop ended, reason shutdown, leaves lastError as it was)
        EventRecord lastP1Failure = logged.stream().filter(e -> "p1".equals(e.profileId())
                && (e.event().equals("internal-error")
                || e.event().equals("error") && !"shutdown".equals(e.params().get("reason"))))
                .reduce((a, b) -> b).orElseThrow();
        String expected = lastP1Failure.event().equals("internal-error") ? "internal error: IllegalStateException"
                : "exit (exit 1)";
        assertTrue(states.get("p1").lastError().startsWith(expected), states.get("p1").lastError() + " after "
                + lastP1Failure);
        assertTrue(logged.stream().anyMatch(e -> "p1".equals(e.profileId()) && e.event().equals("internal-error")));
        EventRecord line = logged.stream().filter(e -> e.event().equals("internal-error")
                && "p1".equals(e.profileId())).findFirst().orElseThrow();
        assertEquals("runner", line.type());
        assertEquals("java.lang.IllegalStateException", line.params().get("exception"));
        assertTrue(diagnostics.stream().anyMatch(l -> l.startsWith("internal error while handling timers of p3")),
                diagnostics.toString());
    }

    private static int internalError(String profileId, String work, List<EventRecord> events) {
        List<EventRecord> copy = List.copyOf(events);
        for (int i = 0; i < copy.size(); i++) {
            EventRecord e = copy.get(i);
            if (e.event().equals("internal-error") && profileId.equals(e.profileId())
                    && work.equals(e.params().get("while"))) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOf(List<EventRecord> events, int after, String profileId, String event) {
        List<EventRecord> copy = List.copyOf(events);
        for (int i = after + 1; i < copy.size(); i++) {
            if (profileId.equals(copy.get(i).profileId()) && copy.get(i).event().equals(event)) {
                return i;
            }
        }
        return -1;
    }

    /** A snapshot from index {@code from} on: a subList view of a list the loop appends to fails when it grows. */
    private static List<EventRecord> since(List<EventRecord> events, int from) {
        List<EventRecord> copy = List.copyOf(events);
        return copy.subList(from, copy.size());
    }

    private static long count(List<EventRecord> events, String profileId, String event) {
        return new ArrayList<>(events).stream()
                .filter(e -> profileId.equals(e.profileId()) && e.event().equals(event)).count();
    }

    private static EventRecord terminal(List<EventRecord> events, String profileId) {
        return List.copyOf(events).stream().filter(e -> profileId.equals(e.profileId())
                && (e.event().equals("finish") || e.event().equals("error"))).findFirst().orElse(null);
    }

    /** A real process whose first output poll throws. */
    private record BrokenPoll(RunningProcess p, AtomicBoolean threw) implements RunningProcess {
        @Override
        public long pid() {
            return p.pid();
        }

        @Override
        public long startTicks() {
            return p.startTicks();
        }

        @Override
        public long pgid() {
            return p.pgid();
        }

        @Override
        public CompletableFuture<ExitStatus> onExit() {
            return p.onExit();
        }

        @Override
        public long pollOutput() {
            if (threw.compareAndSet(false, true)) {
                throw new IllegalStateException("poll broke");
            }
            return p.pollOutput();
        }

        @Override
        public String stderrTail(int maxBytes) {
            return p.stderrTail(maxBytes);
        }

        @Override
        public CompletableFuture<Void> stop(Duration grace) {
            return p.stop(grace);
        }
    }
}
