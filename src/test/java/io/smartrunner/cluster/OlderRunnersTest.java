package io.smartrunner.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.ClusterSettings;
import io.smartrunner.config.StoreSettings;
import io.smartrunner.store.PostgresMembers;
import io.smartrunner.store.PostgresStateStore;
import io.smartrunner.testkit.PostgresServer;
import io.smartrunner.testkit.TestConfig;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A fleet upgraded one machine at a time (reviewer R4): a live runner of a release before schema 13
 * publishes no config (not compared, and not said to agree), one before schema 11 judges every runner
 * by its own TTL. The new runner says so once, on stderr and in {@code /readyz}'s note, and
 * {@code runners} says it too. An older runner's row is this release's row with those columns null.
 */
class OlderRunnersTest {
    private final PostgresServer server = PostgresServer.shared();

    private static StoreSettings settings(String url) {
        return StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 2);
    }

    @Test
    void liveRunnersOfAnOlderReleaseAreSaidOnceAndListedAsNotCompared() {
        String url = server.newDatabase("older_runners");
        ClusterSettings timings = ClusterSettings.leases(30_000, 2_000, 25_000);
        try (PostgresStateStore a = PostgresStateStore.open(settings(url), "host-a:/srv/a");
             PostgresStateStore b = PostgresStateStore.open(settings(url), "host-b:/srv/b")) {
            a.members().join(new PostgresMembers.Joiner("alpha", List.of(), "host-a", 11, 8), 30_000);
            b.members().join(new PostgresMembers.Joiner("old", List.of(), "host-b", 12, 8), 15_000);
            List<String> said = new CopyOnWriteArrayList<>();
            try (FleetConfigWatch watch = new FleetConfigWatch(a.members(), "alpha", timings, said::add)) {
                watch.publish(TestConfig.builder().pod("podA", "p1").build());
                assertEquals(List.of(), said, "a runner of this release that joined a moment ago may not have"
                        + " published yet: no older release (reviewer R5: four runners started together)");

                server.execute(url.substring(url.lastIndexOf('/') + 1), "UPDATE runners SET lease_ttl_ms = NULL,"
                        + " started_at = now() - interval '1 minute' WHERE member_name = 'old'"); // a release before 11
                watch.check();
                watch.check(); // again: said once

                assertEquals(1, said.size(), said.toString());
                assertEquals("runner(s) old run an older release (before schema 13): their configs are not compared;"
                        + " runner(s) old (before schema 11) judge every runner by their own cluster.leaseTtlMs: until"
                        + " they are upgraded give every runner the same cluster timings (this one: leaseTtlMs 30000,"
                        + " renewEveryMs 2000, renewDeadlineMs 25000), or a runner whose TTL is longer than theirs has"
                        + " its profiles taken while it runs them (docs/cluster.md, \"Upgrading a fleet\")", said.get(0));
                assertEquals("runner(s) old of an older release ('smart-runner runners' says what that means)",
                        watch.note());

                Map<String, Object> view = RunnersView.cluster(a.members(), 30_000);
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> rows = (List<Map<String, Object>>) view.get("runners");
                Map<String, Object> old = rows.stream().filter(r -> r.get("name").equals("old")).findFirst().orElseThrow();
                assertNull(old.get("configDiffersFrom"), "not compared, which is not agreeing");
                assertEquals(List.of(), rows.stream().filter(r -> r.get("name").equals("alpha")).findFirst()
                        .orElseThrow().get("configDiffersFrom"));
                assertTrue(RunnersView.table(view).contains("runner(s) old run an older release (before schema 13)"),
                        RunnersView.table(view));

                b.members().publishConfig("d1", FleetConfigShape.of(TestConfig.builder().pod("podA", "p1").build())
                        .toJson()); // upgraded: it publishes, and writes its TTL
                server.execute(url.substring(url.lastIndexOf('/') + 1), "UPDATE runners SET lease_ttl_ms = 15000"
                        + " WHERE member_name = 'old'");
                watch.check();
                assertEquals("no live runner of an older release any more: every live runner's config is compared",
                        said.get(said.size() - 1));
                assertNull(watch.note());
            }
        }
    }
}
