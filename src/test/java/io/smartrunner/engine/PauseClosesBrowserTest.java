package io.smartrunner.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.browser.BrowserProvider;
import io.smartrunner.browser.BrowserStatus;
import io.smartrunner.browser.cdp.BrowserEndpoint;
import io.smartrunner.config.BrowserSettings;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.store.SessionRecord;
import io.smartrunner.testkit.TestConfig;
import io.smartrunner.time.ManualTimeSource;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Issue #10, point 1: a pause closes the profile's browser (browser.closeOnPause) on every path
 * that can pause or end a session of a paused profile: a session end whose streak goes over
 * maxErrorStreak, a spawn failure of a profile paused meanwhile, a pause by hand, and a crash
 * reconciliation whose lost session pauses it. All of them go through TransitionApplier.
 */
class PauseClosesBrowserTest {
    private static final Instant T0 = Instant.parse("2025-01-08T10:30:00Z");
    private final ManualTimeSource time = new ManualTimeSource(T0);
    private final FakeLauncher launcher = new FakeLauncher();
    private final InMemoryStateStore store = new InMemoryStateStore();
    private final RecordingEventSink sink = new RecordingEventSink();
    private final RecordingBrowsers browsers = new RecordingBrowsers();
    /** Off-loop work (launches, browser closes), run when the test says so. */
    private final Queue<Runnable> offLoop = new ArrayDeque<>();
    private EndedInLog endedInLog = EndedInLog.none();
    /** The runner's stderr lines. */
    private final List<String> said = new ArrayList<>();

    private Supervisor supervisor(boolean closeOnPause, int maxStreak) {
        RunnerConfig base = TestConfig.builder().globalLimit(8).podLimit(8).command("w").timeoutMs(600_000)
                .idleTimeoutMs(0).cooldownMs(0).maxErrorStreak(maxStreak).pauseDurationMs(86_400_000)
                .pod("podA", "p1").dataDir(Path.of("d")).build();
        BrowserSettings d = TestConfig.noBrowser();
        RunnerConfig config = new RunnerConfig(base.source(), base.runner(), base.session(), base.recovery(),
                new BrowserSettings(d.provider(), d.chromium(), d.adspower(), closeOnPause, d.closeOnExit(),
                        d.startTimeoutMs()), base.http(), base.pods(), base.secretValues());
        Supervisor s = new Supervisor(config, new SupervisorDeps(store, sink, launcher, new FakeProcessTable(), time,
                new Random(7), Path.of("target/test-logs"), events -> { }, said::add, offLoop::add,
                new FakeRecoveryActions(), browsers, endedInLog));
        s.start();
        runOffLoop();
        return s;
    }

    private void runOffLoop() {
        for (Runnable r = offLoop.poll(); r != null; r = offLoop.poll()) {
            r.run();
        }
    }

    /** One loop turn with the launches it hands over done and their results handled. */
    private void turn(Supervisor s) {
        s.step();
        runOffLoop();
        s.step();
        runOffLoop();
    }

    @Test
    void aSessionEndThatPausesTheProfileClosesItsBrowser() {
        Supervisor s = supervisor(true, 1);
        turn(s);
        launcher.last().exit(1);
        turn(s);
        assertEquals(List.of(), browsers.closed, "streak 1 of 1: not paused, the browser stays");
        launcher.last().exit(1);
        turn(s);
        assertTrue(store.profiles.get("p1").paused());
        assertEquals(List.of("p1"), browsers.closed);
    }

    @Test
    void withoutCloseOnPauseThePausedProfilesBrowserStays() {
        Supervisor s = supervisor(false, 0);
        turn(s);
        launcher.last().exit(1);
        turn(s);
        assertTrue(store.profiles.get("p1").paused());
        assertEquals(List.of(), browsers.closed);
    }

    @Test
    void aPauseByHandClosesTheBrowserAndTheEndOfTheSessionItStoppedClosesItAgain() {
        Supervisor s = supervisor(true, 3);
        turn(s);
        CompletableFuture<ManualReply> reply = s.request(new ManualRequest.Pause("p1", Duration.ofHours(1), "x", "api"));
        s.step();
        assertEquals(ManualReply.Outcome.DONE, reply.join().outcome());
        s.step(); // the stopped session's end (the fake's stop completes at once)
        runOffLoop();
        assertEquals(List.of("start", "pause", "error"), sink.names("p1"));
        assertEquals(List.of("p1", "p1"), browsers.closed, "closed by the pause, then by the end of its session");
    }

    @Test
    void aPauseByHandWithoutARunningSessionClosesTheBrowser() {
        Supervisor s = supervisor(true, 3);
        launcher.spawnError = "no such file"; // nothing runs: the first end is a spawn failure, not paused
        turn(s);
        assertEquals(List.of(), browsers.closed);
        CompletableFuture<ManualReply> reply = s.request(new ManualRequest.Pause("p1", Duration.ofHours(1), "x", "api"));
        s.step();
        assertEquals(ManualReply.Outcome.DONE, reply.join().outcome());
        runOffLoop();
        assertEquals(List.of("p1"), browsers.closed);
    }

    /**
     * A close on pause that fails, and whose forced stop fails too (AdsPower unreachable), is one
     * stderr line: before, the forced stop's exception escaped the browser thread with its stack trace.
     */
    @Test
    void aCloseOnPauseThatCannotCloseTheBrowserSaysSoInOneLine() {
        Supervisor s = supervisor(true, 3);
        launcher.spawnError = "no such file";
        turn(s);
        browsers.failing = "AdsPower /api/v1/browser/stop user_id=u1: connection refused (after 3 retries)";
        CompletableFuture<ManualReply> reply = s.request(new ManualRequest.Pause("p1", Duration.ofHours(1), "x", "api"));
        s.step();
        assertEquals(ManualReply.Outcome.DONE, reply.join().outcome());
        runOffLoop();
        assertEquals(List.of("cannot close the browser of paused profile p1: AdsPower /api/v1/browser/stop user_id=u1: "
                + "connection refused (after 3 retries) (the browser may still be running)"),
                said.stream().filter(l -> l.contains("browser")).toList());
    }

    @Test
    void aCloseOnPauseThatGetsItsTurnAfterTheUnpauseClosesNothing() {
        Supervisor s = supervisor(true, 3);
        launcher.spawnError = "no such file";
        turn(s);
        CompletableFuture<ManualReply> paused = s.request(new ManualRequest.Pause("p1", Duration.ofHours(1), "x", "api"));
        s.step();
        assertEquals(ManualReply.Outcome.DONE, paused.join().outcome());
        // the close is queued off the loop (the browser threads are busy) when the unpause comes
        CompletableFuture<ManualReply> unpaused = s.request(new ManualRequest.Unpause("p1", "api"));
        s.step();
        assertEquals(ManualReply.Outcome.DONE, unpaused.join().outcome());

        runOffLoop();

        assertEquals(List.of(), browsers.closed, "the pause it was for had ended before it ran");
    }

    /** The drift issue #10 found: the spawn-failure end repeated the session end but closed no browser. */
    @Test
    void aSpawnFailureOfAProfilePausedMeanwhileClosesItsBrowserLikeAnyOtherEnd() {
        Supervisor s = supervisor(true, 3);
        launcher.spawnError = "no such file";
        s.step(); // staged, its start event written, the launch handed over (not run yet)
        CompletableFuture<ManualReply> reply = s.request(new ManualRequest.Pause("p1", Duration.ofHours(1), "x", "api"));
        s.step();
        assertEquals(ManualReply.Outcome.DONE, reply.join().outcome());
        runOffLoop(); // the pause's close, then the launch, which fails
        assertEquals(List.of("p1"), browsers.closed);
        s.step();
        runOffLoop();
        assertEquals(List.of("start", "pause", "error"), sink.names("p1"));
        assertEquals(List.of("p1", "p1"), browsers.closed, "the failed launch's end closes it again, as a session end does");
    }

    /**
     * Was "a crash reconciliation whose lost session pauses the profile": a lost session is
     * infrastructure now (DESIGN §2b) and pauses nobody, so the pausing end comes from the log: the
     * dead runner wrote the error that paused p1 but not the store. Its browser is closed all the same.
     */
    @Test
    void aCrashReconciliationThatPausesTheProfileClosesItsBrowser() {
        store.profiles.put("p1", new ProfileState("p1", "podA", 1, true, true, false, null, "s1", null, T0, null, 0,
                null));
        store.sessions.put("s1", new SessionRecord("s1", "p1", "podA", 4242, 99, 4242, T0,
                SessionRecord.Status.RUNNING, null, null, null));
        endedInLog = new EndedInLog() {
            @Override
            public java.util.Map<String, io.smartrunner.event.EventRecord> terminalEvents(java.util.Set<String> ids) {
                return java.util.Map.of("s1", io.smartrunner.event.Events.sessionFailed(T0.plusSeconds(1), "podA",
                        "p1", "s1", io.smartrunner.event.Params.of(io.smartrunner.event.Events.params("reason", "exit",
                                "class", "profile", "exitCode", 1, "errorStreak", 2)), 1000L));
            }

            @Override
            public List<io.smartrunner.event.EventRecord> unendedStarts(Instant since, java.util.Set<String> known) {
                return List.of();
            }
        };
        supervisor(true, 1);
        assertTrue(store.profiles.get("p1").paused());
        assertEquals(List.of(), sink.names("p1"), "the log already says so");
        assertEquals(List.of("p1"), browsers.closed);
    }

    @Test
    void aLostSessionPausesNobodyAndClosesNoBrowser() {
        store.profiles.put("p1", new ProfileState("p1", "podA", 1, true, true, false, null, "s1", null, T0, null, 0,
                null));
        store.sessions.put("s1", new SessionRecord("s1", "p1", "podA", 4242, 99, 4242, T0,
                SessionRecord.Status.RUNNING, null, null, null));
        supervisor(true, 1);
        assertFalse(store.profiles.get("p1").paused(), "lost is infrastructure: no streak, no pause");
        assertEquals(List.of("error"), sink.names("p1"));
        assertEquals(List.of(), browsers.closed);
    }

    /** No browser; records which profiles' browsers were asked to close. */
    private static final class RecordingBrowsers implements BrowserProvider {
        final List<String> closed = new ArrayList<>();
        /** Every close and stop fails, as with AdsPower unreachable. */
        String failing;

        @Override
        public BrowserEndpoint open(ProfileConfig profile) {
            return BrowserEndpoint.NONE;
        }

        @Override
        public void close(ProfileConfig profile) {
            if (failing != null) {
                throw new io.smartrunner.SmartRunnerException(failing);
            }
            closed.add(profile.id());
        }

        @Override
        public void forceStop(ProfileConfig profile) {
            if (failing != null) {
                throw new io.smartrunner.SmartRunnerException(failing);
            }
            closed.add("forced:" + profile.id());
        }

        @Override
        public BrowserEndpoint current(String profileId) {
            return null;
        }

        @Override
        public BrowserStatus status(String profileId) {
            return BrowserStatus.CLOSED;
        }

        @Override
        public void close() {
        }
    }
}
