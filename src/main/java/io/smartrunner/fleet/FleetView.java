package io.smartrunner.fleet;

import io.smartrunner.DaemonThreads;
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
public final class FleetView implements FleetControl, AutoCloseable {
    private final FleetControl local;
    private final PostgresFleetProfiles profiles;
    private final RelayedControls relayed;
    private final String runner;
    private final Predicate<String> heldHere;
    private final UnheldControl unheld;
    private final AppliedWaits waits;
    /**
     * The database side of the controls of profiles not held here, batched ({@link #drain}): one
     * thread, as the store writes one transaction at a time anyway; the waits for relayed ones'
     * results hold none of it ({@link AppliedWaits}).
     */
    private final java.util.concurrent.ConcurrentLinkedQueue<Pending> asked = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final ExecutorService writes = Executors.newSingleThreadExecutor(DaemonThreads.named("sr-control-write"));
    private volatile Map<String, String> runners = Map.of();
    /** The profiles a live runner held at the last read ({@link #profilesHeld}). */
    private volatile java.util.Set<String> held = java.util.Set.of();
    private final RecentFleetProfiles recent;

    public FleetView(FleetControl local, PostgresFleetProfiles profiles, PostgresControls controls, UnheldControl unheld,
                     String runner, Predicate<String> heldHere, TimeSource time, java.util.function.Consumer<String> say) {
        this.local = local;
        this.profiles = profiles;
        this.recent = new RecentFleetProfiles(profiles::all, time, say);
        this.unheld = unheld;
        this.waits = new AppliedWaits(controls, time);
        this.relayed = new RelayedControls(controls, profiles, time);
        this.runner = runner;
        this.heldHere = heldHere;
    }

    /**
     * The fleet's profiles: the rows of a recent read ({@link RecentFleetProfiles}: other runners'
     * changes show within about half a second), the ones held here as this runner's loop has them
     * now, and this runner's configured profiles no runner ever ran.
     */
    @Override
    public CompletableFuture<List<ProfileState>> profiles() {
        RecentFleetProfiles.Snapshot read = recent.get();
        List<PostgresFleetProfiles.FleetProfile> all = read.rows();
        Map<String, String> on = read.runners();
        runners = on;
        held = read.held();
        return local.profiles().thenApply(configured -> {
            Map<String, ProfileState> here = new HashMap<>();
            for (ProfileState s : configured) {
                if (heldHere.test(s.profileId())) {
                    here.put(s.profileId(), s);
                }
            }
            List<ProfileState> states = new ArrayList<>(all.size());
            for (PostgresFleetProfiles.FleetProfile p : all) {
                ProfileState mine = here.get(p.state().profileId());
                states.add(mine != null ? mine : p.state());
            }
            // this runner's configured profiles that no runner ever ran (no row yet: pinned to a
            // label no live runner has), fresh: the fleet's list shows them, a pod's controls reach them
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

    /** A runner wrote an event ({@code NOTIFY sr_events}): a profile of the fleet may have changed. */
    public void fleetChanged() {
        recent.changed();
    }

    @Override
    public java.util.function.Function<String, String> profileRunners() {
        Map<String, String> read = runners;
        // one this runner took over since the shared read is shown as its, with the loop's state
        return id -> heldHere.test(id) ? runner : read.get(id);
    }

    @Override
    public java.util.function.Predicate<String> profilesHeld() {
        java.util.Set<String> read = held;
        return id -> heldHere.test(id) || read.contains(id);
    }

    @Override
    public String runsElsewhere(String profileId) {
        String on = profileRunners().apply(profileId);
        return on == null || on.equals(runner) ? null : on;
    }

    @Override
    public CompletableFuture<ManualReply> request(ManualRequest request) {
        if (heldHere.test(request.profileId())) {
            return local.request(request);
        }
        Pending p = new Pending(request.askedBy(request.by() + "@" + runner), new CompletableFuture<>());
        asked.add(p);
        writes.execute(this::drain);
        // whoever asked reads the change in the next list, not a read from before it
        return p.reply().whenComplete((reply, failure) -> recent.invalidate());
    }

    /** Those held here in one turn of this runner's loop, the others as {@link #request} does; replies in order. */
    @Override
    public List<CompletableFuture<ManualReply>> requestAll(List<ManualRequest> requests) {
        boolean[] held = new boolean[requests.size()];
        List<ManualRequest> here = new ArrayList<>();
        for (int i = 0; i < held.length; i++) {
            held[i] = heldHere.test(requests.get(i).profileId());
            if (held[i]) {
                here.add(requests.get(i));
            }
        }
        // a lease lost meanwhile is the loop's to refuse, as for one request
        java.util.Iterator<CompletableFuture<ManualReply>> hereReplies = local.requestAll(here).iterator();
        List<CompletableFuture<ManualReply>> replies = new ArrayList<>(requests.size());
        for (int i = 0; i < held.length; i++) {
            replies.add(held[i] ? hereReplies.next() : request(requests.get(i)));
        }
        return replies;
    }

    /** A control of a profile not held here, as it is recorded ({@code by} names this runner), and its answer. */
    private record Pending(ManualRequest request, CompletableFuture<ManualReply> reply) {
        String profileId() {
            return request.profileId();
        }
    }

    /**
     * Every control asked since the last pass, together (group commit): a pod's thousand profiles
     * are read in one query and those no live runner holds written in one transaction, where they
     * were a query and a transaction each (6 s for a thousand on the twenty-ninth session's machine).
     * Two controls of one profile go in successive batches, in the order asked.
     */
    private void drain() {
        List<Pending> batch = new ArrayList<>();
        for (Pending p; (p = asked.poll()) != null; ) {
            batch.add(p);
        }
        while (!batch.isEmpty()) {
            List<Pending> now = new ArrayList<>();
            List<Pending> later = new ArrayList<>();
            java.util.Set<String> ids = new java.util.HashSet<>();
            for (Pending p : batch) {
                (ids.add(p.profileId()) ? now : later).add(p);
            }
            try {
                elsewhere(now);
            } catch (StoreException e) {
                // not recorded anywhere: as the loop answers when its store fails (those answered stay so)
                now.forEach(p -> p.reply().complete(new ManualReply(ManualReply.Outcome.UNAVAILABLE, null,
                        "not done, the change cannot be recorded: " + e.getMessage())));
            } catch (RuntimeException e) {
                now.forEach(p -> p.reply().completeExceptionally(e)); // answered 500, never left waiting
            }
            batch = later;
        }
    }

    /**
     * Profiles not held here (one control each): a pause, unpause or reset of one no live runner
     * holds is written to the database, the rest relayed to their holders and answered once
     * applied, or as queued.
     */
    private void elsewhere(List<Pending> batch) {
        Map<String, PostgresFleetProfiles.FleetProfile> rows = profiles.some(batch.stream().map(Pending::profileId).toList());
        Map<String, ProfileState> configured = null;
        Map<String, ProfileState> known = new HashMap<>();
        Map<String, List<Pending>> changesBy = new java.util.LinkedHashMap<>();
        List<Pending> relay = new ArrayList<>();
        for (Pending p : batch) {
            PostgresFleetProfiles.FleetProfile row = rows.get(p.profileId());
            if (row == null && configured == null) {
                configured = neverRun();
            }
            ProfileState state = row != null ? row.state() : configured.get(p.profileId());
            if (state == null) {
                p.reply().complete(new ManualReply(ManualReply.Outcome.UNKNOWN_PROFILE, null, "no profile " + p.profileId()));
            } else if (p.request() instanceof ManualRequest.StateChange) {
                known.put(p.profileId(), state);
                changesBy.computeIfAbsent(p.request().by(), by -> new ArrayList<>()).add(p);
            } else {
                relay.add(p);
            }
        }
        for (List<Pending> same : changesBy.values()) {
            Map<String, ManualReply> written = unheld.write(
                    same.stream().map(p -> (ManualRequest.StateChange) p.request()).toList(), known);
            for (Pending p : same) {
                ManualReply reply = written.get(p.profileId());
                if (reply != null) {
                    p.reply().complete(reply);
                } else {
                    relay.add(p); // a live runner holds it
                }
            }
        }
        Map<String, Long> seqs = relayed.sendAll(relay.stream().map(Pending::request).toList());
        for (Pending p : relay) {
            relayed.answer(seqs.get(p.profileId()), p.profileId(), waits).whenComplete((reply, failure) -> {
                if (failure != null) {
                    p.reply().completeExceptionally(failure instanceof java.util.concurrent.CompletionException
                            && failure.getCause() != null ? failure.getCause() : failure);
                } else {
                    p.reply().complete(reply);
                }
            });
        }
    }

    /** This runner's configured profiles, by id: those with no row in the fleet yet are fresh. */
    private Map<String, ProfileState> neverRun() {
        Map<String, ProfileState> out = new HashMap<>();
        local.profiles().join().forEach(s -> out.put(s.profileId(), s));
        return out;
    }

    @Override
    public CompletableFuture<ReloadSummary> reload() {
        return local.reload();
    }

    @Override
    public java.nio.file.Path configFile() {
        return local.configFile();
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

    /**
     * Stops its threads (the control writes, the shared read of the fleet, the waits for relayed
     * controls): after the HTTP server, when nothing asks any more. A runner that stops is a
     * process that exits, but tests and a future reload start several in one JVM.
     */
    @Override
    public void close() {
        writes.shutdownNow();
        recent.close();
        waits.close();
    }
}
