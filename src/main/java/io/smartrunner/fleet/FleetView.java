package io.smartrunner.fleet;

import io.smartrunner.breaker.PodStatus;
import io.smartrunner.engine.ManualReply;
import io.smartrunner.engine.ManualRequest;
import io.smartrunner.engine.ReloadSummary;
import io.smartrunner.http.FleetControl;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.store.PostgresControls;
import io.smartrunner.store.PostgresFleetProfiles;
import io.smartrunner.store.StoreException;
import io.smartrunner.time.TimeSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * What the API of a runner in a fleet reads and changes (cluster mode, issue #11.6): the whole
 * fleet's profiles from PostgreSQL, each with the runner it is on; a manual control of a profile
 * held here goes straight to this runner's loop; a pause, unpause or reset of one no live runner
 * holds is written to the database here ({@link UnheldControl}); any other control is relayed
 * through the {@code controls} table to the profile's holder ({@link RelayedControls}) and answered
 * once applied, or after {@link RelayedControls#APPLY_WAIT_MS} as queued (a frozen holder; a
 * run-now of a profile nobody holds). The rest (reload, pods, runners) is this runner's, as with SQLite.
 */
public final class FleetView implements FleetControl {
    private final FleetControl local;
    private final PostgresFleetProfiles profiles;
    private final RelayedControls relayed;
    private final String runner;
    private final Predicate<String> heldHere;
    private final UnheldControl unheld;
    private final AppliedWaits waits;
    /**
     * The database side of a control of a profile held elsewhere: one thread, as the store writes
     * one transaction at a time anyway; the waits for relayed ones' results hold none of it.
     */
    private final ExecutorService writes = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sr-control-write");
        t.setDaemon(true);
        return t;
    });
    private volatile Map<String, String> runners = Map.of();

    public FleetView(FleetControl local, PostgresFleetProfiles profiles, PostgresControls controls, UnheldControl unheld,
                     String runner, Predicate<String> heldHere, TimeSource time) {
        this.local = local;
        this.profiles = profiles;
        this.unheld = unheld;
        this.waits = new AppliedWaits(controls, time);
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
        List<ProfileState> states = new ArrayList<>(all.size());
        all.forEach(p -> states.add(p.state()));
        // and this runner's configured profiles that no runner ever ran (no row yet: pinned to a
        // label no live runner has), fresh: the fleet's list shows them, a pod's controls reach them
        return local.profiles().thenApply(configured -> {
            boolean added = false;
            for (ProfileState s : configured) {
                if (!on.containsKey(s.profileId())) {
                    states.add(s);
                    added = true;
                }
            }
            if (added) {
                states.sort(Comparator.comparing(ProfileState::profileId));
            }
            return states;
        });
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
        return CompletableFuture.supplyAsync(() -> {
            try {
                return elsewhere(request);
            } catch (StoreException e) {
                // not recorded anywhere: as the loop answers when its store fails
                return CompletableFuture.completedFuture(new ManualReply(ManualReply.Outcome.UNAVAILABLE, null,
                        "not done, the change cannot be recorded: " + e.getMessage()));
            }
        }, writes).thenCompose(r -> r);
    }

    /**
     * A profile not held here: written to the database when no live runner holds it (a pause,
     * unpause or reset), else relayed to its holder and answered once applied, or as queued.
     */
    private CompletableFuture<ManualReply> elsewhere(ManualRequest request) {
        PostgresFleetProfiles.FleetProfile row = profiles.one(request.profileId());
        ProfileState known = row != null ? row.state() : neverRun(request.profileId());
        if (known == null) {
            return CompletableFuture.completedFuture(new ManualReply(ManualReply.Outcome.UNKNOWN_PROFILE, null,
                    "no profile " + request.profileId()));
        }
        ManualRequest asked = request.askedBy(request.by() + "@" + runner);
        if (asked instanceof ManualRequest.StateChange change) {
            Optional<ManualReply> written = unheld.write(change, known);
            if (written.isPresent()) {
                return CompletableFuture.completedFuture(written.get());
            }
        }
        long seq = relayed.send(asked, asked.by());
        return relayed.answer(seq, request.profileId(), waits);
    }

    /** A profile of this runner's configuration with no row in the fleet yet (fresh), else null. */
    private ProfileState neverRun(String profileId) {
        return local.profiles().join().stream().filter(s -> s.profileId().equals(profileId)).findFirst().orElse(null);
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
