package io.smartrunner.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.smartrunner.config.StoreSettings;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.store.PostgresFleetProfiles.FleetProfile;
import io.smartrunner.store.SessionRecord.Status;
import io.smartrunner.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Which runner the fleet view names for a profile, against a real PostgreSQL: the live holder of
 * its lease (a takeover shows before the new holder's first session), else the runner of its latest
 * session, kept on the profile's row (schema 8) and not changed by a command's write.
 */
class PostgresFleetProfilesTest {
    private static final long TTL = 15_000;
    private static final Instant T0 = Instant.parse("2026-12-05T08:00:00Z");
    private final PostgresServer server = PostgresServer.shared();

    private static StoreSettings settings(String url) {
        return StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 2);
    }

    /** A profile's row after its session {@code sessionId} started, and that session's row. */
    private static StateWrite started(String profileId, String sessionId, Instant at) {
        ProfileState p = new ProfileState(profileId, "podA", 0, true, false, false, null, sessionId, null, at, null, 0, null);
        return new StateWrite(List.of(p), List.of(new SessionRecord(sessionId, profileId, "podA", 4242, 987L, 4242, at,
                Status.RUNNING, null, null, null)));
    }

    private static Map<String, String> runners(PostgresStateStore store) {
        return store.fleetProfiles(TTL).all().stream().collect(Collectors.toMap(p -> p.state().profileId(),
                p -> String.valueOf(p.runner())));
    }

    private void execute(String url, String sql) throws Exception {
        try (Connection c = server.connect(url.substring(url.lastIndexOf('/') + 1)); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    @Test
    void aLiveLeaseHolderIsTheRunnerBeforeItsFirstSessionAndTheLastSessionsRunnerAfterItDies() throws Exception {
        String url = server.newDatabase("fleet_runner");
        try (PostgresStateStore alpha = PostgresStateStore.open(settings(url), "host-a:/data");
             PostgresStateStore beta = PostgresStateStore.open(settings(url), "host-b:/data")) {
            long a = alpha.members().join(new PostgresMembers.Joiner("alpha", List.of(), "host-a", 11, 8), TTL).incarnation();
            alpha.leases().ensure(List.of("p1", "p2"));
            assertEquals(1, alpha.leases().acquire(a, List.of("p1"), 1, TTL).size());
            alpha.write(started("p1", "s1", T0));
            beta.write(new StateWrite(List.of(ProfileState.fresh("p2", "podA")), List.of()));
            assertEquals(Map.of("p1", "alpha", "p2", "null"), runners(beta), "p2: never run, unheld");

            // alpha dies; beta takes p1 over and has not run it yet (its cooldown, say)
            execute(url, "UPDATE runners SET heartbeat_at = now() - INTERVAL '1 hour' WHERE member_name = 'alpha'");
            assertEquals(Map.of("p1", "alpha", "p2", "null"), runners(beta), "a dead holder: its last session's runner");
            long b = beta.members().join(new PostgresMembers.Joiner("beta", List.of(), "host-b", 12, 8), TTL).incarnation();
            assertEquals(1, beta.leases().acquire(b, List.of("p1"), 1, TTL).size());
            assertEquals(Map.of("p1", "beta", "p2", "null"), runners(beta), "the live holder, before its first session");
            assertEquals("beta", beta.fleetProfiles(TTL).one("p1").runner());

            // beta stops: p1 is nobody's, and its last session was still alpha's
            execute(url, "UPDATE runners SET stopped_at = now() WHERE member_name = 'beta'");
            assertEquals("alpha", beta.fleetProfiles(TTL).one("p1").runner());
        }
    }

    @Test
    void theLastSessionsRunnerFollowsNewSessionsOnlyAndACommandsWriteKeepsIt() throws Exception {
        String url = server.newDatabase("fleet_last_runner");
        try (PostgresStateStore alpha = PostgresStateStore.open(settings(url), "host-a:/data");
             PostgresStateStore beta = PostgresStateStore.open(settings(url), "host-b:/data");
             PostgresStateStore command = PostgresStateStore.open(settings(url), "host-c:/data")) {
            alpha.members().join(new PostgresMembers.Joiner("alpha", List.of(), "host-a", 11, 8), TTL);
            beta.members().join(new PostgresMembers.Joiner("beta", List.of(), "host-b", 12, 8), TTL);
            execute(url, "UPDATE runners SET stopped_at = now()"); // no live lease anywhere: the last session decides
            alpha.write(started("p1", "s1", T0));
            assertEquals("alpha", alpha.fleetProfiles(TTL).one("p1").runner());

            // beta closes alpha's session (a takeover's write): the profile's latest session is still alpha's
            ProfileState closed = new ProfileState("p1", "podA", 1, false, false, false, null, "s1", "lost", T0,
                    T0.plusSeconds(30), 0, null);
            beta.write(new StateWrite(List.of(closed), List.of()));
            assertEquals("alpha", beta.fleetProfiles(TTL).one("p1").runner());

            // a command's change (no runner of its own) keeps it too
            Optional<String> held = command.changeUnlessHeld("p1", TTL, "cli@gamma", row -> new ProfileChange(
                    new ProfileState("p1", "podA", 0, false, false, false, null, row.lastSessionId(), null,
                            row.lastStartedAt(), row.lastFinishedAt(), row.pauseCount(), null), List.of()));
            assertEquals(Optional.empty(), held);
            assertEquals("alpha", command.fleetProfiles(TTL).one("p1").runner());

            beta.write(started("p1", "s2", T0.plusSeconds(60)));
            FleetProfile p1 = alpha.fleetProfiles(TTL).one("p1");
            assertEquals("beta", p1.runner(), "beta's session is the latest now");
            assertEquals("s2", p1.state().lastSessionId());
            assertNull(alpha.fleetProfiles(TTL).one("nope"));
        }
    }

    @Test
    void aDatabaseOfSchema7GetsEachProfilesLastRunnerFromItsSessions() throws Exception {
        String url = server.newDatabase("fleet_v7");
        try (PostgresStateStore alpha = PostgresStateStore.open(settings(url), "host-a:/data")) {
            alpha.members().join(new PostgresMembers.Joiner("alpha", List.of(), "host-a", 11, 8), TTL);
            alpha.write(started("p1", "s1", T0));
            alpha.write(new StateWrite(List.of(ProfileState.fresh("p2", "podA")), List.of()));
        }
        // as a runner before schema 8 left it (the later migrations undone too, so that 8 runs again)
        execute(url, "ALTER TABLE profiles DROP COLUMN last_runner; ALTER TABLE events DROP COLUMN incarnation;"
                + " DROP TABLE incarnations; DROP TABLE lease_epochs; ALTER TABLE runners DROP COLUMN lease_ttl_ms;"
                + " ALTER TABLE runners DROP COLUMN forgotten_at;"
                + " ALTER TABLE runners DROP COLUMN fleet_config; ALTER TABLE runners DROP COLUMN fleet_config_digest;"
                + " DELETE FROM schema_version WHERE version >= 8");
        try (PostgresStateStore again = PostgresStateStore.open(settings(url), "host-b:/data")) {
            execute(url, "UPDATE runners SET stopped_at = now()");
            assertEquals(Map.of("p1", "alpha", "p2", "null"), runners(again));
        }
    }
}
