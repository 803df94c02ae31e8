package io.smartrunner.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.StoreSettings;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.Events;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link PostgresStateStore#changeUnlessHeld} against a real PostgreSQL: a live holder's profile is
 * not written (its name comes back); a holder whose heartbeat is older than the TTL is not live, and
 * the row and its events are written together; a change that throws writes nothing.
 */
class PostgresOfflineChangeTest {
    private static final long TTL = 15_000;
    private static final Instant T = Instant.parse("2026-12-03T12:00:00Z");
    private final PostgresServer server = PostgresServer.shared();

    private static StoreSettings settings(String url) {
        return StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 2);
    }

    private long count(String url, String sql) throws SQLException {
        try (Connection c = server.connect(url.substring(url.lastIndexOf('/') + 1)); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getLong(1);
        }
    }

    private void execute(String url, String sql) throws SQLException {
        try (Connection c = server.connect(url.substring(url.lastIndexOf('/') + 1)); Statement st = c.createStatement()) {
            st.executeUpdate(sql);
        }
    }

    private static ProfileChange pause(ProfileState row) {
        ProfileState s = row != null ? row : ProfileState.fresh("p1", "podA");
        ProfileState paused = new ProfileState(s.profileId(), s.pod(), s.errorStreak(), false, false, true, T.plusSeconds(3600),
                s.lastSessionId(), s.lastError(), s.lastStartedAt(), s.lastFinishedAt(), s.pauseCount() + 1, T);
        EventRecord e = Events.profilePaused(T, "podA", "p1", null, 0, T.plusSeconds(3600), "by hand", "cli", 3_600_000, 1);
        return new ProfileChange(paused, List.of(e));
    }

    private record Held(long incarnation, long epoch) {
    }

    /** Runner alpha joins and takes p1's lease. */
    private static Held alphaHoldsP1(PostgresStateStore alpha) {
        long incarnation = alpha.members().join(new PostgresMembers.Joiner("alpha", List.of(), "host-a", 11, 8), TTL).incarnation();
        alpha.leases().ensure(List.of("p1"));
        List<PostgresLeases.Acquired> acquired = alpha.leases().acquire(incarnation, List.of("p1"), 1, TTL);
        assertEquals(1, acquired.size());
        return new Held(incarnation, acquired.get(0).epoch());
    }

    @Test
    void aLiveHoldersProfileIsLeftToItAndADeadHoldersIsWrittenWithItsEvents() throws Exception {
        String url = server.newDatabase("offline_change");
        try (PostgresStateStore alpha = PostgresStateStore.open(settings(url), "host-a:/data");
             PostgresStateStore command = PostgresStateStore.open(settings(url), "host-b:/data")) {
            alphaHoldsP1(alpha);

            Optional<String> held = command.changeUnlessHeld("p1", TTL, "cli@beta", row -> {
                throw new AssertionError("called while alpha holds p1");
            });
            assertEquals(Optional.of("alpha"), held);
            assertFalse(command.loadProfiles().containsKey("p1"), "nothing written");

            // a change that throws (a refusal) writes nothing, once nobody live holds the profile
            execute(url, "UPDATE runners SET heartbeat_at = now() - INTERVAL '1 hour' WHERE member_name = 'alpha'");
            assertThrows(IllegalStateException.class, () -> command.changeUnlessHeld("p1", TTL, "cli@beta", row -> {
                throw new IllegalStateException("refused");
            }));
            assertFalse(command.loadProfiles().containsKey("p1"));
            assertEquals(0, count(url, "SELECT count(*) FROM events"));

            // alpha's heartbeat is an hour old: its lease is not live, the row and its event are written
            assertEquals(Optional.empty(), command.changeUnlessHeld("p1", TTL, "cli@beta", PostgresOfflineChangeTest::pause));
            ProfileState written = command.loadProfiles().get("p1");
            assertTrue(written.paused(), written.toString());
            assertEquals(T.plusSeconds(3600), written.pausedUntil());
            assertEquals(1, count(url, "SELECT count(*) FROM events WHERE runner_name = 'cli@beta' AND event = 'pause'"
                    + " AND profile_id = 'p1' AND epoch IS NULL"));
            // the dead holder's lease is freed at a new epoch: it cannot come back to it and write over the row
            assertEquals(1, count(url, "SELECT count(*) FROM leases WHERE profile_id = 'p1' AND holder_incarnation IS NULL"
                    + " AND epoch = 2"));
        }
    }

    /** The holder whose heartbeat lands again before anyone took its lease: its stale row does not undo the pause. */
    @Test
    void aHolderThatComesBackCannotTakeBackAChangeWrittenWhileItWasNotLive() throws Exception {
        String url = server.newDatabase("offline_change_back");
        try (PostgresStateStore alpha = PostgresStateStore.open(settings(url), "host-a:/data");
             PostgresStateStore command = PostgresStateStore.open(settings(url), "host-b:/data")) {
            Held held = alphaHoldsP1(alpha);
            long incarnation = held.incarnation();
            long epoch = held.epoch();
            List<String> refused = new java.util.ArrayList<>();
            alpha.fence(new WriteFence() {
                @Override
                public long incarnation() {
                    return incarnation;
                }

                @Override
                public Long epoch(String profileId) {
                    return epoch; // what alpha believes it holds, as after a freeze it did not notice
                }

                @Override
                public void stale(String profileId, long heldEpoch, Long databaseEpoch) {
                    refused.add(profileId + "@" + heldEpoch + "/" + databaseEpoch);
                }

                @Override
                public void notHeld(String profileId) {
                    refused.add(profileId);
                }
            });
            alpha.write(new StateWrite(List.of(ProfileState.fresh("p1", "podA")), List.of()));

            execute(url, "UPDATE runners SET heartbeat_at = now() - INTERVAL '1 hour' WHERE member_name = 'alpha'");
            assertEquals(Optional.empty(), command.changeUnlessHeld("p1", TTL, "cli@beta", PostgresOfflineChangeTest::pause));
            // alpha's heartbeat lands again; nobody took p1; its loop writes p1 as it last knew it
            assertTrue(alpha.members().heartbeat(incarnation, "alpha", 0, 8).held());
            alpha.write(new StateWrite(List.of(ProfileState.fresh("p1", "podA")), List.of()));

            assertTrue(command.loadProfiles().get("p1").paused(), "the pause stands");
            assertEquals(List.of("p1@" + epoch + "/null"), refused, "alpha's write was refused as stale");
            assertEquals(java.util.Map.of(), alpha.leases().heldBy(incarnation), "alpha no longer holds p1");
        }
    }
}
