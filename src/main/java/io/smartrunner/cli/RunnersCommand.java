package io.smartrunner.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.smartrunner.cluster.RunnersView;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.config.StoreSettings;
import io.smartrunner.store.PostgresStateStore;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code runners}: the fleet's members from the cluster database (with SQLite: one runner, no membership). */
@Command(name = "runners", description = "List the cluster's runners: name, labels, state, heartbeat age,"
        + " sessions, capacity (reads the database; with SQLite there is one runner and no membership).")
final class RunnersCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--json", description = "print the same JSON as GET /api/runners")
    boolean json;

    @Override
    public Integer call() throws Exception {
        RunnerConfig cfg = config.loadToInspect();
        Map<String, Object> view;
        if (cfg.store().kind() == StoreSettings.Kind.POSTGRES) {
            try (PostgresStateStore store = RunnerHome.postgres(cfg)) {
                view = RunnersView.cluster(store.members(), cfg.cluster().leaseTtlMs());
            }
        } else {
            view = RunnersView.single(cfg.runner());
        }
        view = io.smartrunner.cluster.PlacementView.add(view, cfg.profiles()); // runOn profiles no runner can run
        if (json) {
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(view));
        } else {
            System.out.print(RunnersView.table(view));
        }
        return 0;
    }
}
