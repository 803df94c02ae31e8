package io.smartrunner.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.smartrunner.SmartRunnerException;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.config.StoreSettings;
import io.smartrunner.process.Containment;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.profile.ProfileStateJson;
import io.smartrunner.store.DataDirLock;
import io.smartrunner.store.PostgresFleetProfiles;
import io.smartrunner.store.PostgresStateStore;
import io.smartrunner.store.SqliteStateStore;
import io.smartrunner.store.StateStore;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code status}: every configured profile's persisted state, as a table or as the spec's JSON objects. */
@Command(name = "status", description = "Show each profile's state (reads the state store; works while the runner runs).")
final class StatusCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--json", description = "print the spec's state objects as a JSON array")
    boolean json;

    @Override
    public Integer call() throws Exception {
        RunnerConfig cfg = config.loadToInspect();
        // before any line: a table read from a directory another user could write is no status (reviewer R7)
        DataDirLock.requireOwn(cfg.runner().dataDir());
        PrintStream out = System.out;
        if (cfg.store().kind() == StoreSettings.Kind.POSTGRES) {
            try {
                fleet(cfg, out);
            } catch (io.smartrunner.store.StoreException e) {
                // the database is out of reach: the runner running here still says how it copes (self-fencing)
                System.err.println("smart-runner: " + e.getMessage());
                System.out.println(THIS_DATA_DIR + runner(cfg));
                return 1;
            }
            (json ? System.err : out).println(THIS_DATA_DIR + runner(cfg));
            return 0;
        }
        List<ProfileState> states = states(cfg);
        String noStore = missingStore(cfg);
        if (noStore != null) {
            System.err.println("smart-runner: " + noStore);
        }
        String imported = RunnerHome.importMark(RunnerHome.stateFile(cfg.runner()));
        if (imported != null) {
            System.err.println("smart-runner: " + RunnerHome.stateFile(cfg.runner()).toAbsolutePath() + ": import-state"
                    + " copied it into the fleet's store (" + imported + "): shown as it was then; its profiles run"
                    + " in the fleet now");
        }
        String runner = runner(cfg);
        boolean stopped = NOT_RUNNING.equals(runner);
        // a copy of a live runner's data dir: its "running" sessions are that runner's, not leftovers (reviewer R20)
        java.util.Optional<io.smartrunner.event.Events.PreviousRun> copied = stopped
                ? RunRecord.stillRunning(cfg.runner().dataDir()) : java.util.Optional.empty();
        // without a copied record, the live runner working for this data dir's id (reviewer R21)
        java.util.Optional<Long> using = stopped && copied.isEmpty() ? liveRunnerUsingTheId(cfg) : java.util.Optional.empty();
        boolean copy = copied.isPresent() || using.isPresent();
        String unended = stopped && !copy ? unended(states) : null;
        if (copied.isPresent()) {
            runner = NOT_RUNNING + " on this data dir, but the run on record (pid " + copied.get().pid() + ", started "
                    + copied.get().startedAt() + ") is alive: this data dir is a copy of the one that runner uses,"
                    + " and what shows as running is its sessions (a start here is refused)";
        } else if (using.isPresent()) {
            runner = NOT_RUNNING + " on this data dir, but a live runner, pid " + using.get() + ", works for its runner"
                    + " id (its sessions or its process watchdog carry it): this data dir is a copy of the one that"
                    + " runner uses, and what shows as running is its sessions (a start here is refused)";
        }
        if (json) {
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            out.println(mapper.writeValueAsString(states.stream().map(ProfileStateJson::of).toList()));
        } else {
            out.print(table(states, stopped && !copy));
            out.println(containmentLine(cfg));
        }
        // the JSON stays a plain array on stdout (the stored states as they are); the lines go to stderr then
        if (unended != null) {
            (json ? System.err : out).println(unended);
        }
        (json ? System.err : out).println("runner: " + runner);
        return 0;
    }

    /** SQLite: the live runner (another data dir's) whose sessions or watchdog carry this store's runner id. */
    private static java.util.Optional<Long> liveRunnerUsingTheId(RunnerConfig cfg) {
        Path db = RunnerHome.stateFile(cfg.runner());
        if (cfg.store().kind() != StoreSettings.Kind.SQLITE || !hasStore(db)) {
            return java.util.Optional.empty();
        }
        String runnerId;
        try (SqliteStateStore store = SqliteStateStore.openReadOnly(db)) {
            runnerId = store.runnerId();
        }
        return runnerId == null ? java.util.Optional.empty()
                : new io.smartrunner.process.ProcFsProcessTable().liveRunnerTagging(runnerId);
    }

    /**
     * With no runner running, a profile stored as running is not: its runner stopped without
     * ending its session (a {@code kill -9}, a power cut). Shown as {@code was-running} and said;
     * the table called them {@code running} above "runner: not running" (reviewer R9). Null when none.
     */
    static String unended(List<ProfileState> states) {
        List<String> ids = states.stream().filter(s -> s.running() && !s.paused()).map(ProfileState::profileId).toList();
        if (ids.isEmpty()) {
            return null;
        }
        return ids.size() + " profile(s) were running when the runner stopped without ending their sessions (killed,"
                + " or its machine went down): nothing supervises them now; the next start here ends each session as"
                + " lost (and stops what is left of it): " + String.join(", ", ids.subList(0, Math.min(10, ids.size())))
                + (ids.size() > 10 ? " and " + (ids.size() - 10) + " more" : "");
    }

    /**
     * Cluster mode: every profile of the fleet in the database (and the configured ones it has not
     * seen yet), with the runner each is on.
     */
    private void fleet(RunnerConfig cfg, PrintStream out) throws Exception {
        List<PostgresFleetProfiles.FleetProfile> rows;
        List<String> alive;
        try (PostgresStateStore store = RunnerHome.postgres(cfg)) {
            rows = new ArrayList<>(store.fleetProfiles(cfg.cluster().leaseTtlMs()).all());
            alive = store.members().list(cfg.cluster().leaseTtlMs()).stream()
                    .filter(m -> io.smartrunner.store.MemberRow.ALIVE.equals(m.state()))
                    .map(io.smartrunner.store.MemberRow::name).toList();
        }
        // the last line speaks of this data dir's runner only: the fleet's are said here
        String fleetLine = "runners alive in the fleet: " + (alive.isEmpty() ? "none" : String.join(", ", alive))
                + " ('smart-runner runners' lists them all)";
        java.util.Set<String> known = new java.util.HashSet<>();
        rows.forEach(r -> known.add(r.state().profileId()));
        for (ProfileConfig p : cfg.profiles()) {
            if (!known.contains(p.id())) {
                rows.add(new PostgresFleetProfiles.FleetProfile(ProfileState.fresh(p.id(), p.pod()), null, false));
            }
        }
        if (json) {
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            out.println(mapper.writeValueAsString(rows.stream().map(r -> {
                Map<String, Object> one = ProfileStateJson.of(r.state());
                one.put("runner", r.runner());
                one.put("held", r.held());
                return one;
            }).toList()));
            System.err.println(fleetLine);
            return;
        }
        String fmt = "%-12s %-20s %-16s %-14s %6s  %-24s %s%n";
        StringBuilder b = new StringBuilder(String.format(fmt, "POD", "PROFILE", "RUNNER", "STATE", "STREAK",
                "PAUSED UNTIL", "LAST ERROR"));
        List<String> unheld = new ArrayList<>();
        for (PostgresFleetProfiles.FleetProfile r : rows) {
            ProfileState s = r.state();
            if (!r.held()) {
                unheld.add(s.profileId());
            }
            String runner = r.runner() == null ? "-" : r.held() ? r.runner() : "(" + r.runner() + ")";
            b.append(String.format(fmt, s.pod(), s.profileId(), runner, stateWord(s),
                    s.errorStreak(), s.pausedUntil() == null ? "-" : s.pausedUntil().toString(),
                    s.lastError() == null ? "-" : oneLine(s.lastError())));
        }
        if (!unheld.isEmpty()) {
            // a profile no config lists any more, or only a stopped runner's, is run by nobody
            b.append(unheld.size()).append(" profile(s) no live runner holds now, shown as last written (RUNNER in"
                    + " parentheses: the last to run it; a runner whose config lists them takes them): ")
                    .append(String.join(", ", unheld.subList(0, Math.min(10, unheld.size()))))
                    .append(unheld.size() > 10 ? " and " + (unheld.size() - 10) + " more" : "").append('\n');
        }
        out.print(b);
        out.println(fleetLine);
    }

    /**
     * Why every profile shows as new, or null: no store file (or a zero-byte one) while the event
     * log has decisions in it (the file was deleted or truncated, maybe under a running runner),
     * or no state at all (before the first run, or the wrong directory for a relative dataDir).
     */
    static String missingStore(RunnerConfig cfg) {
        Path db = RunnerHome.stateFile(cfg.runner());
        Path log = cfg.runner().eventLog();
        boolean logged;
        try {
            if (hasStore(db)) {
                return null;
            }
            logged = Files.exists(log) && Files.size(log) > 0;
        } catch (java.io.IOException e) {
            return null;
        }
        if (!logged) {
            // before the first run, or status run from another directory than the runner's (a relative
            // dataDir resolves against the current one): all new, said so (reviewer R, session 40)
            return "no state yet in " + cfg.runner().dataDir().toAbsolutePath().normalize()
                    + " (no runner has run with this data dir; a relative runner.dataDir resolves against the"
                    + " directory the command runs in): every profile is shown as new";
        }
        return db + (Files.exists(db) ? ": empty (0 bytes)" : ": no such file") + ", but the event log " + log
                + " is not empty: every profile is shown as new"
                + " (the next runner to start here rebuilds the store from the event log)";
    }

    /**
     * Whether there is a store to read: a zero-byte file is no more one than a missing file (a
     * truncated store, or SQLite's file made before its first write), and {@code run} rebuilds both.
     */
    static boolean hasStore(Path db) {
        try {
            return Files.size(db) > 0;
        } catch (java.io.IOException e) {
            return false; // missing; anything else the open says in its own words
        }
    }

    /** The last line's start in cluster mode, where "runner" alone read as the fleet's (reviewer R). */
    private static final String THIS_DATA_DIR = "runner on this data dir: ";

    private static final String NOT_RUNNING = "not running";

    /** "not running", or the running runner's own readiness ({@code /readyz}). */
    private static String runner(RunnerConfig cfg) {
        if (!Files.isDirectory(cfg.runner().dataDir())) {
            return NOT_RUNNING;
        }
        try (DataDirLock lock = DataDirLock.tryAcquire(cfg.runner().dataDir())) {
            if (lock != null) {
                return NOT_RUNNING;
            }
        }
        return new RunnerApiClient(cfg).readiness();
    }

    /**
     * status runs no runner: this is what a runner started on this machine now would use (the
     * same detection as run's start line; the cgroup check makes and removes a probe directory).
     */
    static String containmentLine(RunnerConfig cfg) {
        Path db = RunnerHome.stateFile(cfg.runner());
        String runnerId = "<runner id>";
        if (hasStore(db)) {
            try (SqliteStateStore store = SqliteStateStore.openReadOnly(db)) {
                runnerId = store.runnerId();
            }
        }
        String use;
        try {
            use = Containment.wouldUse(runnerId);
        } catch (SmartRunnerException e) {
            use = "unknown (" + e.getMessage() + ")";
        }
        return "containment a runner would use here: " + use;
    }

    static List<ProfileState> states(RunnerConfig cfg) {
        Path db = RunnerHome.stateFile(cfg.runner());
        Map<String, ProfileState> stored = Map.of();
        if (cfg.store().kind() == StoreSettings.Kind.POSTGRES) {
            try (StateStore store = RunnerHome.postgres(cfg)) {
                stored = store.loadProfiles();
            }
        } else if (hasStore(db)) {
            try (SqliteStateStore store = SqliteStateStore.openReadOnly(db)) {
                stored = store.loadProfiles();
            }
        }
        List<ProfileState> states = new ArrayList<>();
        for (ProfileConfig p : cfg.profiles()) {
            states.add(stored.getOrDefault(p.id(), ProfileState.fresh(p.id(), p.pod())));
        }
        return states;
    }

    /** @param stopped no runner runs on the data dir: a profile stored as running shows as {@code was-running} */
    static String table(List<ProfileState> states, boolean stopped) {
        StringBuilder b = new StringBuilder();
        String fmt = "%-12s %-20s %-14s %6s  %-24s %s%n";
        b.append(String.format(fmt, "POD", "PROFILE", "STATE", "STREAK", "PAUSED UNTIL", "LAST ERROR"));
        for (ProfileState s : states) {
            String word = stateWord(s);
            b.append(String.format(fmt, s.pod(), s.profileId(), stopped && word.equals("running") ? "was-running" : word,
                    s.errorStreak(),
                    s.pausedUntil() == null ? "-" : s.pausedUntil().toString(),
                    s.lastError() == null ? "-" : oneLine(s.lastError())));
        }
        return b.toString();
    }

    private static String stateWord(ProfileState s) {
        if (s.paused()) {
            return "paused";
        }
        if (s.running()) {
            return "running";
        }
        return s.needsRecovery() ? "needs-recovery" : "idle";
    }

    private static String oneLine(String s) {
        String line = s.replace('\n', ' ');
        return line.length() > 80 ? line.substring(0, 79) + "…" : line;
    }
}
