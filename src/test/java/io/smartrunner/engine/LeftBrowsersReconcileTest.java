package io.smartrunner.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.smartrunner.browser.BrowserProvider;
import io.smartrunner.browser.cdp.BrowserEndpoint;
import io.smartrunner.config.BrowserSettings;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.event.EventParams;
import io.smartrunner.event.EventRecord;
import io.smartrunner.process.ProcessTable.TaggedProcess;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.testkit.TestConfig;
import io.smartrunner.time.ManualTimeSource;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Crash reconciliation and the browsers a previous runner left: with chromium and closeOnExit
 * false they are left to the provider to adopt (unless nobody will: a removed profile, a paused
 * one whose browser closes on pause); with closeOnExit true they are orphans and stopped.
 */
class LeftBrowsersReconcileTest {
    private static final Instant T0 = Instant.parse("2025-01-08T10:30:00Z");
    private final InMemoryStateStore store = new InMemoryStateStore();
    private final RecordingEventSink sink = new RecordingEventSink();
    private final FakeProcessTable table = new FakeProcessTable();
    private final List<String> stderr = new ArrayList<>();

    /** Never asked: these tests only start the supervisor (reconciliation), no session runs. */
    private static final BrowserProvider UNUSED = new BrowserProvider() {
        @Override
        public BrowserEndpoint open(ProfileConfig profile) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close(ProfileConfig profile) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void forceStop(ProfileConfig profile) {
            throw new UnsupportedOperationException();
        }

        @Override
        public BrowserEndpoint current(String profileId) {
            return null;
        }

        @Override
        public io.smartrunner.browser.BrowserStatus status(String profileId) {
            return io.smartrunner.browser.BrowserStatus.CLOSED;
        }

        @Override
        public void close() {
        }
    };

    private void startWith(BrowserSettings.Provider provider, boolean closeOnExit) {
        RunnerConfig base = TestConfig.builder().timeoutMs(60_000).pod("podA", "p1", "p2").build();
        BrowserSettings d = BrowserSettings.defaults();
        RunnerConfig config = new RunnerConfig(base.source(), base.runner(), base.session(), base.recovery(),
                new BrowserSettings(provider, d.chromium(), d.adspower(), true, closeOnExit, d.startTimeoutMs()),
                base.http(), base.pods(), base.secretValues());
        new Supervisor(config, new SupervisorDeps(store, sink, new FakeLauncher(), table, new ManualTimeSource(T0),
                new Random(7), Path.of("target/test-logs"), events -> { }, stderr::add, Runnable::run,
                new FakeRecoveryActions(), UNUSED)).start();
    }

    private void leftRunning() {
        table.tagged.add(new TaggedProcess(101, 1, "browser-p1-a", "p1", "podA"));
        table.tagged.add(new TaggedProcess(102, 2, "browser-p2-b", "p2", "podA"));
        table.tagged.add(new TaggedProcess(103, 3, "browser-removed-c", "removed", "podA"));
        store.profiles.put("p2", new ProfileState("p2", "podA", 4, false, false, true, T0.plusSeconds(3600), null,
                null, null, null, 1, T0));
    }

    @Test
    void closeOnExitFalseLeavesAConfiguredProfilesBrowserToTheProviderToAdopt() {
        leftRunning();
        startWith(BrowserSettings.Provider.CHROMIUM, false);

        // p1 is adopted by the provider; p2 is paused and closes its browser on pause; "removed" is gone
        assertEquals(List.of("browser-p2-b", "browser-removed-c"), table.stoppedSessions);
        assertEquals(List.of("browser-close", "browser-close"), sink.events.stream().map(EventRecord::event).toList(),
                "a browser is not a session: no lost event, but its close");
    }

    @Test
    void everyBrowserAPreviousRunnerLeftThatThisStartStopsGetsItsBrowserClose() {
        leftRunning();
        // a helper of p1's browser with a lower pid (pids wrap) but started after its main process, 101
        table.tagged.add(0, new TaggedProcess(99, 5, "browser-p1-a", "p1", "podA"));
        startWith(BrowserSettings.Provider.CHROMIUM, true);

        List<EventRecord> closes = sink.events.stream().filter(e -> e instanceof EventRecord.BrowserClosed).toList();
        assertEquals(List.of("p1", "p2", "removed"), closes.stream().map(EventRecord::profileId).toList());
        assertEquals(List.of(101L, 102L, 103L), closes.stream().map(e -> e.params().value(EventParams.PID)).toList(),
                "the pid its browser-start named: the run's main process");
        for (EventRecord e : closes) {
            assertEquals("a previous runner's browser, stopped at start", e.params().value(EventParams.REASON));
            assertEquals(true, e.params().value(EventParams.FORCED));
            assertEquals("podA", e.pod());
            assertNull(e.sessionId());
        }
        assertEquals(List.of("stopped 3 browser(s) a previous runner left: p1 (pid 101), p2 (pid 102),"
                + " removed (pid 103)", "stopped what the previous runner left running: 3 process(es) of its sessions,"
                + " browsers and recovery steps (of 3 it had running or left)"), stderr);
    }

    @Test
    void closeOnExitTrueStopsEveryBrowserACrashedRunnerLeft() {
        leftRunning();
        startWith(BrowserSettings.Provider.CHROMIUM, true);

        assertEquals(List.of("browser-p1-a", "browser-p2-b", "browser-removed-c"), table.stoppedSessions);
    }

    @Test
    void anotherProviderNowStopsTheChromiumsLeftByAnEarlierConfig() {
        leftRunning();
        startWith(BrowserSettings.Provider.ADSPOWER, false);

        assertEquals(List.of("browser-p1-a", "browser-p2-b", "browser-removed-c"), table.stoppedSessions);
    }
}
