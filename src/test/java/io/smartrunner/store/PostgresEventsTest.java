package io.smartrunner.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.StoreSettings;
import io.smartrunner.event.EventFilter;
import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.Events;
import io.smartrunner.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** The fleet's events in PostgreSQL: stored as written, paged by seq, fenced by the lease epoch, notified. */
class PostgresEventsTest {
    private static final Instant T = Instant.parse("2026-01-08T10:30:00.250Z");
    private final PostgresServer server = PostgresServer.shared();

    private PostgresStateStore open(String url) {
        return PostgresStateStore.open(StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 2),
                "host-a:/srv/a");
    }

    private static com.fasterxml.jackson.databind.JsonNode params(EventRecord e) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(io.smartrunner.event.EventJson.toLine(e))
                .get("params");
    }

    @Test
    void eventsComeBackAsWrittenPageBySeqAndNotifyTheFleet() throws Exception {
        String url = server.newDatabase("pg_events");
        String db = url.substring(url.lastIndexOf('/') + 1);
        try (PostgresStateStore store = open(url); Connection listen = server.connect(db)) {
            try (Statement st = listen.createStatement()) {
                st.execute("LISTEN " + PostgresEvents.CHANNEL);
            }
            PostgresEvents events = store.events();
            EventRecord start = Events.writtenBy(Events.sessionStarted(T, "podA", "p1", "s1", "/bin/w"), "alpha");
            EventRecord pause = Events.writtenBy(Events.profilePaused(T, "podA", "p2", null, 4, T.plusSeconds(60),
                    "errorStreak 4 > maxErrorStreak 3", "api@beta", 60_000, 1), "alpha");
            assertEquals(List.of(), events.insert("alpha", 7, List.of(new PostgresEvents.Written(start, null),
                    new PostgresEvents.Written(pause, null))));

            EventLogReader.Page all = events.pageAfter(0, 10, new EventFilter(null, null, null));
            assertEquals(2, all.events().size());
            assertEquals(start.header(), all.events().get(0).header());
            assertEquals(params(start), params(all.events().get(0)), "same params (jsonb keeps no key order)");
            assertEquals(pause.getClass(), all.events().get(1).getClass());
            assertEquals(params(pause), params(all.events().get(1)));
            assertEquals(all.ends().get(1), events.end());
            assertEquals(1, events.pageAfter(0, 10, new EventFilter(null, null, "pause")).events().size());
            EventLogReader.Page newest = events.pageBefore(Long.MAX_VALUE, 1, new EventFilter(null, null, null));
            assertEquals(List.of(all.ends().get(1)), newest.ends());
            assertEquals(1, events.pageBefore(newest.first(), 10, new EventFilter(null, null, null)).events().size());

            PGNotification[] got = listen.unwrap(PGConnection.class).getNotifications(10_000);
            assertNotNull(got, "notified");
            assertEquals(String.valueOf(events.end()), got[got.length - 1].getParameter());
        }
    }

    @Test
    void aStaleHoldersEventOfAProfileIsRefusedAndTheRestOfTheBatchIsStored() {
        String url = server.newDatabase("pg_events_fenced");
        String db = url.substring(url.lastIndexOf('/') + 1);
        try (PostgresStateStore store = open(url)) {
            server.execute(db, "INSERT INTO leases (profile_id, holder, holder_incarnation, epoch) VALUES"
                    + " ('p1', 'host-a:/srv/a', 7, 3); INSERT INTO lease_epochs VALUES ('p1', 3, 7)");
            PostgresEvents events = store.events();
            EventRecord held = Events.sessionStarted(T, "podA", "p1", "s1", "/bin/w");
            EventRecord oldEpoch = Events.sessionStarted(T, "podA", "p1", "s2", "/bin/w");
            EventRecord otherIncarnation = Events.sessionStarted(T, "podA", "p1", "s3", "/bin/w");
            EventRecord unfenced = Events.breakerClosed(T, "podA", 1000, 2);

            List<EventRecord> refused = events.insert("alpha", 7, List.of(new PostgresEvents.Written(held, 3L),
                    new PostgresEvents.Written(oldEpoch, 2L), new PostgresEvents.Written(unfenced, null)));
            refused = new java.util.ArrayList<>(refused);
            refused.addAll(events.insert("alpha", 6, List.of(new PostgresEvents.Written(otherIncarnation, 3L))));

            assertEquals(List.of("s2", "s3"), refused.stream().map(EventRecord::sessionId).toList());
            List<EventRecord> stored = events.pageAfter(0, 10, new EventFilter(null, null, null)).events();
            assertEquals(2, stored.size());
            assertEquals("s1", stored.get(0).sessionId());
            assertTrue(stored.get(1) instanceof EventRecord.BreakerClosed, "in the order written");
        }
    }

    /**
     * Regression: after an outage a runner's queued events went out when the lease had moved on
     * (taken over, or given back and taken again), and were refused: sessions that really ran under
     * the old epoch kept their start and lost their end. An event is a record of what its writer did
     * while it held that epoch, so it goes in; a session's second end (the holder's own, late, after
     * its taker's {@code lost}) does not.
     */
    @Test
    void anEventWrittenUnderAnEpochItsWriterHeldGoesInAfterTheLeaseMovedOnButASessionEndsOnce() {
        String url = server.newDatabase("pg_events_moved_on");
        String db = url.substring(url.lastIndexOf('/') + 1);
        try (PostgresStateStore store = open(url)) {
            // alpha (incarnation 7) held p1 at epoch 3, then beta (8) took it at epoch 4 and gave it back
            server.execute(db, "INSERT INTO leases (profile_id, holder, holder_incarnation, epoch) VALUES"
                    + " ('p1', NULL, NULL, 4); INSERT INTO lease_epochs VALUES ('p1', 3, 7), ('p1', 4, 8)");
            PostgresEvents events = store.events();
            EventRecord s1Finished = Events.sessionFinished(T, "podA", "p1", "s1", 1000L);
            EventRecord s2Lost = Events.sessionFailed(T, "podA", "p1", "s2", io.smartrunner.event.Params.builder()
                    .put(io.smartrunner.event.EventParams.REASON, "lost").build(), null);
            EventRecord s2OwnEnd = Events.sessionFinished(T, "podA", "p1", "s2", 900L);

            assertEquals(List.of(), events.insert("alpha", 7, List.of(new PostgresEvents.Written(s1Finished, 3L))),
                    "alpha's end of s1, sent after the lease moved on");
            assertEquals(List.of(), events.insert("beta", 8, List.of(new PostgresEvents.Written(s2Lost, 4L))),
                    "beta's lost for s2, sent after it gave the lease back");
            assertEquals(List.of(s2OwnEnd), events.insert("alpha", 7, List.of(new PostgresEvents.Written(s2OwnEnd, 3L))),
                    "s2 has its end already");
            assertEquals(List.of(s2Lost), events.insert("alpha", 7, List.of(new PostgresEvents.Written(s2Lost, 4L))),
                    "alpha never held epoch 4");

            List<String> stored = events.pageAfter(0, 10, new EventFilter(null, null, null)).events().stream()
                    .map(e -> e.sessionId() + ":" + e.getClass().getSimpleName()).toList();
            assertEquals(List.of("s1:SessionFinished", "s2:SessionFailed"), stored);
        }
    }

    /**
     * Reviewer R18: a runner stopped while PostgreSQL was away sends its sessions' own ends at its
     * next start ({@code FleetTableCatchUp}), without an epoch; its takers had closed those sessions
     * as {@code lost} meanwhile, and 19 sessions had two ends in the fleet's record. A session's
     * end without an epoch goes in only if the session has none yet; the rest of the batch goes in.
     */
    @Test
    void aSessionsEndSentWithoutAnEpochGoesInOnlyIfTheSessionHasNoneYet() {
        String url = server.newDatabase("pg_events_catch_up_end");
        try (PostgresStateStore store = open(url)) {
            PostgresEvents events = store.events();
            EventRecord s2Lost = Events.sessionFailed(T, "podA", "p1", "s2", io.smartrunner.event.Params.builder()
                    .put(io.smartrunner.event.EventParams.REASON, "lost").build(), null);
            assertEquals(List.of(), events.insert("beta", 8, List.of(new PostgresEvents.Written(s2Lost, null))));
            EventRecord s2OwnEnd = Events.sessionFinished(T.minusSeconds(2), "podA", "p1", "s2", 900L);
            EventRecord s3Start = Events.sessionStarted(T, "podA", "p1", "s3", "sleep 1");
            EventRecord s3End = Events.sessionFinished(T.plusSeconds(1), "podA", "p1", "s3", 1000L);
            assertEquals(List.of(s2OwnEnd), events.insert("alpha", 9, List.of(new PostgresEvents.Written(s2OwnEnd, null),
                    new PostgresEvents.Written(s3Start, null), new PostgresEvents.Written(s3End, null))),
                    "s2 was closed by its taker; s3 had no end");

            List<String> stored = events.pageAfter(0, 10, new EventFilter(null, null, null)).events().stream()
                    .map(e -> e.sessionId() + ":" + e.getClass().getSimpleName()).toList();
            assertEquals(List.of("s2:SessionFailed", "s3:SessionStarted", "s3:SessionFinished"), stored);
        }
    }

    /**
     * A live stream follows the table with {@code seq > cursor}. A writer that drew a seq and commits
     * after one that drew a higher seq would be skipped for good by a reader that read in between
     * (alpha's pause missing from beta's live stream and report): the second writer waits instead.
     */
    @Test
    void aReaderFollowingBySeqNeverSkipsAnEventThatCommitsLate() throws Exception {
        String url = server.newDatabase("pg_events_order");
        String db = url.substring(url.lastIndexOf('/') + 1);
        EventFilter all = new EventFilter(null, null, null);
        try (PostgresStateStore store = open(url); Connection slow = server.connect(db);
             Connection watch = server.connect(db)) {
            PostgresEvents events = store.events();
            // a command's change, its event written and its transaction not yet committed
            slow.setAutoCommit(false);
            PostgresEvents.insertIn(slow, "api@beta", List.of(Events.writtenBy(Events.profilePaused(T, "podA", "p1",
                    null, 0, T.plusSeconds(60), "asked", "api@beta", 60_000, 0), "alpha")));
            // a runner's batch meanwhile
            java.util.concurrent.CompletableFuture<List<EventRecord>> runner = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> events.insert("alpha", 7, List.of(new PostgresEvents.Written(
                            Events.sessionStarted(T, "podA", "p2", "s1", "/bin/w"), null))));
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while (!runner.isDone() && !waitsForTheOrder(watch)) {
                assertTrue(System.nanoTime() < deadline, "the runner's insert neither ended nor waits");
                java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
            }

            java.util.Set<String> seen = new java.util.HashSet<>();
            EventLogReader.Page page = events.pageAfter(0, 10, all);
            page.events().forEach(e -> seen.add(e.profileId()));
            long cursor = page.next();
            slow.commit();
            runner.get(30, java.util.concurrent.TimeUnit.SECONDS);
            events.pageAfter(cursor, 10, all).events().forEach(e -> seen.add(e.profileId()));

            assertEquals(java.util.Set.of("p1", "p2"), seen, "the late commit's event read after the cursor passed it?");
            assertEquals(List.of("p1", "p2"), events.pageAfter(0, 10, all).events().stream()
                    .map(EventRecord::profileId).toList(), "seq order is commit order");
        }
    }

    private static boolean waitsForTheOrder(Connection c) throws java.sql.SQLException {
        try (Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")) {
            rs.next();
            return rs.getInt(1) > 0;
        }
    }
}
