package io.smartrunner.cli;

import io.smartrunner.SmartRunnerException;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.config.StoreSettings;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.JsonlEventSink;
import io.smartrunner.event.Redactor;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.store.DataDirLock;
import io.smartrunner.store.LadderStat;
import io.smartrunner.store.MemberRow;
import io.smartrunner.store.PostgresStateStore;
import io.smartrunner.store.RunnerName;
import io.smartrunner.store.SessionRecord;
import io.smartrunner.store.SqliteStateStore;
import io.smartrunner.store.StateImport;
import io.smartrunner.store.StoreException;
import io.smartrunner.store.StateWrite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code import-state}: a single machine growing into a fleet. Copies its SQLite store (each
 * configured profile's streak and pause, its kept sessions, the adaptive ladder's statistics) into
 * the PostgreSQL store the cluster config names, so a profile paused on the single machine stays
 * paused in the fleet instead of running again on every machine. Done before the fleet's runners
 * start: it is refused while any of them is alive (a live runner holds profiles and writes their
 * rows from memory), and while a runner uses the old store's data dir.
 * <p>Each imported profile gets an {@code import} event, in this data dir's log first (fsynced)
 * and then, with its row, in the fleet's events table, so its history says where its state came
 * from. The rows and events are written in one transaction; the sessions and the statistics after
 * it, each in its own: an import stopped half-way is finished by running it again with
 * {@code --replace}.
 */
@Command(name = "import-state", description = "Copy a single machine's state store (its state.db: error streaks,"
        + " pauses, kept sessions, the adaptive ladder's statistics) into the PostgreSQL store this config names,"
        + " before the fleet's runners start. Profiles the fleet already has keep the fleet's state unless"
        + " --replace; profiles the config does not name are left out.")
final class ImportStateCommand implements Callable<Integer> {
    /** How many profile ids a line lists before it says how many more there are. */
    private static final int IDS_SHOWN = 10;
    /** The {@code meta} key naming the fleet an import into stopped after the rows, before the sessions were all in. */
    private static final String UNFINISHED = "import_unfinished";
    /** Sessions written per transaction. */
    private static final int SESSIONS_PER_WRITE = 5_000;
    /** How long one of its writes may wait for the server's answer. */
    private static final long WRITE_WAIT_MS = 120_000;

    @Mixin
    ConfigOption config;

    @Option(names = "--from", paramLabel = "STATE_DB",
            description = "the single machine's state store, or its data dir (default: state.db in this config's"
                    + " runner.dataDir)")
    Path from;

    @Option(names = "--replace", description = "overwrite the state the fleet already has for these profiles")
    boolean replace;

    @Override
    public Integer call() {
        // it reads a SQLite file and writes the store: the runner's other secrets are not its business
        RunnerConfig cfg = config.loadToInspect();
        if (cfg.store().kind() != StoreSettings.Kind.POSTGRES) {
            throw new SmartRunnerException(config.file + ": store.kind is \"sqlite\"; import-state copies a single"
                    + " machine's state into the PostgreSQL store of a cluster config (store.kind \"postgres\"):"
                    + " nothing was changed", null, 2);
        }
        Path db = (from != null ? from : RunnerHome.stateFile(cfg.runner())).toAbsolutePath().normalize();
        if (Files.isDirectory(db)) {
            db = db.resolve("state.db"); // a data dir named instead of its store
        }
        if (!Files.isRegularFile(db)) {
            throw new SmartRunnerException(db + ": no state store there; --from names a single machine's state.db"
                    + " (in its runner.dataDir): nothing was changed", null, 2);
        }
        try (DataDirLock lock = DataDirLock.tryAcquire(db.getParent())) {
            if (lock == null) {
                throw new SmartRunnerException(db.getParent() + ": a runner is using this data dir; stop it, then"
                        + " import: nothing was changed");
            }
            try (SqliteStateStore old = SqliteStateStore.open(db, cfg.runner().sqliteSynchronous(),
                    cfg.runner().sessionsKeptPerProfile(), RunCommand::say)) {
                int running = old.openSessions().size();
                if (running > 0) {
                    // its processes may still be alive: only a runner on that store ends them and what they left
                    throw new SmartRunnerException(db + ": " + running + " session(s) are still marked running (its"
                            + " runner was killed); start a runner on it once with its SQLite config, so it ends them"
                            + " and stops what they left, then import: nothing was changed");
                }
                // a runner's writes wait storeWaitMs (1 s) for an answer, to keep its loop turning; the
                // import's are a thousand rows at a time, and nothing waits on them
                try (PostgresStateStore fleet = PostgresStateStore.open(cfg.store(),
                        RunnerName.forDataDir(cfg.runner().dataDir()), cfg.runner().sessionsKeptPerProfile(),
                        WRITE_WAIT_MS, io.smartrunner.store.SchemaUpgrade.REFUSED)) {
                    System.out.print(copy(cfg, db, old, fleet));
                }
            }
        }
        return 0;
    }

    private String copy(RunnerConfig cfg, Path db, SqliteStateStore old, PostgresStateStore fleet) {
        long ttlMs = cfg.cluster().leaseTtlMs();
        List<String> alive = fleet.members().list(ttlMs).stream().filter(m -> MemberRow.ALIVE.equals(m.state()))
                .map(MemberRow::name).toList();
        if (!alive.isEmpty()) {
            throw new SmartRunnerException("runner(s) " + String.join(", ", alive) + " are running on "
                    + fleet.members().where() + "; import-state copies into a fleet none of whose runners runs"
                    + " (a live runner writes its profiles' rows from memory): stop them, import, start them again:"
                    + " nothing was changed");
        }
        Map<String, String> configured = new LinkedHashMap<>();
        for (ProfileConfig p : cfg.profiles()) {
            configured.put(p.id(), p.pod());
        }
        String via = cfg.runner().name() != null ? cfg.runner().name() : fleet.runnerName();
        String by = "import-state@" + via;
        Instant now = fleet.databaseNow(); // the cluster's clock, as its runners date events by it
        StateImport.Plan plan = StateImport.plan(old.loadProfiles(), fleet.loadProfiles(), configured, replace, now,
                db.toString(), by);
        String target = fleet.members().where() + ", database " + cfg.store().database();
        String before = old.importedInto();
        // an earlier import into this fleet stopped after the rows: the profiles it kept now are the
        // ones it imported, whose sessions and statistics are to be copied still
        boolean resuming = target.equals(old.meta(UNFINISHED));
        List<String> imported = new ArrayList<>();
        Map<String, String> held = Map.of();
        if (!plan.changes().isEmpty()) {
            Redactor redactor = new Redactor(cfg.secretValues());
            List<EventRecord> events = plan.changes().values().stream()
                    .flatMap(c -> c.events().stream()).map(redactor::redact).toList();
            // durable before the rows are: an event is written before the change it records takes effect
            try (JsonlEventSink log = OfflineControl.eventLog(cfg.runner())) {
                log.append(events);
            }
            Set<String> written = new HashSet<>();
            held = fleet.changeEachUnlessHeld(new ArrayList<>(plan.changes().keySet()), ttlMs, by, (id, row) -> {
                if (row != null && !replace) {
                    return null; // written by a runner since the plan was made: the fleet's is newer
                }
                written.add(id);
                return plan.changes().get(id);
            });
            plan.changes().keySet().stream().filter(written::contains).forEach(imported::add);
        }
        if (!imported.isEmpty() || !plan.kept().isEmpty()) {
            // the rows are the fleet's now: a runner on this file would run its profiles a second
            // time, from older state (marked before the sessions, which may fail half-way)
            old.putMeta(SqliteStateStore.IMPORTED_INTO, target + " on "
                    + now.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
            old.putMeta(UNFINISHED, target);
        }
        List<String> copied = new ArrayList<>(imported);
        if (resuming) {
            copied.addAll(plan.kept());
        }
        int sessions;
        int stats;
        try {
            sessions = copySessions(old, fleet, copied, cfg.runner().sessionsKeptPerProfile());
            stats = copyLadderStats(old, fleet);
        } catch (StoreException e) {
            throw new SmartRunnerException(e.getMessage() + "; the state of " + copied.size() + " profile(s) was"
                    + " imported, their sessions and the ladder's statistics only in part: run import-state again"
                    + " to finish", e);
        }
        old.putMeta(UNFINISHED, null);
        String out = summary(db, fleet.members().where(), plan, imported, held, sessions, stats);
        if (resuming) {
            out += "finished the import that stopped half-way: the sessions and statistics of " + plan.kept().size()
                    + " profile(s) it had imported\n";
        }
        if (before != null && !before.startsWith(target + " on ")) {
            out += db + " had been imported into " + before + " already; it is marked as this fleet's now\n";
        }
        return out;
    }

    /**
     * The imported profiles' kept sessions, a few thousand per write: 1 000 profiles keep up to a
     * million, which the runner's heap would not hold at once.
     */
    private static int copySessions(SqliteStateStore old, PostgresStateStore fleet, List<String> imported, int kept) {
        int copied = 0;
        List<SessionRecord> batch = new ArrayList<>();
        for (String id : imported) {
            batch.addAll(old.recentSessions(id, kept));
            if (batch.size() >= SESSIONS_PER_WRITE) {
                fleet.write(new StateWrite(List.of(), batch));
                copied += batch.size();
                batch.clear();
            }
        }
        fleet.write(new StateWrite(List.of(), batch));
        return copied + batch.size();
    }

    /** The adaptive ladder's statistics the fleet does not have yet (with --replace: all of them). */
    private int copyLadderStats(SqliteStateStore old, PostgresStateStore fleet) {
        Set<String> there = fleet.loadLadderStats().stream().map(ImportStateCommand::key).collect(Collectors.toSet());
        List<LadderStat> missing = old.loadLadderStats().stream().filter(s -> replace || !there.contains(key(s))).toList();
        fleet.writeLadderStats(missing);
        return missing.size();
    }

    private static String key(LadderStat s) {
        return s.signature() + "\u0000" + s.step();
    }

    private String summary(Path db, String where, StateImport.Plan plan, List<String> imported, Map<String, String> held,
                           int sessions, int stats) {
        StringBuilder out = new StringBuilder();
        long paused = imported.stream().map(id -> plan.changes().get(id).state()).filter(ProfileState::paused).count();
        long streaks = imported.stream().map(id -> plan.changes().get(id).state()).filter(s -> s.errorStreak() > 0).count();
        Instant lastUntil = imported.stream().map(id -> plan.changes().get(id).state().pausedUntil())
                .filter(Objects::nonNull).max(Instant::compareTo).orElse(null);
        out.append("imported ").append(imported.size()).append(" profile(s) from ").append(db).append(" into ")
                .append(where).append(": ").append(paused).append(" paused");
        if (lastUntil != null) {
            out.append(" (the last until ").append(lastUntil).append(')');
        }
        out.append(", ").append(streaks).append(" with an error streak; ").append(sessions).append(" session(s), ")
                .append(stats).append(" statistic(s) of the adaptive ladder\n");
        if (!plan.kept().isEmpty()) {
            out.append("kept the fleet's own state of ").append(ids(plan.kept()))
                    .append(" (it has rows for them; --replace overwrites them)\n");
        }
        List<String> raced = plan.changes().keySet().stream()
                .filter(id -> !imported.contains(id) && !held.containsKey(id)).toList();
        if (!raced.isEmpty()) {
            out.append("kept the fleet's own state of ").append(ids(raced))
                    .append(" (a runner wrote their rows during the import; --replace overwrites them)\n");
        }
        if (!held.isEmpty()) {
            out.append("not imported, held by a runner that started during the import: ")
                    .append(ids(new ArrayList<>(held.keySet()))).append(" (stop the fleet's runners, then import again)\n");
        }
        if (!plan.notInConfig().isEmpty()) {
            out.append("left out ").append(ids(plan.notInConfig())).append(" (not in ").append(config.file)
                    .append(")\n");
        }
        return out.toString();
    }

    private static String ids(List<String> ids) {
        String shown = String.join(", ", ids.subList(0, Math.min(IDS_SHOWN, ids.size())));
        return ids.size() + " profile(s): " + shown + (ids.size() > IDS_SHOWN ? " and " + (ids.size() - IDS_SHOWN)
                + " more" : "");
    }
}
