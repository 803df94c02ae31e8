package io.smartrunner.fleet;

import io.smartrunner.breaker.PodStatus;
import io.smartrunner.engine.ManualReply;
import io.smartrunner.engine.ManualRequest;
import io.smartrunner.engine.ReloadSummary;
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
import java.util.function.Predicate;

/**
 * What the API of a runner in a fleet reads and changes (cluster mode, issue #11.6): the whole
 * fleet's profiles from PostgreSQL, each with the runner it is on; a manual control of a profile
 * held here goes straight to this runner's loop, one of a profile held elsewhere (or by nobody) is
 * relayed through the {@code controls} table to its holder ({@link RelayedControls}) and answered
 * once applied, or after {@link RelayedControls#APPLY_WAIT_MS} as queued. The rest (reload, pods, runners) is this
 * runner's, as with SQLite.
 */
public final class FleetView implements FleetControl {
    private final FleetControl local;
    private final PostgresFleetProfiles profiles;
    private final RelayedControls relayed;
    private final String runner;
    private final Predicate<String> heldHere;
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
        this.relayed = new RelayedControls(controls, profiles, time);
        this.runner = runner;
        this.heldHere = heldHere;
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
        long seq = relayed.send(request, request.by() + "@" + runner);
        return CompletableFuture.supplyAsync(() -> relayed.awaitApplied(seq, request.profileId()), waits);
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
