package io.smartrunner.cli;

import io.smartrunner.SmartRunnerException;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.config.StoreSettings;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.Events;
import io.smartrunner.event.JsonlEventSink;
import io.smartrunner.profile.FailureReason;
import io.smartrunner.profile.PausePolicy;
import io.smartrunner.profile.ProfileRules;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.profile.SessionResult;
import io.smartrunner.store.DataDirLock;
import io.smartrunner.store.ForgottenProfiles;
import io.smartrunner.store.PostgresStateStore;
import io.smartrunner.store.TakeoverRows;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code forget}: removes profiles no runner runs any more from a cluster's store, so the fleet's
 * API, dashboard and {@code status} stop listing them (a profile removed from every config kept
 * its row for good, a pause whose end had passed still showing as paused: nobody held it to lift
 * it). All or none; its events go to the fleet's table and, when no runner runs on this data dir,
 * to its log too (a running runner's log is that runner's alone).
 */
@Command(name = "forget", description = "Remove profiles that no runner runs any more from a cluster's store"
        + " (their state and kept sessions; their events stay). Refused while a live runner holds or lists one, or this"
        + " config lists it.")
final class ForgetCommand implements Callable<Integer> {
    static final String LOST_DETAIL = "the profile was forgotten (smart-runner forget) while this session was open;"
            + " the runner that ran it had stopped renewing its lease";

    /**
     * How long each answer of the server may take: a command's transaction over many profiles, not
     * a runner's loop that must keep turning (its storeWaitMs, 1 s, is the default elsewhere).
     */
    private static final long WAIT_MS = 60_000;

    @Mixin
    ConfigOption config;

    // no converter: picocli reports a positional its converter refuses as "Unmatched argument"
    @Parameters(arity = "1..*", paramLabel = "PROFILE", description = "the id of a profile no runner's config lists")
    List<String> profileIds = new ArrayList<>();

    @Override
    public Integer call() {
        profileIds.forEach(id -> IdArgument.requireValid("PROFILE", id));
        List<String> ids = List.copyOf(new LinkedHashSet<>(profileIds));
        RunnerConfig cfg = config.loadToInspect();
        if (cfg.store().kind() != StoreSettings.Kind.POSTGRES) {
            throw new SmartRunnerException(config.file + ": store.kind is \"sqlite\": a profile removed from the file"
                    + " is no longer listed there; forget is for a cluster's store (store.kind \"postgres\")", null, 2);
        }
        for (String id : ids) {
            cfg.profiles().stream().filter(p -> p.id().equals(id)).findFirst().ifPresent(p -> {
                throw new SmartRunnerException(id + " is in " + config.file + " (pod " + p.pod() + "): a runner started"
                        + " with it runs " + id + " again; remove it from the file first. Nothing was forgotten", null, 2);
            });
        }
        try (DataDirLock lock = DataDirLock.tryAcquire(cfg.runner().dataDir(), cfg.runner().eventLog());
             PostgresStateStore store = PostgresStateStore.open(cfg.store(),
                     io.smartrunner.store.RunnerName.forDataDir(cfg.runner().dataDir()),
                     cfg.runner().sessionsKeptPerProfile(), WAIT_MS, io.smartrunner.store.SchemaUpgrade.REFUSED)) {
            return forget(cfg, store, ids, lock != null);
        }
    }

    private static int forget(RunnerConfig cfg, PostgresStateStore store, List<String> ids, boolean ownLog) {
        String by = "cli@" + (cfg.runner().name() != null ? cfg.runner().name() : store.runnerName());
        ProfileRules rules = new ProfileRules(PausePolicy.from(cfg.recovery()));
        Instant now = store.databaseNow();
        int[] lost = new int[ids.size()];
        Map<String, String> refused = store.forgetProfiles(ids, cfg.cluster().leaseTtlMs(), by,
                f -> closing(rules, f, by, now, lost, ids.indexOf(f.profileId())), events -> {
                    if (ownLog) {
                        // fsynced (closed) before anything is written to the database: event first
                        try (JsonlEventSink log = OfflineControl.eventLog(cfg.runner())) {
                            log.append(events);
                        }
                    }
                });
        if (!refused.isEmpty()) {
            refused.forEach((id, why) -> System.err.println("smart-runner: " + id + ": " + why));
            boolean unknown = refused.containsValue(ForgottenProfiles.UNKNOWN);
            throw new SmartRunnerException("nothing was forgotten (all or none): " + refused.size() + " of "
                    + ids.size() + " profile(s) refused" + (unknown ? " ('smart-runner status' lists the fleet's)" : ""),
                    null, unknown ? 2 : 1);
        }
        for (int i = 0; i < ids.size(); i++) {
            System.out.println(ids.get(i) + ": forgotten (no longer in the fleet's profiles; its events stay"
                    + (lost[i] == 0 ? "" : "; " + lost[i] + " session(s) left open closed as lost") + ")");
        }
        return 0;
    }

    /** A forgotten profile's events: a {@code lost} end for each open session without one, then {@code forget}. */
    private static List<EventRecord> closing(ProfileRules rules, ForgottenProfiles.Forgotten f, String by, Instant now,
                                             int[] lost, int index) {
        ProfileState state = f.row() != null ? f.row() : ProfileState.fresh(f.profileId(), podOf(f));
        List<EventRecord> events = new ArrayList<>();
        for (TakeoverRows.OpenSession o : f.openSessions()) {
            if (o.endedAs() != null) {
                continue; // its end is in the fleet's events already: the row takes it, no second one
            }
            Instant started = o.row().startedAt();
            Long durMs = started == null ? null : Math.max(0, Duration.between(started, now).toMillis());
            SessionResult result = new SessionResult(FailureReason.LOST, null, null, LOST_DETAIL, "", durMs);
            var t = rules.sessionEnded(state, o.row().sessionId(), result, now);
            state = t.state();
            events.addAll(t.events());
            lost[index]++;
        }
        events.add(Events.profileForgotten(now, state.pod(), f.profileId(), by));
        return events;
    }

    private static String podOf(ForgottenProfiles.Forgotten f) {
        return f.openSessions().isEmpty() ? null : f.openSessions().get(0).row().pod();
    }
}
