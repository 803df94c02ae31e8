package io.smartrunner.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.RunnerConfig;
import io.smartrunner.event.EventJson;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.Events;
import io.smartrunner.event.Params;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.store.SessionRecord;
import io.smartrunner.testkit.TestConfig;
import io.smartrunner.time.ManualTimeSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up after a full disk (issue #9, point 3): sessions the store still shows running but that
 * ended in the event log get no second terminal event; their rows and profiles follow the log.
 */
class EndedInLogReconcileTest {
    private static final Instant T0 = Instant.parse("2025-01-08T10:30:00Z");
    private final ManualTimeSource time = new ManualTimeSource(T0.plusSeconds(600));
    private final InMemoryStateStore store = new InMemoryStateStore();
    private final RecordingEventSink sink = new RecordingEventSink();
    private final FakeProcessTable table = new FakeProcessTable();

    @TempDir
    Path dir;

    private Supervisor supervisor(EndedInLog endedInLog, int maxStreak, String... ids) {
        RunnerConfig config = TestConfig.builder().cooldownMs(600_000).maxErrorStreak(maxStreak).pod("podA", ids)
                .build();
        Supervisor s = new Supervisor(config, new SupervisorDeps(store, sink, new FakeLauncher(), table, time,
                new Random(7), Path.of("target/test-logs"), events -> { }, m -> { }, Runnable::run,
                new FakeRecoveryActions(), null, endedInLog));
        s.start();
        return s;
    }

    private void openInStore(String profileId, String sessionId, int streak, Instant started) {
        store.profiles.put(profileId, new ProfileState(profileId, "podA", streak, true, streak > 0, false, null,
                sessionId, null, started, null, 0, null));
        store.sessions.put(sessionId, new SessionRecord(sessionId, profileId, "podA", 4242, 99, 4242, started,
                SessionRecord.Status.RUNNING, null, null, null));
    }

    private static EventRecord exitError(String profileId, String sessionId, Instant ts, int code, int streak) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("reason", "exit");
        p.put("exitCode", code);
        p.put("message", "exited with code " + code);
        p.put("stderrTail", "");
        p.put("errorStreak", streak);
        return Events.sessionFailed(ts, "podA", profileId, sessionId, Params.of(p), 1500L);
    }

    @Test
    void sessionsEndedInTheLogGetNoSecondTerminalEventAndTheStoreFollowsTheLog() {
        openInStore("p1", "s1", 0, T0);
        openInStore("p2", "s2", 1, T0);
        openInStore("p3", "s3", 0, T0);
        Map<String, EventRecord> inLog = Map.of(
                "s1", Events.sessionFinished(T0.plusSeconds(2), "podA", "p1", "s1", 2000L),
                "s2", exitError("p2", "s2", T0.plusSeconds(3), 3, 2));
        List<Set<String>> asked = new ArrayList<>();
        supervisor(ids -> {
            asked.add(Set.copyOf(ids));
            return inLog;
        }, 1, "p1", "p2", "p3");

        assertEquals(List.of(Set.of("s1", "s2", "s3")), asked, "asked once, about every open session");
        assertEquals(List.of(), sink.names("p1"), "no new event for a session that finished in the log");
        assertEquals(List.of(), sink.names("p2"), "nor for one that failed in the log");
        assertEquals(List.of("error"), sink.names("p3"), "a session with no end in the log is lost, as before");
        assertEquals("lost", sink.events.get(0).params().get("reason"));

        SessionRecord s1 = store.sessions.get("s1");
        assertEquals(SessionRecord.Status.FINISHED, s1.status());
        assertEquals(T0.plusSeconds(2), s1.endedAt());
        SessionRecord s2 = store.sessions.get("s2");
        assertEquals(SessionRecord.Status.FAILED, s2.status());
        assertEquals("exit", s2.reason());
        assertEquals(3, s2.exitCode());
        assertTrue(store.openSessions().isEmpty());

        ProfileState p1 = store.profiles.get("p1");
        assertFalse(p1.running());
        assertEquals(0, p1.errorStreak());
        assertEquals(T0.plusSeconds(2), p1.lastFinishedAt());
        ProfileState p2 = store.profiles.get("p2");
        assertEquals(2, p2.errorStreak(), "the streak counts the logged error once");
        assertTrue(p2.paused(), "2 > maxErrorStreak 1: paused, as the runner that wrote the error decided");
        assertEquals(T0.plusSeconds(3).plus(Duration.ofDays(1)), p2.pausedUntil());
        assertEquals(0, store.profiles.get("p3").errorStreak(), "lost is infrastructure (DESIGN §2b): no streak");
    }

    @Test
    void theLogIsReadBackwardsAndOnlyBackToTheOldestOpenSessionsStart() throws Exception {
        Path log = dir.resolve("events.jsonl");
        List<EventRecord> lines = new ArrayList<>();
        // an impossible error of s1 before its start: seen only if the scan went past s1's start
        lines.add(exitError("p1", "s1", T0, 9, 1));
        lines.add(Events.sessionStarted(T0.plusSeconds(1), "podA", "p1", "s1", "w"));
        lines.add(Events.sessionStarted(T0.plusSeconds(2), "podA", "p2", "s2", "w"));
        lines.add(Events.sessionFinished(T0.plusSeconds(3), "podA", "p1", "s1", 2000L));
        lines.add(Events.sessionStarted(T0.plusSeconds(4), "podA", "p3", "s3", "w"));
        StringBuilder text = new StringBuilder();
        lines.forEach(e -> text.append(EventJson.toLine(e)).append('\n'));
        Files.writeString(log, text + "{\"torn");

        Map<String, EventRecord> ends = EndedInLog.readingBackwards(log).terminalEvents(Set.of("s1", "s2", "s3"));
        assertEquals(Set.of("s1"), ends.keySet());
        assertEquals("finish", ends.get("s1").event(), "the scan stopped at s1's start");
        assertEquals(Map.of(), EndedInLog.readingBackwards(dir.resolve("missing.jsonl")).terminalEvents(Set.of("s1")));
    }

    /** A rotation between a session's end and a kill -9 hid the end: the session got a second one, lost. */
    @Test
    void anEndInARotatedFileIsSeenAndTheRestartWritesNoLostError() throws Exception {
        Path log = dir.resolve("events.jsonl");
        Files.writeString(dir.resolve("events.jsonl.2"), EventJson.toLine(Events.sessionStarted(T0, "podA", "p1", "s1", "w"))
                + "\n");
        Files.writeString(dir.resolve("events.jsonl.1"),
                EventJson.toLine(Events.sessionFinished(T0.plusSeconds(1), "podA", "p1", "s1", 1000L)) + "\n");
        Files.writeString(log, EventJson.toLine(Events.sessionStarted(T0.plusSeconds(2), "podA", "p2", "s2", "w")) + "\n");

        Map<String, EventRecord> ends = EndedInLog.readingBackwards(log).terminalEvents(Set.of("s1"));
        assertEquals(Set.of("s1"), ends.keySet(), "read back across the rotated files to s1's start");

        openInStore("p1", "s1", 0, T0);
        supervisor(EndedInLog.readingBackwards(log), 3, "p1");
        assertEquals(List.of(), sink.names("p1"), "no second end");
        assertEquals(SessionRecord.Status.FINISHED, store.sessions.get("s1").status());
    }

    @Test
    void endToEndWithTheFileReaderTheRestartWritesNoLostError() throws Exception {
        Path log = dir.resolve("events.jsonl");
        Files.writeString(log, EventJson.toLine(Events.sessionStarted(T0, "podA", "p1", "s1", "w")) + "\n"
                + EventJson.toLine(Events.sessionFinished(T0.plusSeconds(1), "podA", "p1", "s1", 1000L)) + "\n");
        openInStore("p1", "s1", 0, T0);
        supervisor(EndedInLog.readingBackwards(log), 3, "p1");
        assertEquals(List.of(), sink.names("p1"));
        assertEquals(SessionRecord.Status.FINISHED, store.sessions.get("s1").status());
        assertEquals(List.of("s1"), table.stoppedSessions, "its processes are still made sure of");
    }

    @Test
    void theRecentEventsAreReadBackwardsAcrossRotatedFilesUpToTheirAgeOrCount() throws Exception {
        Path log = dir.resolve("events.jsonl");
        Files.writeString(dir.resolve("events.jsonl.1"),
                EventJson.toLine(Events.sessionFinished(T0, "podA", "p1", "s1", 1000L)) + "\n"
                + EventJson.toLine(Events.sessionFinished(T0.plusSeconds(10), "podA", "p1", "s2", 1000L)) + "\n");
        Files.writeString(log, EventJson.toLine(exitError("p2", "s3", T0.plusSeconds(20), 1, 1)) + "\n"
                + EventJson.toLine(Events.sessionFinished(T0.plusSeconds(30), "podA", "p1", "s4", 1000L)) + "\n");
        EndedInLog read = EndedInLog.readingBackwards(log);
        assertEquals(List.of("s2", "s3", "s4"), read.recent(T0.plusSeconds(5), 100).stream()
                .map(EventRecord::sessionId).toList(), "oldest first, from the rotated file on");
        assertEquals(List.of("s3", "s4"), read.recent(T0, 2).stream().map(EventRecord::sessionId).toList(),
                "the newest 2");
    }
}
