package io.smartrunner.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smartrunner.config.StoreSettings;
import io.smartrunner.testkit.PostgresServer;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A runner that comes back after a crash takes first the free leases its own data dir held last,
 * whatever their order, so each profile's browser data stays on the machine that has it
 * (docs/cluster-leases.md, "Acquisition").
 */
class PostgresLeasePreferenceTest {
    private static final long TTL = 15_000;
    private static final List<String> PROFILES = List.of("p1", "p2", "p3", "p4", "p5", "p6");
    private final PostgresServer server = PostgresServer.shared();

    @Test
    void aRestartedRunnerTakesBackTheProfilesItsDataDirHeldBeforeOthers() {
        String url = server.newDatabase("lease_preference");
        String db = url.substring(url.lastIndexOf('/') + 1);
        StoreSettings settings = StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 2);
        try (PostgresStateStore beta = PostgresStateStore.open(settings, "host-b:/srv/b")) {
            long b = beta.members().join(new PostgresMembers.Joiner("beta", List.of(), "host-b", 12, 8), TTL).incarnation();
            beta.leases().ensure(PROFILES);
            try (PostgresStateStore alpha = PostgresStateStore.open(settings, "host-a:/srv/a")) {
                long a = alpha.members().join(new PostgresMembers.Joiner("alpha", List.of(), "host-a", 11, 8), TTL).incarnation();
                assertEquals(2, alpha.leases().acquire(a, List.of("p5", "p6"), 2, TTL).size());
                assertEquals(2, beta.leases().acquire(b, List.of("p3", "p4"), 2, TTL).size());
            }
            // both die (kill -9: no release), then alpha's data dir starts again first
            server.execute(db, "UPDATE runners SET heartbeat_at = now() - interval '20 seconds'");
            try (PostgresStateStore alpha = PostgresStateStore.open(settings, "host-a:/srv/a")) {
                long a2 = alpha.members().join(new PostgresMembers.Joiner("alpha", List.of(), "host-a", 13, 8), TTL).incarnation();
                Set<String> got = alpha.leases().acquire(a2, PROFILES, 2, TTL).stream()
                        .map(PostgresLeases.Acquired::profileId).collect(Collectors.toSet());
                assertEquals(Set.of("p5", "p6"), got, "its own, before the free p1, p2 and beta's p3, p4");
                Set<String> next = alpha.leases().acquire(a2, PROFILES, 2, TTL).stream()
                        .map(PostgresLeases.Acquired::profileId).collect(Collectors.toSet());
                assertEquals(Set.of("p3", "p4"), next, "then a dead runner's, before leases nobody held");
            }
        }
    }
}
