package io.smartrunner.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.StoreSettings;
import io.smartrunner.event.EventFilter;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.Events;
import io.smartrunner.store.PostgresEvents;
import io.smartrunner.store.PostgresStateStore;
import io.smartrunner.testkit.Await;
import io.smartrunner.testkit.PostgresServer;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The fleet copy of the event log: sent in order, kept and resent while the database is away, said once. */
class FleetEventWriterTest {
    private static final Instant T = Instant.parse("2026-01-08T10:30:00.250Z");
    private final PostgresServer server = PostgresServer.shared();

    private static List<PostgresEvents.Written> batch(String... sessions) {
        return java.util.Arrays.stream(sessions).map(s -> new PostgresEvents.Written(
                (EventRecord) Events.sessionStarted(T, "podA", "p1", s, "/bin/w"), null)).toList();
    }

    @Test
    void eventsWrittenWhileTheDatabaseIsAwayArriveInOrderWhenItReturns() {
        String url = server.newDatabase("fleet_writer");
        String db = url.substring(url.lastIndexOf('/') + 1);
        List<String> said = new CopyOnWriteArrayList<>();
        try (PostgresStateStore store = PostgresStateStore.open(
                StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 2), "host-a:/srv/a")) {
            PostgresEvents events = store.events();
            FleetEventWriter writer = new FleetEventWriter(events, "alpha", 1, said::add).start();
            writer.offer(batch("s1"));
            Await.until("s1 stored", java.time.Duration.ofMillis(20_000), () -> writer.sent() == 1);

            // every insert fails at once, as when the database is gone
            server.execute(db, "ALTER TABLE events RENAME TO events_away");
            writer.offer(batch("s2", "s3"));
            writer.offer(batch("s4"));
            Await.until("the failure said", java.time.Duration.ofMillis(20_000),
                    () -> said.stream().anyMatch(l -> l.contains("cannot write")));
            server.execute(db, "ALTER TABLE events_away RENAME TO events");

            Await.until("all sent", java.time.Duration.ofMillis(30_000), () -> writer.sent() == 4);
            writer.close();
            List<String> stored = events.pageAfter(0, 10, new EventFilter(null, null, null)).events().stream()
                    .map(EventRecord::sessionId).toList();
            assertEquals(List.of("s1", "s2", "s3", "s4"), stored);
            assertEquals(1, said.stream().filter(l -> l.contains("cannot write to PostgreSQL")).count(), said.toString());
            assertTrue(said.get(said.size() - 1).contains("works again after"), said.toString());
        }
    }

    /** A database whose events table is away (every insert fails at once), a writer on it, what it said. */
    private final class Away implements AutoCloseable {
        final List<String> said = new CopyOnWriteArrayList<>();
        final String db;
        final PostgresStateStore store;
        final FleetEventWriter writer;

        /** The first failed send is said before this returns. */
        Away(String hint, int maxQueued, String... firstBatch) {
            String url = server.newDatabase(hint);
            db = url.substring(url.lastIndexOf('/') + 1);
            store = PostgresStateStore.open(
                    StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 2), "host-a:/srv/a");
            server.execute(db, "ALTER TABLE events RENAME TO events_away");
            writer = new FleetEventWriter(store.events(), "alpha", 1, said::add, 3_600_000, maxQueued).start();
            writer.offer(batch(firstBatch));
            Await.until("the failure said", java.time.Duration.ofMillis(20_000),
                    () -> said.stream().anyMatch(l -> l.contains("cannot write")));
        }

        /** The table is back; the writer's stop cuts its backoff short and sends what waits. */
        List<String> backAndStopped() {
            server.execute(db, "ALTER TABLE events_away RENAME TO events");
            writer.close();
            return store.events().pageAfter(0, 10, new EventFilter(null, null, null)).events().stream()
                    .map(EventRecord::sessionId).toList();
        }

        @Override
        public void close() {
            store.close();
        }
    }

    @Test
    void batchesOfferedDuringTheBackoffWaitForItInsteadOfRetryingAtOnce() {
        try (Away away = new Away("fleet_writer_backoff", 100, "s1")) {
            FleetEventWriter writer = away.writer;
            long attempts = writer.attempts();
            // a busy loop offers a batch every turn; with the bug each offer woke the backoff wait
            for (int i = 2; i <= 6; i++) {
                writer.offer(batch("s" + i));
                long deadline = System.nanoTime() + 200_000_000L;
                while (System.nanoTime() < deadline && writer.attempts() == attempts) {
                    Thread.onSpinWait();
                }
                assertEquals(attempts, writer.attempts(), "a retry before the backoff ended, after offer " + i);
            }
            assertEquals(List.of("s1", "s2", "s3", "s4", "s5", "s6"), away.backAndStopped());
            assertEquals(6, writer.sent(), away.said.toString());
        }
    }

    @Test
    void beyondTheCapNewEventsStayInTheLocalLogOnlyCountedAndSaidOnceAndTheStopSendsWhatWaits() {
        try (Away away = new Away("fleet_writer_cap", 3, "s1", "s2")) {
            FleetEventWriter writer = away.writer;
            // s1 and s2 are the batch being retried (MAX_BATCH at most), out of the queue the cap counts
            writer.offer(batch("s3", "s4"));
            writer.offer(batch("s5", "s6")); // 2 + 2 > 3: not queued
            writer.offer(batch("s7")); // 2 + 1 fits
            assertEquals(2, writer.notQueued());
            assertEquals(1, away.said.stream()
                    .filter(l -> l.startsWith("fleet event log: 3 events wait for PostgreSQL;")).count(),
                    away.said.toString());
            assertEquals(List.of("s1", "s2", "s3", "s4", "s7"), away.backAndStopped());
            assertTrue(away.said.stream().noneMatch(l -> l.contains("not sent to PostgreSQL at stop")),
                    away.said.toString());
        }
    }

    /** Reviewer R7: the batch being retried when the runner stopped with the database down was lost from the count. */
    @Test
    void aStopWithTheDatabaseDownSaysEveryEventNotSentTheBatchBeingRetriedIncluded() {
        try (Away away = new Away("fleet_writer_stop_down", 100, "s1", "s2")) {
            away.writer.offer(batch("s3"));
            away.writer.close();
            assertEquals(1, away.said.stream().filter(l -> l.equals("fleet event log: 3 event(s) not sent to"
                    + " PostgreSQL at stop; they are in the local log, and the next start of this data dir sends them"))
                    .count(), away.said.toString());
        }
    }

    /**
     * Regression: the retry backed off to 30 s, so after an outage the queued events went out 10-34 s
     * after the database was back, when their leases had often moved on. Now every second (the
     * heartbeat's cadence), however many attempts failed, and said so.
     */
    @Test
    void aFailedSendIsRetriedEverySecondNotWithAGrowingBackoff() {
        String url = server.newDatabase("fleet_writer_cadence");
        String db = url.substring(url.lastIndexOf('/') + 1);
        List<String> said = new CopyOnWriteArrayList<>();
        try (PostgresStateStore store = PostgresStateStore.open(
                StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 2), "host-a:/srv/a")) {
            server.execute(db, "ALTER TABLE events RENAME TO events_away");
            FleetEventWriter writer = new FleetEventWriter(store.events(), "alpha", 1, said::add).start();
            writer.offer(batch("s1"));

            Await.until("five attempts, four pauses of a second", java.time.Duration.ofMillis(10_000),
                    () -> writer.attempts() >= 5);
            server.execute(db, "ALTER TABLE events_away RENAME TO events");
            Await.until("sent at the next attempt", java.time.Duration.ofMillis(10_000), () -> writer.sent() == 1);
            writer.close();

            assertTrue(said.get(0).contains("cannot write to PostgreSQL, retrying every 1000 ms"), said.toString());
        }
    }
}
