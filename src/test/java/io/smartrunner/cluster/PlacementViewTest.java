package io.smartrunner.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.RunnerSettings;
import io.smartrunner.config.StoreSettings;
import io.smartrunner.store.PostgresStateStore;
import io.smartrunner.testkit.PostgresServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** runOn profiles no runner can run, in {@code runners} and {@code GET /api/runners}. */
class PlacementViewTest {
    private static final List<ProfileConfig> PROFILES = List.of(profile("any"), profile("eu1", "eu"),
            profile("ads1", "adspower", "ads-b"));

    private static ProfileConfig profile(String id, String... runOn) {
        return new ProfileConfig(id, "pod", null, null, null, null, List.of(runOn));
    }

    private static RunnerSettings runner(String name, List<String> labels) {
        RunnerSettings d = RunnerSettings.defaults();
        return new RunnerSettings(5, Path.of("data"), d.eventLog(), d.eventLogFsync(), d.eventLogFsyncIntervalMs(),
                d.startJitterMs(), d.sqliteSynchronous(), d.fileMode(), d.eventLogMaxBytes(), d.eventLogKeep(),
                d.minFreeMemoryMb(), d.maxLoadPerCore(), name, labels);
    }

    @SuppressWarnings("unchecked")
    private static List<String> waiting(Map<String, Object> view) {
        return ((List<Map<String, Object>>) view.get("waiting")).stream()
                .map(r -> r.get("profile") + ": " + r.get("why")).toList();
    }

    @Test
    void inClusterModeAPinnedProfileWaitsWhileNoLiveRunnerHasOneOfItsLabels() {
        PostgresServer server = PostgresServer.shared();
        String url = server.newDatabase("placement_view");
        try (PostgresStateStore store = PostgresStateStore.open(
                StoreSettings.postgres(url, PostgresServer.USER, PostgresServer.PASSWORD, 2), "host-a:/srv/a")) {
            Membership eu = Membership.join(store.members(), runner("alpha", List.of("eu")), "host-a", 42,
                    new ArrayList<String>()::add);
            Map<String, Object> view = PlacementView.add(RunnersView.cluster(store.members()), PROFILES);
            assertEquals(List.of("ads1: waiting for a live runner labelled adspower or ads-b"), waiting(view));
            assertEquals(1, view.get("waitingCount"));
            String table = RunnersView.table(view);
            assertTrue(table.contains("1 profile(s) no runner can run now (runOn):\n  ads1: waiting for a live runner"
                    + " labelled adspower or ads-b\n"), table);

            eu.close(); // stopped: its label no longer counts
            view = PlacementView.add(RunnersView.cluster(store.members()), PROFILES);
            assertEquals(2, view.get("waitingCount"));
            assertTrue(waiting(view).contains("eu1: waiting for a live runner labelled eu"), waiting(view).toString());
        }
    }

    @Test
    void withSqliteTheProfilesThisRunnersLabelsDoNotFitNeverRunHere() {
        Map<String, Object> view = PlacementView.add(RunnersView.single(runner("one", List.of("ads-b"))), PROFILES);
        assertEquals(List.of("eu1: never runs here: this runner has none of the labels eu"), waiting(view));
        assertEquals("", PlacementView.lines(PlacementView.add(RunnersView.single(runner("one", List.of("eu", "ads-b"))),
                PROFILES)), "nothing to say when every profile fits");
    }
}
