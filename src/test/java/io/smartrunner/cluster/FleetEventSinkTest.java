package io.smartrunner.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.RunnerSettings;
import io.smartrunner.config.StoreSettings;
import io.smartrunner.event.EventFilter;
import io.smartrunner.event.EventLogException;
import io.smartrunner.event.EventLogFiles;
import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.EventSink;
import io.smartrunner.event.Events;
import io.smartrunner.event.JsonlEventSink;
import io.smartrunner.store.PostgresEvents;
import io.smartrunner.store.PostgresStateStore;
import io.smartrunner.testkit.Await;
import io.smartrunner.testkit.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet's event table is written before the local log, so a runner killed between the two
 * leaves no end that only its own disk knows (the chaos bench found a finish in a killed runner's
 * log followed by the taker's lost); a batch is never sent twice; a database that is away never
 * stops the local log; and what the table has beyond the local log's newest event is found.
 */
class FleetEventSinkTest {
    private static final Instant T = Instant.parse("2026-01-08T10:30:00.250Z");
    private final PostgresServer server = PostgresServer.shared();
    private final List<String> said = new CopyOnWriteArrayList<>();

    /** A local log that records what reached it, and fails while told to. */
    private static final class LocalLog implements EventSink {
        final List<EventRecord> lines = new ArrayList<>();
        boolean full;
        PostgresEvents table;
        int tableSizeAtAppend = -1;

        @Override
        public void append(List<EventRecord> events) {
            if (table != null) {
                tableSizeAtAppend = stored(table).size();
            }
            if (full) {
                throw new EventLogException("no space left on device", null);
            }
            lines.addAll(events);
        }

        @Override
        public void close() {
        }
    }

    private static List<String> stored(PostgresEvents events) {
        return events.pageAfter(0, 100, new EventFilter(null, null, null)).events().stream()
                .map(e -> e.sessionId() + ":" + e.event()).toList();
    }

    private static List<EventRecord> ended(String... sessions) {
        List<EventRecord> out = new ArrayList<>();
        for (String s : sessions) {
            out.add(Events.sessionStarted(T, "podA", "p1", s, "/bin/w"));
            out.add(Events.sessionFinished(T.plusSeconds(2), "podA", "p1", s, 2_000L));
        }
        return out;
    }

    private String db;

    /**
     * A database where incarnations 1 (the killed run) and 3 (its restart) were drawn by data dir
     * host-a:/srv/a, and 2 by another machine's data dir, host-b:/srv/b (Membership.join draws them).
     */
    private PostgresStateStore store(String hint) {
        String url = server.newDatabase(hint);
        db = url.substring(url.lastIndexOf('/') + 1);
        PostgresStateStore store = PostgresStateStore.open(
                StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 2), "host-a:/srv/a");
        server.execute(db, "INSERT INTO incarnations (incarnation, runner_row) VALUES (1, 'host-a:/srv/a'),"
                + " (2, 'host-b:/srv/b'), (3, 'host-a:/srv/a')");
        return store;
    }

    @Test
    void theTableHasTheBatchBeforeTheLocalLogAndARetryAfterALocalFailureDoesNotSendItTwice() {
        try (PostgresStateStore store = store("fleet_sink_order")) {
            PostgresEvents events = store.events();
            FleetEventWriter writer = new FleetEventWriter(events, "alpha", 1, said::add).start();
            LocalLog local = new LocalLog();
            local.table = events;
            FleetEventSink sink = new FleetEventSink(local, "alpha", id -> null, writer);

            sink.append(ended("s1"));
            assertEquals(2, local.tableSizeAtAppend, "both events were in the table when the local append ran");

            local.full = true;
            List<EventRecord> batch = ended("s2");
            assertThrows(EventLogException.class, () -> sink.append(batch));
            assertEquals(List.of("s1:start", "s1:finish", "s2:start", "s2:finish"), stored(events));
            local.full = false;
            sink.append(batch); // the loop retries the same pending events
            assertEquals(List.of("s1:start", "s1:finish", "s2:start", "s2:finish"), stored(events), "not sent twice");
            assertEquals(4, local.lines.size());
            assertEquals("alpha", local.lines.get(3).params().value(io.smartrunner.event.EventParams.RUNNER));
            writer.close();
        }
    }

    @Test
    void whileTheTableCannotBeWrittenTheLocalLogGoesOnAndTheTableCatchesUpInOrder() {
        String url = server.newDatabase("fleet_sink_away");
        String db = url.substring(url.lastIndexOf('/') + 1);
        try (PostgresStateStore store = PostgresStateStore.open(
                StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 2), "host-a:/srv/a")) {
            PostgresEvents events = store.events();
            FleetEventWriter writer = new FleetEventWriter(events, "alpha", 1, said::add).start();
            LocalLog local = new LocalLog();
            FleetEventSink sink = new FleetEventSink(local, "alpha", id -> null, writer);
            server.execute(db, "ALTER TABLE events RENAME TO events_away");
            sink.append(ended("s1"));
            sink.append(ended("s2"));
            assertEquals(4, local.lines.size(), "the local log does not wait for the database");
            server.execute(db, "ALTER TABLE events_away RENAME TO events");
            Await.until("the table caught up", Duration.ofSeconds(30), () -> writer.sent() == 4);
            // sent behind the others: at once, or queued when the writer thread has counted its
            // batch as sent but not yet left it (sent() reads 4 a moment before that)
            sink.append(ended("s3"));
            List<String> inOrder = List.of("s1:start", "s1:finish", "s2:start", "s2:finish", "s3:start", "s3:finish");
            Await.until("s3 in the table", Duration.ofSeconds(30), () -> stored(events).size() == inOrder.size());
            assertEquals(inOrder, stored(events));
            writer.close();
        }
    }

    /** A JSON Lines log at {@code log}, no fsync. */
    private static JsonlEventSink openLog(Path log) {
        return JsonlEventSink.open(log, RunnerSettings.FsyncPolicy.NEVER, 0);
    }

    /** alpha's s1 start and finish, then s2's start, through the fleet sink into {@code jsonl}. */
    private void s1EndedAndS2Started(FleetEventWriter writer, JsonlEventSink jsonl) {
        FleetEventSink sink = new FleetEventSink(jsonl, "alpha", id -> null, writer);
        sink.append(ended("s1"));
        sink.append(List.of(Events.sessionStarted(T, "podA", "p1", "s2", "/bin/w")));
    }

    /** The table gets s2's finish, and the runner is killed before its log does. */
    private static void onlyTheTableGetsS2sFinish(FleetEventWriter writer) {
        writer.sendNow(List.of(new PostgresEvents.Written(Events.writtenBy(
                Events.sessionFinished(T.plusSeconds(3), "podA", "p1", "s2", 3_000L), "alpha"), null)));
    }

    private static List<String> sessionsAndEvents(Path log) {
        return EventLogReader.readAll(log).stream().map(e -> e.sessionId() + ":" + e.event()).toList();
    }

    @Test
    void aRestartCopiesIntoItsLogWhatItsKilledRunWroteToTheTableOnlyOnce(@TempDir Path dir) {
        Path log = dir.resolve("events.jsonl");
        try (PostgresStateStore store = store("fleet_sink_catch_up")) {
            PostgresEvents events = store.events();
            FleetEventWriter writer = new FleetEventWriter(events, "alpha", 1, said::add).start();
            JsonlEventSink jsonl = openLog(log);
            s1EndedAndS2Started(writer, jsonl);
            onlyTheTableGetsS2sFinish(writer);

            assertEquals(1, LocalLogCatchUp.run(log, "alpha", 3, jsonl, events, said::add));
            assertEquals(List.of("s1:start", "s1:finish", "s2:start", "s2:finish"), sessionsAndEvents(log));
            assertTrue(said.stream().anyMatch(l -> l.startsWith("copied 1 event(s) into")), said.toString());
            assertEquals(0, LocalLogCatchUp.run(log, "alpha", 3, jsonl, events, said::add), "a second start copies nothing");
            jsonl.close();
            writer.close();
        }
    }

    @Test
    void aRestartFindsItsNewestEventInTheRotatedFileWhenTheLogWasRotatedJustBeforeTheKill(@TempDir Path dir)
            throws Exception {
        Path log = dir.resolve("events.jsonl");
        try (PostgresStateStore store = store("fleet_sink_catch_up_rotated")) {
            PostgresEvents events = store.events();
            FleetEventWriter writer = new FleetEventWriter(events, "alpha", 1, said::add).start();
            JsonlEventSink jsonl = openLog(log);
            s1EndedAndS2Started(writer, jsonl);
            jsonl.close();
            // the log rotated (the current file now holds another runner's line only), then the
            // table got s2's finish and the runner was killed before its log did
            Files.move(log, EventLogFiles.rotated(log, 1));
            JsonlEventSink fresh = openLog(log);
            fresh.append(List.of(Events.writtenBy(
                    Events.sessionStarted(T.plusSeconds(1), "podB", "q1", "t1", "/bin/w"), "beta")));
            onlyTheTableGetsS2sFinish(writer);

            assertEquals(1, LocalLogCatchUp.run(log, "alpha", 3, fresh, events, said::add));
            assertEquals(List.of("t1:start", "s2:finish"), sessionsAndEvents(log));
            assertEquals(0, LocalLogCatchUp.run(log, "alpha", 3, fresh, events, said::add), "a second start copies nothing");
            fresh.close();
            writer.close();
        }
    }

    @Test
    void whatARunnerWroteToTheTableAfterItsLogsNewestEventIsFound() {
        try (PostgresStateStore store = store("fleet_sink_after")) {
            PostgresEvents events = store.events();
            FleetEventWriter writer = new FleetEventWriter(events, "alpha", 1, said::add).start();
            LocalLog local = new LocalLog();
            FleetEventSink sink = new FleetEventSink(local, "alpha", id -> null, writer);
            sink.append(ended("s1"));
            EventRecord newestLocal = local.lines.get(local.lines.size() - 1);
            local.full = true; // killed between the table and the local log, in effect
            assertThrows(EventLogException.class, () -> sink.append(ended("s2")));
            FleetEventSink beta = new FleetEventSink(new LocalLog(), "beta", id -> null,
                    new FleetEventWriter(events, "beta", 2, said::add).start());
            beta.append(ended("s9")); // another runner's events are not alpha's to copy

            List<String> missing = events.writtenAfter("alpha", 3, newestLocal, 100).stream()
                    .map(e -> e.sessionId() + ":" + e.event()).toList();
            assertEquals(List.of("s2:start", "s2:finish"), missing);
            assertTrue(events.writtenAfter("alpha", 3, Events.sessionStarted(T, "podA", "p1", "never", "/bin/w"), 100)
                    .isEmpty(), "a newest local event the table never got: nothing to copy");
            writer.close();
        }
    }

    @Test
    void eventsAnotherMachineWroteUnderTheSameRunnerNameAreNotCopiedIntoThisLog(@TempDir Path dir) {
        Path log = dir.resolve("events.jsonl");
        try (PostgresStateStore store = store("fleet_sink_name_moved")) {
            PostgresEvents events = store.events();
            FleetEventWriter here = new FleetEventWriter(events, "alpha", 1, said::add).start();
            JsonlEventSink jsonl = openLog(log);
            new FleetEventSink(jsonl, "alpha", id -> null, here).append(ended("s1"));
            here.close();
            // this data dir's runner stopped; another machine took the free name "alpha" and ran s2
            FleetEventWriter there = new FleetEventWriter(events, "alpha", 2, said::add).start();
            new FleetEventSink(new LocalLog(), "alpha", id -> null, there).append(ended("s2"));
            there.close();

            assertEquals(0, LocalLogCatchUp.run(log, "alpha", 3, jsonl, events, said::add));
            assertEquals(List.of("s1:start", "s1:finish"), sessionsAndEvents(log),
                    "the other machine's s2 is in the fleet's events, not in this data dir's log");
            assertEquals(List.of("s1:start", "s1:finish", "s2:start", "s2:finish"), stored(events));
            jsonl.close();
        }
    }

    @Test
    void aRunKilledBeforeTheUpgradeToSchema9StillCatchesUpAfterIt(@TempDir Path dir) {
        Path log = dir.resolve("events.jsonl");
        try (PostgresStateStore store = store("fleet_sink_before_9")) {
            PostgresEvents events = store.events();
            FleetEventWriter writer = new FleetEventWriter(events, "alpha", 1, said::add).start();
            JsonlEventSink jsonl = openLog(log);
            s1EndedAndS2Started(writer, jsonl);
            onlyTheTableGetsS2sFinish(writer);
            server.execute(db, "UPDATE events SET incarnation = NULL"); // as a runner before schema 9 wrote them

            assertEquals(1, LocalLogCatchUp.run(log, "alpha", 3, jsonl, events, said::add));
            assertEquals(List.of("s1:start", "s1:finish", "s2:start", "s2:finish"), sessionsAndEvents(log));
            jsonl.close();
            writer.close();
        }
    }

    /** What a run stopped with the database away kept in its own log alone reaches the table at the next start, once. */
    @Test
    void aRestartSendsTheTableWhatItsLastRunWroteOnlyToItsLogWhileTheDatabaseWasAway(@TempDir Path dir) {
        Path log = dir.resolve("events.jsonl");
        try (PostgresStateStore store = store("fleet_table_catch_up")) {
            PostgresEvents events = store.events();
            FleetEventWriter writer = new FleetEventWriter(events, "alpha", 1, said::add).start();
            JsonlEventSink jsonl = openLog(log);
            FleetEventSink sink = new FleetEventSink(jsonl, "alpha", id -> null, writer);
            sink.append(ended("s1"));
            // another machine's run under the same name: not this data dir's newest event in the table
            FleetEventWriter there = new FleetEventWriter(events, "alpha", 2, said::add).start();
            new FleetEventSink(new LocalLog(), "alpha", id -> null, there).append(ended("s9"));
            there.close();
            server.execute(db, "ALTER TABLE events RENAME TO events_away");
            sink.append(ended("s2"));
            writer.close(); // the stop, the database still away
            assertTrue(said.stream().anyMatch(l -> l.contains("2 event(s) not sent to PostgreSQL at stop; they are in the"
                    + " local log, and the next start of this data dir sends them")), said.toString());
            server.execute(db, "ALTER TABLE events_away RENAME TO events");

            FleetEventWriter restart = new FleetEventWriter(events, "alpha", 3, said::add).start();
            assertEquals(0, LocalLogCatchUp.run(log, "alpha", 3, jsonl, events, said::add), "the table is not ahead");
            assertEquals(2, FleetTableCatchUp.run(log, "alpha", 3, events, restart, said::add));
            restart.close();

            assertEquals(List.of("s1:start", "s1:finish", "s9:start", "s9:finish", "s2:start", "s2:finish"), stored(events));
            assertTrue(said.stream().anyMatch(l -> l.startsWith("sending 2 event(s) from " + log)), said.toString());
            FleetEventWriter again = new FleetEventWriter(events, "alpha", 4, said::add).start();
            server.execute(db, "INSERT INTO incarnations (incarnation, runner_row) VALUES (4, 'host-a:/srv/a')");
            assertEquals(0, FleetTableCatchUp.run(log, "alpha", 4, events, again, said::add), "a second start sends nothing");
            again.close();
            assertEquals(6, stored(events).size());
            jsonl.close();
        }
    }

    @Test
    void aDatabaseWithNothingOfThisDataDirsIsSentNothingFromItsLog(@TempDir Path dir) {
        Path log = dir.resolve("events.jsonl");
        try (PostgresStateStore store = store("fleet_table_catch_up_new_db")) {
            PostgresEvents events = store.events();
            JsonlEventSink jsonl = openLog(log);
            jsonl.append(List.of(Events.writtenBy(Events.sessionStarted(T, "podA", "p1", "s1", "/bin/w"), "alpha")));
            FleetEventWriter writer = new FleetEventWriter(events, "alpha", 3, said::add).start();

            assertEquals(0, FleetTableCatchUp.run(log, "alpha", 3, events, writer, said::add));

            writer.close();
            assertEquals(List.of(), stored(events), "a new database does not get this log's history");
            jsonl.close();
        }
    }
}
