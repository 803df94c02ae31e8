package io.smartrunner.fleet;

import io.smartrunner.breaker.PodStatus;
import io.smartrunner.engine.ManualReply;
import io.smartrunner.engine.ManualRequest;
import io.smartrunner.engine.ReloadSummary;
import io.smartrunner.http.ControlQueued;
import io.smartrunner.http.FleetControl;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.store.PostgresControls;
import io.smartrunner.store.PostgresFleetProfiles;
import io.smartrunner.time.TimeSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * What the API of a runner in a fleet reads and changes (cluster mode, issue #11.6): the whole
 * fleet's profiles from PostgreSQL, each with the runner it is on; a manual control of a profile
 * held here goes straight to this runner's loop, one of a profile held elsewhere (or by nobody) is
 * relayed through the {@code controls} table to its holder ({@link ControlRelay}) and answered
 * once applied, or after {@link #APPLY_WAIT_MS} as queued. The rest (reload, pods, runners) is this
 * runner's, as with SQLite.
 */
public final class FleetView implements FleetControl {
    static final long APPLY_WAIT_MS = 3_000;
    private static final long CHECK_EVERY_MS = 50;

    private final FleetControl local;
    private final PostgresFleetProfiles profiles;
    private final PostgresControls controls;
    private final String runner;
    private final Predicate<String> heldHere;
    private final TimeSource time;
    private final ExecutorService waits = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "sr-control-wait");
        t.setDaemon(true);
        return t;
    });
    private volatile Map<String, String> runners = Map.of();

    public FleetView(FleetControl local, PostgresFleetProfiles profiles, PostgresControls controls, String runner,
                     Predicate<String> heldHere, TimeSource time) {
        this.local = local;
        this.profiles = profiles;
        this.controls = controls;
        this.runner = runner;
        this.heldHere = heldHere;
        this.time = time;
    }

    @Override
    public CompletableFuture<List<ProfileState>> profiles() {
        List<PostgresFleetProfiles.FleetProfile> all = profiles.all();
        Map<String, String> on = new HashMap<>();
        all.forEach(p -> on.put(p.state().profileId(), p.runner()));
        runners = on;
        return CompletableFuture.completedFuture(all.stream().map(PostgresFleetProfiles.FleetProfile::state).toList());
    }

    @Override
    public Map<String, String> profileRunners() {
        return runners;
    }

    @Override
    public CompletableFuture<ManualReply> request(ManualRequest request) {
        if (heldHere.test(request.profileId())) {
            return local.request(request);
        }
        if (profiles.one(request.profileId()) == null) {
            return CompletableFuture.completedFuture(new ManualReply(ManualReply.Outcome.UNKNOWN_PROFILE, null,
                    "no profile " + request.profileId()));
        }
        long seq = controls.request(request.profileId(), ControlRelay.action(request), ControlRelay.args(request),
                request.by() + "@" + runner);
        return CompletableFuture.supplyAsync(() -> awaitApplied(seq, request.profileId()), waits);
    }

    private ManualReply awaitApplied(long seq, String profileId) {
        long deadline = time.nanoTime() + APPLY_WAIT_MS * 1_000_000;
        while (time.nanoTime() < deadline) {
            PostgresControls.Applied applied = controls.applied(seq);
            if (applied != null) {
                return replyOf(applied, profileId);
            }
            LockSupport.parkNanos(CHECK_EVERY_MS * 1_000_000);
        }
        throw new ControlQueued("queued: no runner applied it within " + APPLY_WAIT_MS / 1000 + " s (no runner"
                + " holds " + profileId + " right now?); the next holder applies it (control " + seq + ")");
    }

    private ManualReply replyOf(PostgresControls.Applied applied, String profileId) {
        PostgresFleetProfiles.FleetProfile now = profiles.one(profileId);
        ProfileState state = now == null ? null : now.state();
        String result = applied.result();
        if (result.equals("done")) {
            return new ManualReply(ManualReply.Outcome.DONE, state, null);
        }
        int colon = result.indexOf(": ");
        String word = colon < 0 ? result : result.substring(0, colon);
        String why = (colon < 0 ? result : result.substring(colon + 2)) + " (on runner " + applied.appliedBy() + ")";
        ManualReply.Outcome outcome;
        try {
            outcome = ManualReply.Outcome.valueOf(word.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            outcome = ManualReply.Outcome.FAILED;
        }
        return new ManualReply(outcome, state, why);
    }

    @Override
    public CompletableFuture<ReloadSummary> reload() {
        return local.reload();
    }

    @Override
    public CompletableFuture<List<PodStatus>> pods() {
        return local.pods();
    }

    @Override
    public Map<String, Object> runners() {
        return local.runners();
    }

    @Override
    public CompletableFuture<Boolean> unpausePod(String pod, String by) {
        return local.unpausePod(pod, by);
    }
}
