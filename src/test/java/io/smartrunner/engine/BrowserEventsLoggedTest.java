package io.smartrunner.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.browser.BrowserCause;
import io.smartrunner.browser.BrowserEvent;
import io.smartrunner.browser.BrowserEvents;
import io.smartrunner.browser.BrowserProvider;
import io.smartrunner.browser.BrowserStatus;
import io.smartrunner.browser.BrowserUse;
import io.smartrunner.browser.cdp.BrowserEndpoint;
import io.smartrunner.config.BrowserSettings;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.Events;
import io.smartrunner.testkit.TestConfig;
import io.smartrunner.time.ManualTimeSource;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Issue #12.5: what a provider reports about its browsers reaches the event log through the
 * loop (never written by the provider's thread), and browser.recycle replaces a browser between
 * sessions, never during one, with the reason in its event.
 */
class BrowserEventsLoggedTest {
    private static final Instant T0 = Instant.parse("2026-01-08T10:30:00Z");
    private final ManualTimeSource time = new ManualTimeSource(T0);
    private final FakeLauncher launcher = new FakeLauncher();
    private final InMemoryStateStore store = new InMemoryStateStore();
    private final RecordingEventSink sink = new RecordingEventSink();
    private final ServingBrowsers browsers = new ServingBrowsers();
    private final Queue<Runnable> offLoop = new ArrayDeque<>();

    private Supervisor supervisor(BrowserSettings.Recycle recycle) {
        RunnerConfig base = TestConfig.builder().command("w").cooldownMs(0).pod("podA", "p1").build();
        BrowserSettings d = BrowserSettings.defaults();
        RunnerConfig config = new RunnerConfig(base.source(), base.runner(), base.session(), base.recovery(),
                new BrowserSettings(BrowserSettings.Provider.CHROMIUM, d.chromium(), d.adspower(), true, true,
                        d.startTimeoutMs(), recycle), base.http(), base.pods(), base.secretValues());
        Supervisor s = new Supervisor(config, new SupervisorDeps(store, sink, launcher, new FakeProcessTable(), time,
                new Random(7), Path.of("target/test-logs"), events -> { }, line -> { }, offLoop::add,
                new FakeRecoveryActions(), browsers));
        s.start();
        return s;
    }

    private void runOffLoop() {
        for (Runnable r = offLoop.poll(); r != null; r = offLoop.poll()) {
            r.run();
        }
    }

    /** Runs {@code n} sessions of p1 one after another, each exiting 0. */
    private void sessions(Supervisor s, int n) {
        for (int i = 0; i < n; i++) {
            s.step(); // staged, start written, launch handed over
            runOffLoop(); // the launch (the browser opens here)
            s.step(); // launched
            launcher.last().exit(0);
            s.step(); // finished
        }
    }

    private List<EventRecord> browserEvents() {
        return sink.events.stream().filter(e -> "browser".equals(e.type())).toList();
    }

    @Test
    void aProvidersEventIsWrittenByTheLoopWithItsSessionAndTheLoopsClock() {
        Supervisor s = supervisor(BrowserSettings.Recycle.OFF);
        s.step();
        runOffLoop(); // the browser opened on the launch thread: the event is only posted
        assertEquals(List.of(), browserEvents(), "nothing written off the loop");
        s.step();
        List<EventRecord> logged = browserEvents();
        assertEquals(1, logged.size(), logged.toString());
        EventRecord start = logged.get(0);
        String sessionId = launcher.last().spec.sessionId();
        assertEquals(List.of("browser-start", "browser", "podA", "p1", sessionId, "ok", T0),
                List.of(start.event(), start.type(), start.pod(), start.profileId(), start.sessionId(),
                        start.outcome(), start.ts()));
        assertEquals("session needs it", start.params().get("reason"));
        assertEquals(1L, start.params().get("pid"));
        assertTrue(Events.KINDS.containsAll(List.of("browser-start", "browser-close", "browser-replace",
                "browser-recycle", "browser-crash")));
    }

    @Test
    void aCrashNoticedOnAnotherThreadIsLoggedWithoutASession() throws Exception {
        Supervisor s = supervisor(BrowserSettings.Recycle.OFF);
        sessions(s, 1);
        Thread reaper = new Thread(() -> browsers.crash("exited with signal SIGSEGV"));
        reaper.start();
        reaper.join();
        s.step();
        EventRecord crash = browserEvents().get(browserEvents().size() - 1);
        assertEquals("browser-crash", crash.event());
        assertEquals("error", crash.outcome());
        assertNull(crash.sessionId());
        assertEquals("exited with signal SIGSEGV", crash.params().get("reason"));
        assertEquals(1, crash.params().get("sessions"));
    }

    /** Reviewer R24: a session that failed after its browser crashed said nothing of the crash. */
    @Test
    void aSessionThatFailsAfterItsBrowserCrashedSaysSo() throws Exception {
        Supervisor s = supervisor(BrowserSettings.Recycle.OFF);
        s.step();
        runOffLoop();
        s.step(); // launched, its browser open
        Thread reaper = new Thread(() -> browsers.crash("exited with signal SIGKILL"));
        reaper.start();
        reaper.join();
        s.step(); // the crash, handled
        time.advanceMillis(200);
        launcher.last().exit(3); // the worker lost its browser
        s.step();
        EventRecord error = sink.events.stream().filter(e -> e.event().equals("error")).findFirst().orElseThrow();
        assertEquals("exited with code 3; its browser crashed 200 ms before the session's end was handled (browser-crash)",
                error.params().get("message"));
        assertEquals("profile", error.params().get("class"), "its browser is its own: still its failure");

        s.step();
        runOffLoop();
        s.step(); // the next session, its browser crash-free
        launcher.last().exit(3);
        s.step();
        List<EventRecord> errors = sink.events.stream().filter(e -> e.event().equals("error")).toList();
        assertEquals("exited with code 3", errors.get(errors.size() - 1).params().get("message"));
    }

    @Test
    void afterSessionsRecyclesBeforeTheNextSessionNeverDuringOne() {
        Supervisor s = supervisor(new BrowserSettings.Recycle(2, 0, 0));
        sessions(s, 5);
        // sessions 1-2 on browser 1, recycled before 3; 3-4 on browser 2, recycled before 5
        List<String> sessionIds = launcher.launched.stream().map(p -> p.spec.sessionId()).toList();
        assertEquals(List.of("recycle before " + sessionIds.get(2) + " with 0 running: recycle after 2 sessions",
                "recycle before " + sessionIds.get(4) + " with 0 running: recycle after 2 sessions"), browsers.recycles);
        List<EventRecord> recycled = browserEvents().stream().filter(e -> e.event().equals("browser-recycle")).toList();
        assertEquals(2, recycled.size());
        assertEquals(sessionIds.get(2), recycled.get(0).sessionId());
        assertEquals("recycle after 2 sessions", recycled.get(0).params().get("reason"));
        assertEquals(List.of(2L, 1L, 2), List.of(recycled.get(0).params().get("pid"),
                recycled.get(0).params().get("oldPid"), recycled.get(0).params().get("sessions")));
    }

    @Test
    void maxRssMbRecyclesOnceTheMeasuredMemoryPassesIt() {
        Supervisor s = supervisor(new BrowserSettings.Recycle(0, 0, 800));
        browsers.rssMb = 700;
        sessions(s, 2);
        assertEquals(List.of(), browsers.recycles, "under the limit");
        browsers.rssMb = 812;
        sessions(s, 1);
        String third = launcher.last().spec.sessionId();
        assertEquals(List.of("recycle before " + third + " with 0 running: rss 812 MB > maxRssMb 800"),
                browsers.recycles);
    }

    @Test
    void withRecycleOffTheBrowserServesEverySession() {
        Supervisor s = supervisor(BrowserSettings.Recycle.OFF);
        sessions(s, 5);
        assertEquals(List.of(), browsers.recycles);
        assertEquals(List.of("browser-start"), browserEvents().stream().map(EventRecord::event).toList());
        assertEquals(5, browsers.sessions);
    }

    /**
     * Behaves like a provider towards the engine: one browser at a time, pids 1, 2, ..., counting
     * the sessions it serves and reporting starts, recycles and crashes to its listener.
     */
    private final class ServingBrowsers implements BrowserProvider {
        final List<String> recycles = new ArrayList<>();
        private BrowserEvents listener = BrowserEvents.NONE;
        private long pid;
        private boolean opened;
        int sessions;
        volatile long rssMb = -1;

        @Override
        public void listen(BrowserEvents events) {
            listener = events;
        }

        @Override
        public BrowserEndpoint open(ProfileConfig profile) {
            return open(profile, BrowserCause.of(null, "asked to open"));
        }

        @Override
        public synchronized BrowserEndpoint open(ProfileConfig profile, BrowserCause cause) {
            if (!opened) {
                opened = true;
                pid++;
                sessions = 0;
                emit(BrowserEvent.Kind.START, cause.sessionId(), Events.params("reason", cause.reason(), "pid", pid));
            }
            if (cause.forSession()) {
                sessions++;
            }
            return BrowserEndpoint.NONE;
        }

        @Override
        public synchronized void recycle(ProfileConfig profile, BrowserCause cause) {
            long running = launcher.launched.stream().filter(p -> !p.exit.isDone()).count();
            recycles.add("recycle before " + cause.sessionId() + " with " + running + " running: " + cause.reason());
            long old = pid++;
            emit(BrowserEvent.Kind.RECYCLE, cause.sessionId(), Events.params("reason", cause.reason(), "pid", pid,
                    "oldPid", old, "sessions", sessions));
            sessions = 0;
        }

        @Override
        public synchronized BrowserUse use(String profileId, boolean measureRss) {
            return opened ? new BrowserUse(pid, 0, sessions, measureRss ? rssMb * 1024 * 1024 : -1) : null;
        }

        synchronized void crash(String reason) {
            opened = false;
            emit(BrowserEvent.Kind.CRASH, null, Events.params("reason", reason, "pid", pid, "sessions", sessions));
        }

        private void emit(BrowserEvent.Kind kind, String sessionId, java.util.Map<String, Object> params) {
            listener.accept(new BrowserEvent(kind, "podA", "p1", sessionId, io.smartrunner.event.Params.of(params),
                    null));
        }

        @Override
        public void close(ProfileConfig profile) {
        }

        @Override
        public void forceStop(ProfileConfig profile) {
        }

        @Override
        public BrowserEndpoint current(String profileId) {
            return opened ? BrowserEndpoint.NONE : null;
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
