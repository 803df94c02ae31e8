package io.smartrunner.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.RunnerConfig;
import io.smartrunner.config.StepConfig;
import io.smartrunner.config.VerifyConfig;
import io.smartrunner.event.EventJson;
import io.smartrunner.event.EventRecord;
import io.smartrunner.process.ExitStatus;
import io.smartrunner.process.LaunchSpec;
import io.smartrunner.process.ProcessLauncher;
import io.smartrunner.process.RunningProcess;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.recovery.RecoveryActions;
import io.smartrunner.recovery.RunningStep;
import io.smartrunner.recovery.StepContext;
import io.smartrunner.testkit.TestConfig;
import io.smartrunner.time.ManualTimeSource;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Issue #10 point 5: an unexpected exception while the loop handles one profile's message, timer,
 * recovery step or manual request fails that unit alone; the fleet goes on, the exception is in
 * the log as a runner event, and the profile is left safe and flagged.
 */
class LoopGuardTest {
    private static final Instant T0 = Instant.parse("2025-01-08T10:30:00Z");
    private static final String SECRET = "hunter2-secret-value";
    private final ManualTimeSource time = new ManualTimeSource(T0);
    private final FakeLauncher fakes = new FakeLauncher();
    private final FaultyLauncher launcher = new FaultyLauncher();
    private final InMemoryStateStore store = new InMemoryStateStore();
    private final RecordingEventSink sink = new RecordingEventSink();
    private final FakeRecoveryActions steps = new FakeRecoveryActions();
    private final List<String> diagnostics = new ArrayList<>();

    /** What throws, and for which profile. */
    private String pidThrowsOnceFor;
    private String pollThrowsOnceFor;
    private String stopThrowsFor;
    private String pollAlwaysThrowsFor;
    private String stepThrowsFor;

    private Supervisor supervisor(RunnerConfig config) {
        RecoveryActions actions = new RecoveryActions() {
            @Override
            public RunningStep step(StepConfig step, StepContext ctx) {
                if (ctx.profile().id().equals(stepThrowsFor)) {
                    throw new IllegalStateException("step table corrupt, token " + SECRET);
                }
                return steps.step(step, ctx);
            }

            @Override
            public RunningStep verify(VerifyConfig verify, StepContext ctx) {
                return steps.verify(verify, ctx);
            }
        };
        Supervisor s = new Supervisor(config, new SupervisorDeps(store, sink, launcher, new FakeProcessTable(), time,
                new Random(7), Path.of("target/test-logs"), events -> { }, diagnostics::add, Runnable::run, actions,
                null));
        s.start();
        return s;
    }

    /** Three profiles, no cooldown, a one-step ladder whose step starts at once. */
    private static RunnerConfig fleet(String... ids) {
        RunnerConfig c = TestConfig.builder().maxErrorStreak(10).maxRecoverySteps(1).retryBackoffMs(0)
                .steps("restart").pod("podA", ids).build();
        return new RunnerConfig(c.source(), c.runner(), c.session(), c.recovery(), c.browser(), c.http(), c.pods(),
                Set.of(SECRET));
    }

    private FakeLauncher.FakeProcess current(String profileId) {
        List<FakeLauncher.FakeProcess> of = fakes.forProfile(profileId);
        return of.get(of.size() - 1);
    }

    private List<EventRecord> internalErrors() {
        return sink.events.stream().filter(e -> e.event().equals("internal-error")).toList();
    }

    private EventRecord lastOf(String profileId) {
        List<EventRecord> of = sink.events.stream().filter(e -> profileId.equals(e.profileId())).toList();
        return of.get(of.size() - 1);
    }

    private ProfileState state(String id) {
        return store.profiles.get(id);
    }

    /** Runs p2's session to a successful end and checks that it started again: the rest of the fleet goes on. */
    private void othersKeepGoing(Supervisor s) {
        int before = fakes.forProfile("p2").size();
        current("p2").exit(0);
        s.step();
        s.step();
        assertEquals(before + 1, fakes.forProfile("p2").size(), "p2 started its next session");
        assertTrue(sink.names("p2").contains("finish"));
    }

    private void assertRunnerEvent(EventRecord e, String work, String profileId, String exceptionClass) {
        assertEquals("runner", e.type());
        assertEquals("error", e.outcome());
        assertEquals(profileId, e.profileId());
        assertEquals(exceptionClass, e.params().get("exception"));
        assertEquals(work, e.params().get("while"));
        assertFalse(String.valueOf(e.params().get("message")).contains(SECRET), "redacted: " + e.params());
        assertEquals(List.of("exception", "message", "while"), List.copyOf(e.params().keySet()));
    }

    @Test
    void aRecoveryStepThatThrowsEndsOnlyThatProfilesEpisode() {
        stepThrowsFor = "p1";
        Supervisor s = supervisor(fleet("p1", "p2", "p3"));
        s.step();
        current("p1").exit(1);
        current("p3").exit(1);
        s.step();

        assertEquals(List.of("step:restart"), steps.names(), "p3's step ran although p1's threw before it");
        assertEquals("p3", steps.last().ctx.profile().id());
        EventRecord e = internalErrors().get(0);
        assertRunnerEvent(e, "recovery", "p1", IllegalStateException.class.getName());
        assertEquals("{\"ts\":\"2025-01-08T10:30:00.000Z\",\"pod\":\"podA\",\"profileId\":\"p1\",\"sessionId\":null,"
                + "\"event\":\"internal-error\",\"type\":\"runner\",\"params\":{\"exception\":"
                + "\"java.lang.IllegalStateException\",\"message\":\"step table corrupt, token ***\",\"while\":"
                + "\"recovery\"},\"outcome\":\"error\",\"durMs\":null}", EventJson.toLine(e));
        assertTrue(diagnostics.stream().anyMatch(l -> l.startsWith("internal error while handling recovery of p1: "
                + "java.lang.IllegalStateException: step table corrupt") && !l.contains(SECRET)), diagnostics.toString());

        ProfileState p1 = state("p1");
        assertFalse(p1.running());
        assertTrue(p1.needsRecovery(), "needsRecovery stays as it was");
        assertTrue(p1.lastError().startsWith("internal error: IllegalStateException"), p1.lastError());
        othersKeepGoing(s);

        // p1 is not stuck in an episode: it runs again once its hold-back is over
        int p1Sessions = fakes.forProfile("p1").size();
        time.advanceMillis(1_000);
        s.step();
        assertEquals(p1Sessions + 1, fakes.forProfile("p1").size(), "p1 runs again");
    }

    @Test
    void aSessionWhoseTimersThrowIsStoppedAndEndedWhileTheOthersRun() {
        pollThrowsOnceFor = "p1";
        Supervisor s = supervisor(fleet("p1", "p2"));
        s.step();
        time.advanceMillis(5_000); // the first output poll (log rotation) is due
        s.step();

        assertRunnerEvent(internalErrors().get(0), "timers", "p1", UnsupportedOperationException.class.getName());
        FakeLauncher.FakeProcess first = fakes.forProfile("p1").get(0);
        assertNotNull(first.stop, "p1's tree was stopped");
        s.step();
        assertEquals(List.of("start", "internal-error", "error"), sink.names("p1").subList(0, 3));
        EventRecord end = sink.events.stream().filter(e -> e.event().equals("error")).findFirst().orElseThrow();
        assertEquals("shutdown", end.params().get("reason"), "not the profile's fault: no streak");
        assertTrue(String.valueOf(end.params().get("message")).startsWith("internal error: "), end.params().toString());
        assertEquals(0, state("p1").errorStreak());
        assertEquals(2, fakes.forProfile("p1").size(), "p1 is not stuck: its next session started");
        assertTrue(state("p1").running());
        assertEquals(1, internalErrors().size(), "one internal error, not one per turn");
        othersKeepGoing(s);
    }

    @Test
    void aLaunchThatCannotBeRecordedStopsTheUnwatchedProcessAndClosesTheSession() {
        pidThrowsOnceFor = "p1";
        Supervisor s = supervisor(fleet("p1", "p2"));
        s.step();

        assertRunnerEvent(internalErrors().get(0), "launched", "p1", IllegalArgumentException.class.getName());
        assertNotNull(current("p1").stop, "the process nobody watches was stopped");
        assertEquals(List.of("start", "internal-error", "error"), sink.names("p1"));
        EventRecord end = lastOf("p1");
        assertEquals("lost", end.params().get("reason"));
        assertEquals(current("p1").spec.sessionId(), end.sessionId());
        assertFalse(state("p1").running(), "p1 is not stuck running");
        assertEquals("failed", store.sessions.get(end.sessionId()).status().name().toLowerCase());
        othersKeepGoing(s);
        time.advanceMillis(1_000);
        s.step();
        assertEquals(2, fakes.forProfile("p1").size(), "p1 starts again after its hold-back");
    }

    @Test
    void aManualRequestWhoseHandlerThrowsIsAnsweredAndTheSessionStaysWatched() {
        stopThrowsFor = "p1";
        Supervisor s = supervisor(fleet("p1", "p2"));
        s.step();
        CompletableFuture<ManualReply> reply = s.request(new ManualRequest.Pause("p1", Duration.ofHours(1), "x", "api"));
        s.step();

        assertTrue(reply.isDone(), "answered, not left hanging");
        assertEquals(ManualReply.Outcome.FAILED, reply.join().outcome());
        assertTrue(reply.join().refusal().contains("IllegalStateException"), reply.join().refusal());
        assertRunnerEvent(internalErrors().get(0), "manual", "p1", IllegalStateException.class.getName());

        // its process is alive: still watched, and its exit ends the session as usual
        assertTrue(state("p1").running());
        current("p1").exit(0);
        s.step();
        assertFalse(state("p1").running());
        assertTrue(sink.names("p1").contains("finish"));
        othersKeepGoing(s);
    }

    @Test
    void aSessionThatCanNeitherBePolledNorStoppedStaysWatchedWithoutAnErrorPerTurn() {
        pollAlwaysThrowsFor = "p1";
        stopThrowsFor = "p1";
        Supervisor s = supervisor(fleet("p1", "p2"));
        s.step();
        for (int i = 0; i < 10; i++) {
            time.advanceMillis(5_000);
            s.step();
        }
        assertEquals(1, internalErrors().size(), "one internal error, not one per turn: " + internalErrors());
        assertTrue(state("p1").running(), "its process may still run: it stays watched");
        assertTrue(state("p1").lastError().startsWith("internal error: "), state("p1").lastError());
        othersKeepGoing(s);

        current("p1").exit(1);
        s.step();
        assertFalse(state("p1").running(), "its exit ends it");
        assertEquals("error", sink.names("p1").get(sink.names("p1").size() - 1));
    }

    /** Hands out {@link FakeLauncher}'s processes, some wrapped so that one call throws. */
    private final class FaultyLauncher implements ProcessLauncher {
        @Override
        public RunningProcess launch(LaunchSpec spec) {
            FakeLauncher.FakeProcess p = (FakeLauncher.FakeProcess) fakes.launch(spec);
            String id = spec.env().get("SR_PROFILE_ID");
            boolean pidThrows = id.equals(pidThrowsOnceFor);
            if (pidThrows) {
                pidThrowsOnceFor = null;
            }
            boolean[] pollThrows = {id.equals(pollThrowsOnceFor)};
            if (pollThrows[0]) {
                pollThrowsOnceFor = null;
            }
            boolean stopThrows = id.equals(stopThrowsFor);
            if (id.equals(pollAlwaysThrowsFor)) {
                pollThrows[0] = true;
            }
            boolean pollAlways = id.equals(pollAlwaysThrowsFor);
            return new RunningProcess() {
                @Override
                public long pid() {
                    if (pidThrows) {
                        throw new IllegalArgumentException("no pid");
                    }
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
                    if (pollThrows[0]) {
                        pollThrows[0] = pollAlways;
                        throw new UnsupportedOperationException("poll broke for " + SECRET);
                    }
                    return p.pollOutput();
                }

                @Override
                public String stderrTail(int maxBytes) {
                    return p.stderrTail(maxBytes);
                }

                @Override
                public CompletableFuture<Void> stop(Duration grace) {
                    if (stopThrows) {
                        throw new IllegalStateException("stop broke");
                    }
                    return p.stop(grace);
                }
            };
        }
    }
}
