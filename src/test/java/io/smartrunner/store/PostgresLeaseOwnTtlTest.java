package io.smartrunner.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.StoreSettings;
import io.smartrunner.testkit.PostgresServer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runners of one fleet with different {@code cluster.leaseTtlMs}: a runner is live to the others
 * for its own TTL when that is longer than theirs (V11), so a holder with a 15 s TTL, which fences
 * itself by its 10 s renew deadline, keeps its profiles against a taker with an 8 s TTL until 15 s
 * have passed (reviewer R: the taker ran a profile at 8 s while the holder still ran it).
 */
class PostgresLeaseOwnTtlTest {
    private static final long HOLDER_TTL = 15_000;
    private static final long TAKER_TTL = 8_000;
    private final PostgresServer server = PostgresServer.shared();

    @Test
    void aHolderWithALongerTtlStaysLiveToATakerWithAShorterOneUntilItsOwnTtlHasPassed() {
        String url = server.newDatabase("lease_own_ttl");
        String db = url.substring(url.lastIndexOf('/') + 1);
        StoreSettings settings = StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 2);
        try (PostgresStateStore alpha = PostgresStateStore.open(settings, "host-a:/srv/a");
             PostgresStateStore gamma = PostgresStateStore.open(settings, "host-g:/srv/g")) {
            long a = alpha.members().join(new PostgresMembers.Joiner("alpha", List.of(), "host-a", 11, 8), HOLDER_TTL)
                    .incarnation();
            long g = gamma.members().join(new PostgresMembers.Joiner("gamma", List.of(), "host-g", 12, 8), TAKER_TTL)
                    .incarnation();
            alpha.leases().ensure(List.of("p1"));
            assertEquals(1, alpha.leases().acquire(a, List.of("p1"), 1, HOLDER_TTL).size());

            // alpha's last heartbeat 10 s ago: past gamma's TTL, within its own
            server.execute(db, "UPDATE runners SET heartbeat_at = now() - INTERVAL '10 seconds' WHERE incarnation = " + a);
            assertEquals(List.of(), gamma.leases().acquire(g, List.of("p1"), 1, TAKER_TTL), "alpha holds p1 still");
            assertEquals(MemberRow.ALIVE, state(gamma, "alpha"));
            assertEquals(HOLDER_TTL, gamma.members().list(TAKER_TTL).stream().filter(m -> m.name().equals("alpha"))
                    .findFirst().orElseThrow().leaseTtlMs(), "listed with its own TTL (runners --json)");
            PostgresLeases.Fleet fleet = gamma.leases().fleet(g, TAKER_TTL);
            assertEquals(2, fleet.liveRunners(), "both live by the database clock");
            assertTrue(fleet.nextExpiryMs() > 3_000 && fleet.nextExpiryMs() <= 5_000,
                    "alpha's leases free in about 5 s, by its own TTL: " + fleet.nextExpiryMs());

            // its name too: refused by the TTL that holds it, and the line gives that one (reviewer R2)
            try (PostgresStateStore again = PostgresStateStore.open(settings, "host-x:/srv/x")) {
                NameTakenException taken = org.junit.jupiter.api.Assertions.assertThrows(NameTakenException.class,
                        () -> again.members().join(new PostgresMembers.Joiner("alpha", List.of(), "host-x", 13, 8),
                                TAKER_TTL));
                assertTrue(taken.getMessage().contains("; a runner without a heartbeat for 15.0 s is gone)"),
                        taken.getMessage());
            }

            // past its own TTL too: gone, and its profile is taken
            server.execute(db, "UPDATE runners SET heartbeat_at = now() - INTERVAL '16 seconds' WHERE incarnation = " + a);
            assertEquals(MemberRow.STALE, state(gamma, "alpha"));
            assertEquals(1, gamma.leases().acquire(g, List.of("p1"), 1, TAKER_TTL).size());
        }
    }

    private static String state(PostgresStateStore store, String name) {
        return store.members().list(TAKER_TTL).stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow()
                .state();
    }
}
