package io.smartrunner.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.StoreSettings;
import io.smartrunner.testkit.Await;
import io.smartrunner.testkit.PostgresServer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * After the database itself was down for longer than the lease, no runner's heartbeat could land:
 * the first runner back used to take every other runner's leases at once (a reviewer's three
 * runners reshuffled all 60 profiles after a 14 s restart, and the takers wrote {@code lost} for
 * sessions whose holder's own end was still queued). A heartbeat now counts from the server's start
 * at the earliest: the others get one TTL to be heard again, and a runner that died meanwhile
 * still loses its leases one TTL after the restart.
 */
class PostgresLeasesAfterRestartTest {
    private static final long TTL = 8_000;
    private static final List<String> PROFILES = List.of("p1", "p2", "p3");
    private final PostgresServer server = PostgresServer.start(true); // restarted here: never the shared one

    @AfterEach
    void stop() {
        server.stop();
    }

    @Test
    void aRestartedDatabaseGivesEveryRunnerOneTtlToBeHeardAgainBeforeItsLeasesAreTaken() {
        String url = server.newDatabase("after_restart");
        String db = url.substring(url.lastIndexOf('/') + 1);
        StoreSettings settings = StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 2);
        long b;
        try (PostgresStateStore alpha = PostgresStateStore.open(settings, "host-a:/srv/a");
             PostgresStateStore beta = PostgresStateStore.open(settings, "host-b:/srv/b")) {
            long a = alpha.members().join(new PostgresMembers.Joiner("alpha", List.of(), "host-a", 11, 8), TTL);
            b = beta.members().join(new PostgresMembers.Joiner("beta", List.of(), "host-b", 12, 8), TTL);
            alpha.leases().ensure(PROFILES);
            assertEquals(2, alpha.leases().acquire(a, List.of("p1", "p2"), 2, TTL).size());
        }

        server.stopKeepingData();
        server.startAgain();
        // a long outage: the last heartbeats landed well over a TTL ago
        server.execute(db, "UPDATE runners SET heartbeat_at = now() - interval '1 hour'");

        try (PostgresStateStore beta = PostgresStateStore.open(settings, "host-b:/srv/b")) {
            assertTrue(beta.members().heartbeat(b, "beta", 0, 8), "beta is heard again");
            assertEquals(Set.of("p3"), ids(beta.leases().acquire(b, PROFILES, 3, TTL)),
                    "alpha's p1 and p2 wait for alpha to be heard again");

            // alpha is never heard again (it died during the outage): its leases go one TTL after the restart
            Set<String> taken = new HashSet<>();
            Await.until("alpha's leases are taken one TTL after the restart", Duration.ofMillis(TTL * 4), () -> {
                beta.members().heartbeat(b, "beta", 0, 8);
                taken.addAll(ids(beta.leases().acquire(b, PROFILES, 3, TTL)));
                return taken.equals(Set.of("p1", "p2"));
            });
        }
    }

    private static Set<String> ids(List<PostgresLeases.Acquired> acquired) {
        Set<String> ids = new HashSet<>();
        acquired.forEach(x -> ids.add(x.profileId()));
        return ids;
    }
}
