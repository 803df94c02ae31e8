package io.smartrunner.cli;

import io.smartrunner.SmartRunnerException;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.config.RunnerSettings;
import io.smartrunner.config.StoreSettings;
import io.smartrunner.store.DataDirLock;
import io.smartrunner.store.StateRebuild;
import io.smartrunner.time.TimeSource;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code rebuild-state}: replaces the state store by the state replayed from the event log (the
 * old file is kept as {@code state.db.bak-<ts>}). Refused while a runner uses the data dir, and in
 * cluster mode (the state is the fleet's, in PostgreSQL).
 */
@Command(name = "rebuild-state", description = "Rebuild the state store (state.db in runner.dataDir) from the event log; "
        + "the old file is kept as state.db.bak-<time>. Not while a runner is running.")
final class RebuildStateCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Override
    public Integer call() {
        // it reads the event log and writes state.db: the runner's secrets are not its business
        RunnerConfig cfg = config.loadToInspect();
        if (cfg.store().kind() == StoreSettings.Kind.POSTGRES) {
            // the fleet's rows are written by every runner; one runner's log is not their history
            throw new SmartRunnerException(config.file + ": store.kind is \"postgres\"; rebuild-state rebuilds"
                    + " only a SQLite store (state.db in runner.dataDir) from this runner's event log, and the fleet's"
                    + " state in PostgreSQL is not rebuilt from one runner's log: nothing was changed");
        }
        RunnerSettings r = cfg.runner();
        try (DataDirLock lock = DataDirLock.tryAcquire(r.dataDir())) {
            if (lock == null) {
                throw new SmartRunnerException(r.dataDir() + ": a runner is using this data dir; stop it first");
            }
            String imported = RunnerHome.importMark(RunnerHome.stateFile(r));
            if (imported != null) {
                // rebuilt, it would be a single machine's store again: the guard of RunnerHome.openSqlite gone
                throw RunnerHome.importedStore(r, imported, "rebuilt, it would run them a second time. To run this"
                        + " machine alone again anyway");
            }
            StateRebuild.Result result = StateRebuild.rebuild(r.eventLog(), RunnerHome.stateFile(r),
                    r.sqliteSynchronous(), r.sessionsKeptPerProfile(), TimeSource.system().now());
            System.out.println(result.summary());
            return 0;
        }
    }
}
