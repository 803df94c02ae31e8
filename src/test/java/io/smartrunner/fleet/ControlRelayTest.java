package io.smartrunner.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.cluster.QueuedControlReads;
import io.smartrunner.config.StoreSettings;
import io.smartrunner.engine.ManualReply;
import io.smartrunner.engine.ManualRequest;
import io.smartrunner.store.PostgresControls;
import io.smartrunner.store.PostgresStateStore;
import io.smartrunner.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The relay over a real {@code controls} table: no control hides another, however many are stuck or broken. */
class ControlRelayTest {
    private final PostgresServer server = PostgresServer.shared();
    private final List<ManualRequest> applied = new ArrayList<>();
    private final List<String> said = new ArrayList<>();
    private final List<Long> readsDone = new ArrayList<>();

    private PostgresStateStore open(String url) {
        return PostgresStateStore.open(StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 2),
                "host-a:/srv/a");
    }

    private ControlRelay relay(PostgresControls controls) {
        return new ControlRelay(controls, "alpha", "p1"::equals, rs -> {
            applied.addAll(rs);
            return rs.stream().map(r -> CompletableFuture.completedFuture(
                    new ManualReply(ManualReply.Outcome.DONE, null, null))).toList();
        }, said::add, new QueuedControlReads() {
            private long reads;

            @Override
            public void readBy(Runnable wake) {
            }

            @Override
            public long readBegins() {
                return ++reads;
            }

            @Override
            public void readDone(long ticket) {
                readsDone.add(ticket);
            }
        });
    }

    private static String result(Connection c, long seq) throws Exception {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT result FROM controls WHERE seq = " + seq)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static long count(Connection c, String where) throws Exception {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM controls WHERE "
                + where)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void controlsNoRunnerClaimsDoNotHideTheOnesAfterThem() throws Exception {
        String url = server.newDatabase("relay_stuck");
        String db = url.substring(url.lastIndexOf('/') + 1);
        try (PostgresStateStore store = open(url); Connection c = server.connect(db)) {
            // a profile configured nowhere any more: its controls stay queued for good, more than a page of them
            server.execute(db, "INSERT INTO controls (profile_id, action, requested_by)"
                    + " SELECT 'gone', 'run', 'api@beta' FROM generate_series(1, " + (PostgresControls.PAGE + 5) + ")");
            long pause = store.controls().request("p1", "pause", Map.of("durationMs", 60_000, "reason", "maintenance"),
                    "cli@beta");

            relay(store.controls()).applyPending();

            assertEquals(List.of(new ManualRequest.Pause("p1", Duration.ofMinutes(1), "maintenance", "cli@beta")),
                    applied);
            assertEquals("done", result(c, pause));
            assertEquals(PostgresControls.PAGE + 5, count(c, "applied_at IS NULL AND profile_id = 'gone'"),
                    "not this runner's: left queued for the profile's next holder");
            assertEquals(List.of(1L), readsDone, "the read is done once every page was read");
        }
    }

    @Test
    void aControlRowNoRunnerWroteIsAnsweredFailedAndTheNextOneIsApplied() throws Exception {
        String url = server.newDatabase("relay_broken");
        String db = url.substring(url.lastIndexOf('/') + 1);
        try (PostgresStateStore store = open(url); Connection c = server.connect(db)) {
            // rows written by hand: args that are no object, a pause without a usable duration
            server.execute(db, "INSERT INTO controls (profile_id, action, args, requested_by) VALUES"
                    + " ('p1', 'pause', '[1, 2]', 'sql'), ('p1', 'pause', '{}', 'sql'),"
                    + " ('p1', 'pause', '{\"durationMs\": \"soon\"}', 'sql')");
            long reset = store.controls().request("p1", "reset", Map.of(), "api@beta");

            relay(store.controls()).applyPending();

            assertEquals(List.of(new ManualRequest.ResetStreak("p1", "api@beta")), applied);
            assertEquals("done", result(c, reset));
            assertEquals("failed: its args are not a JSON object: [1, 2]", result(c, 1));
            assertEquals("failed: a pause's args need durationMs, a positive whole number of ms (got none)",
                    result(c, 2));
            assertEquals("failed: a pause's args need durationMs, a positive whole number of ms (got soon)",
                    result(c, 3));
            assertEquals(0, count(c, "applied_at IS NULL"), "each answered once");
            assertEquals(3, said.size(), "one line for each: " + said);
            assertTrue(said.get(0).startsWith("fleet controls: control 1 (pause p1, asked by sql) not applied: "),
                    said.get(0));
            assertEquals(List.of(1L), readsDone);

            applied.clear();
            relay(store.controls()).applyPending();
            assertEquals(List.of(), applied, "nothing is applied twice");
        }
    }

    @Test
    void aControlPendingADayForAProfileNobodyHoldsIsAnsweredExpiredOnceAndAYoungerOneWaits() throws Exception {
        String url = server.newDatabase("relay_expired");
        String db = url.substring(url.lastIndexOf('/') + 1);
        try (PostgresStateStore store = open(url); Connection c = server.connect(db)) {
            server.execute(db, "INSERT INTO controls (profile_id, action, requested_by, requested_at) VALUES"
                    + " ('gone', 'pause', 'api@beta', now() - interval '25 hours'),"
                    + " ('gone', 'run', 'cli@beta', now() - interval '23 hours')");
            long pause = store.controls().request("p1", "pause", Map.of("durationMs", 60_000), "api@beta");

            relay(store.controls()).applyPending();

            assertEquals("expired: no runner held gone within 24 h of the request", result(c, 1));
            assertEquals(1, count(c, "seq = 1 AND applied_by = 'alpha' AND applied_at IS NOT NULL"));
            assertEquals(1, count(c, "seq = 2 AND applied_at IS NULL"), "23 h old: still waiting for a holder");
            assertEquals("done", result(c, pause), "this runner's own control is applied as before");
            assertEquals(List.of("fleet controls: control 1 (pause gone, asked by api@beta) expired: no runner held"
                    + " gone within 24 h of the request"), said);

            said.clear();
            relay(store.controls()).applyPending();
            assertEquals(List.of(), said, "answered once");
        }
    }
}
