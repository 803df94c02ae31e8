package io.smartrunner.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.smartrunner.SmartRunnerException;
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

    @Option(names = "--forget", paramLabel = "NAME", description = "stop listing a runner that left the fleet for"
            + " good (stopped or stale; its sessions and events stay); a runner joining under that name is listed"
            + " again")
    String forget;

    @Override
    public Integer call() throws Exception {
        RunnerConfig cfg = config.loadToInspect();
        if (forget != null) {
            return forget(cfg);
        }
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

    private int forget(RunnerConfig cfg) {
        if (cfg.store().kind() != StoreSettings.Kind.POSTGRES) {
            throw new SmartRunnerException(config.file + ": store.kind is \"sqlite\": one runner, no membership;"
                    + " --forget is for a cluster's runners (store.kind \"postgres\")", null, 2);
        }
        try (PostgresStateStore store = RunnerHome.postgres(cfg)) {
            String where = store.members().where();
            switch (store.members().forget(forget, cfg.cluster().leaseTtlMs())) {
                case FORGOTTEN -> System.out.println("runner " + forget + " forgotten: " + where + " no longer lists"
                        + " it; its sessions and events stay, and a runner joining as " + forget + " is listed again");
                case ALIVE -> throw new SmartRunnerException("runner " + forget + " is alive on " + where
                        + " (its heartbeat is younger than its lease TTL): stop it first, nothing was changed");
                case UNKNOWN -> throw new SmartRunnerException("no runner named " + forget + " on " + where
                        + " ('smart-runner runners' lists them): nothing was changed", null, 2);
            }
        }
        return 0;
    }
}
