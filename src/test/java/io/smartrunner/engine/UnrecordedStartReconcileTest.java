package io.smartrunner.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.RunnerConfig;
import io.smartrunner.config.RunnerSettings.FsyncPolicy;
import io.smartrunner.event.EventJson;
import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.Events;
import io.smartrunner.event.JsonlEventSink;
import io.smartrunner.profile.PausePolicy;
import io.smartrunner.profile.ProfileRules;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.profile.Transition;
import io.smartrunner.store.SessionRecord;
import io.smartrunner.testkit.TestConfig;
import io.smartrunner.time.ManualTimeSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event log is writable but the state store is not (issue #9, point 3): a staged session's
 * {@code start} reaches the log, its row never reaches the store, and the runner is killed before
 * the launch (which waits for the store). The next start closes such a session with exactly one
 * {@code lost} error, and never a second one, however often it crashes again.
 */
class UnrecordedStartReconcileTest {
    private static final Instant T0 = Instant.parse("2025-01-08T10:30:00Z");
    private static final long COOLDOWN_MS = 60_000;
    private final ManualTimeSource time = new ManualTimeSource(T0);
    private final InMemoryStateStore store = new InMemoryStateStore();

    @TempDir
    Path dir;

    private Path log() {
        return dir.resolve("events.jsonl");
    }

    /** A runner on the log file and the shared store; "kill -9" is simply dropping it unflushed. */
    private Supervisor runner(FakeLauncher launcher, String... ids) {
        RunnerConfig config = TestConfig.builder().cooldownMs(COOLDOWN_MS).maxErrorStreak(9).pod("podA", ids).build();
        JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0);
        Supervisor s = new Supervisor(config, new SupervisorDeps(store, sink, launcher, new FakeProcessTable(), time,
                new Random(7), Path.of("target/test-logs"), events -> { }, m -> { }, Runnable::run,
                new FakeRecoveryActions(), null, EndedInLog.readingBackwards(log())));
        s.start();
        return s;
    }

    /** Terminal events per session id, over the whole log. */
    private Map<String, List<String>> terminalsBySession() {
        Map<String, List<String>> out = new TreeMap<>();
        for (EventRecord e : EventLogReader.readAll(log())) {
            if ("session".equals(e.type()) && e.sessionId() != null) {
                out.computeIfAbsent(e.sessionId(), k -> new ArrayList<>());
                if (!"start".equals(e.event())) {
                    out.get(e.sessionId()).add(e.event() + ":" + e.params().getOrDefault("reason", ""));
                }
            }
        }
        return out;
    }

    private List<EventRecord> starts(String profileId) {
        return EventLogReader.readAll(log()).stream()
                .filter(e -> "start".equals(e.event()) && profileId.equals(e.profileId())).toList();
    }

    /**
     * p1 runs a session to its end, then (store broken) its next start reaches only the log;
     * p2's session is running and known to the store. Then the runner dies.
     */
    private String crashWithAStartTheStoreNeverGot() {
        FakeLauncher launcher = new FakeLauncher();
        Supervisor a = runner(launcher, "p1", "p2");
        a.step();
        assertEquals(2, launcher.launched.size());
        launcher.forProfile("p1").get(0).exit(0);
        a.step(); // finish of p1's first session: logged and stored; p1 cools down
        store.failWrites = true;
        time.advance(Duration.ofMillis(COOLDOWN_MS + 1));
        a.step(); // p1 is staged: its start is appended, its rows are not stored, the launch waits
        assertEquals(2, launcher.launched.size(), "the launch waits for the store");
        List<EventRecord> p1Starts = starts("p1");
        assertEquals(2, p1Starts.size(), "the second start is in the log");
        String unrecorded = p1Starts.get(1).sessionId();
        assertFalse(store.sessions.containsKey(unrecorded), "and not in the store");
        return unrecorded; // kill -9: `a` is dropped, nothing more is written
    }

    @Test
    void aStartTheStoreNeverGotIsClosedAsLostOnceAndNeverAgain() throws Exception {
        String unrecorded = crashWithAStartTheStoreNeverGot();
        String p2Session = starts("p2").get(0).sessionId();
        store.failWrites = false;
        time.advance(Duration.ofSeconds(30));

        runner(new FakeLauncher(), "p1", "p2");
        Map<String, List<String>> ends = terminalsBySession();
        assertEquals(List.of("error:lost"), ends.get(unrecorded), "closed once, as lost: " + ends);
        assertEquals(List.of("error:lost"), ends.get(p2Session), "the store's open session, as before: " + ends);
        assertEquals(List.of("finish:"), ends.get(starts("p1").get(0).sessionId()), "no second end: " + ends);
        SessionRecord row = store.sessions.get(unrecorded);
        assertEquals(SessionRecord.Status.FAILED, row.status(), "the store now knows it, ended");
        assertEquals("lost", row.reason());
        ProfileState p1 = store.profiles.get("p1");
        assertFalse(p1.running());
        assertEquals(0, p1.errorStreak(), "one lost, closed once; lost is infrastructure (DESIGN §2b): no streak");

        EventRecord lost = EventLogReader.readAll(log()).stream()
                .filter(e -> unrecorded.equals(e.sessionId()) && "error".equals(e.event())).findFirst().orElseThrow();
        EventRecord knownLost = EventLogReader.readAll(log()).stream()
                .filter(e -> p2Session.equals(e.sessionId()) && "error".equals(e.event())).findFirst().orElseThrow();
        assertEquals(knownLost.params().keySet(), lost.params().keySet(), "the same params as any lost session");
        assertEquals("podA", lost.pod());
        assertEquals("p1", lost.profileId());

        long lines = Files.readAllLines(log()).size();
        time.advance(Duration.ofSeconds(30));
        runner(new FakeLauncher(), "p1", "p2"); // a second restart (no step: nothing new is started)
        assertEquals(lines, Files.readAllLines(log()).size(), "the second restart writes nothing");
        assertEquals(ends, terminalsBySession());
    }

    @Test
    void repeatedCrashesWhileTheStoreIsStillBrokenCloseItOnlyOnce() {
        String unrecorded = crashWithAStartTheStoreNeverGot();
        for (int crash = 0; crash < 3; crash++) {
            time.advance(Duration.ofSeconds(10));
            runner(new FakeLauncher(), "p1", "p2"); // the store still fails: the lost event reaches only the log
        }
        assertFalse(store.sessions.containsKey(unrecorded));
        store.failWrites = false;
        time.advance(Duration.ofSeconds(10));
        runner(new FakeLauncher(), "p1", "p2");
        runner(new FakeLauncher(), "p1", "p2");

        Map<String, List<String>> ends = terminalsBySession();
        ends.forEach((id, terminal) -> assertEquals(1, terminal.size(), id + ": " + ends));
        assertEquals(List.of("error:lost"), ends.get(unrecorded));
        assertEquals(List.of("start", "finish", "start", "error"),
                EventLogReader.readAll(log()).stream().filter(e -> "p1".equals(e.profileId()))
                        .map(EventRecord::event).toList());
    }

    @Test
    void aPauseByHandWithNoRunnerRunningDoesNotHideIt() {
        String unrecorded = crashWithAStartTheStoreNeverGot();
        store.failWrites = false;
        time.advance(Duration.ofMinutes(5));
        // `smart-runner pause p2` while no runner runs: its event, then its row, written directly
        ProfileRules rules = new ProfileRules(PausePolicy.from(TestConfig.builder().maxErrorStreak(9)
                .recoverySettings()));
        Transition paused = rules.pause(store.profiles.get("p2"), null, time.now(), Duration.ofHours(2), "m", "cli");
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0)) {
            sink.append(paused.events());
        }
        store.profiles.put("p2", paused.state());
        time.advance(Duration.ofSeconds(10));

        runner(new FakeLauncher(), "p1", "p2");
        assertEquals(List.of("error:lost"), terminalsBySession().get(unrecorded));
    }

    @Test
    void theScanStopsAtTheNewestInstantTheStoreRecorded() throws Exception {
        // s-old has no end, but is older than what the store recorded: the store had it (here it
        // does not, on purpose), so the scan must not reach it; s-new is after: it is closed
        List<EventRecord> lines = List.of(
                Events.sessionStarted(T0, "podA", "p1", "s-old", "w"),
                Events.sessionStarted(T0.plusSeconds(5), "podA", "p2", "s-done", "w"),
                Events.sessionFinished(T0.plusSeconds(10), "podA", "p2", "s-done", 5000L),
                Events.sessionStarted(T0.plusSeconds(10), "podA", "p1", "s-new", "w"));
        Files.writeString(log(), lines.stream().map(e -> EventJson.toLine(e) + "\n").collect(Collectors.joining()));
        store.profiles.put("p2", new ProfileState("p2", "podA", 0, false, false, false, null, "s-done", null,
                T0.plusSeconds(5), T0.plusSeconds(10), 0, null));
        time.advance(Duration.ofSeconds(60));

        runner(new FakeLauncher(), "p1", "p2");
        Map<String, List<String>> ends = terminalsBySession();
        assertEquals(List.of(), ends.get("s-old"), "before the store's horizon: not looked at");
        assertEquals(List.of("finish:"), ends.get("s-done"));
        assertEquals(List.of("error:lost"), ends.get("s-new"));
    }

    @Test
    void theBackwardScanFindsUnendedStartsSinceAnInstantExceptKnownOnes() throws Exception {
        List<EventRecord> lines = List.of(
                Events.sessionStarted(T0, "podA", "p1", "s0", "w"),
                Events.sessionStarted(T0.plusSeconds(1), "podA", "p1", "s1", "w"),
                Events.sessionStarted(T0.plusSeconds(2), "podA", "p2", "s2", "w"),
                Events.sessionFinished(T0.plusSeconds(3), "podA", "p2", "s2", 1000L),
                Events.sessionStarted(T0.plusSeconds(4), "podA", "p3", "s3", "w"),
                Events.sessionStarted(T0.plusSeconds(5), "podA", "p4", "s4", "w"));
        Files.writeString(log(), lines.stream().map(e -> EventJson.toLine(e) + "\n").collect(Collectors.joining())
                + "{\"torn");
        EndedInLog scan = EndedInLog.readingBackwards(log());

        assertEquals(List.of("s1", "s4"), ids(scan.unendedStarts(T0.plusSeconds(1), Set.of("s3"))),
                "oldest first; s2 ended, s3 known to the store, s0 before the horizon");
        assertEquals(List.of("s0", "s1", "s3", "s4"), ids(scan.unendedStarts(null, Set.of())),
                "no horizon (an empty store): the whole file");
        assertEquals(List.of(), scan.unendedStarts(T0.plusSeconds(6), Set.of()));
        assertEquals(List.of(), EndedInLog.readingBackwards(dir.resolve("missing.jsonl"))
                .unendedStarts(null, Set.of()));
        assertTrue(EndedInLog.none().unendedStarts(null, Set.of()).isEmpty());
    }

    private static List<String> ids(List<EventRecord> events) {
        return events.stream().map(EventRecord::sessionId).collect(Collectors.toCollection(ArrayList::new));
    }
}
