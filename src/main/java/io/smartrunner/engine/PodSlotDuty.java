package io.smartrunner.engine;

import io.smartrunner.cluster.ProfileLeases;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.RunnerConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The loop's side of the pod slots (cluster mode, docs/cluster-placement.md): a pod's sessions
 * here never outnumber the slots of it this runner holds, and a slot is given back to the keeper
 * only once no running session of the pod needs it. While the keeper wants slots back, the loop
 * holds that many back from new starts, so they come free as sessions end. With
 * {@link ProfileLeases#single()} (SQLite) the pod limit is the configured concurrency, as always.
 * Loop thread only.
 */
final class PodSlotDuty {
    private final ProfileLeases leases;
    private final Map<String, ProfileSlot> slots;
    /** Per pod, slots the keeper asked back that are still in use: no new session starts on them. */
    private final Map<String, Integer> holdingBack = new HashMap<>();
    private Map<String, Integer> demandSaid = Map.of();

    PodSlotDuty(ProfileLeases leases, Map<String, ProfileSlot> slots) {
        this.leases = leases;
        this.slots = slots;
    }

    boolean clustered() {
        return leases.clustered();
    }

    /** At start and after a reload: the keeper learns the pods' concurrency and every profile's pod. */
    void configure(RunnerConfig config) {
        if (!leases.clustered()) {
            return;
        }
        Map<String, Integer> concurrency = new HashMap<>();
        config.pods().forEach(p -> concurrency.put(p.name(), p.concurrency()));
        Map<String, String> podOf = new HashMap<>();
        for (ProfileConfig p : config.profiles()) {
            podOf.put(p.id(), p.pod());
        }
        leases.pods(concurrency, podOf);
    }

    /**
     * Each start pass (cluster mode): tells the keeper, when it changed, how many profiles of each pod
     * could run here (running, or held and not paused), so paused profiles hold no slot.
     */
    void reportDemand() {
        Map<String, Integer> demand = new HashMap<>();
        for (ProfileSlot slot : slots.values()) {
            boolean busy = slot.active != null || slot.spawning != null || slot.staged != null;
            if (busy || !slot.removed && !slot.state.paused() && leases.mayRun(slot.id())) {
                demand.merge(slot.pod(), 1, Integer::sum);
            }
        }
        if (!demand.equals(demandSaid)) {
            demandSaid = demand;
            leases.podDemand(demand);
        }
    }

    /** How many sessions of the pod may run here at once: the configured concurrency within the slots held. */
    int limit(String pod, int concurrency) {
        int free = leases.podSlots(pod) - holdingBack.getOrDefault(pod, 0);
        return Math.max(0, Math.min(concurrency, free));
    }

    /**
     * The keeper wants {@code count} slots of the pod back: as many as no running session needs are
     * dropped now, the rest are held back from new starts until the next ask (count 0: none).
     */
    List<Integer> giveBack(String pod, int count) {
        int held = leases.podSlots(pod);
        int spare = Math.max(0, Math.min(count, held - running(pod)));
        List<Integer> given = spare == 0 ? List.of() : leases.dropPodSlots(pod, spare);
        int rest = count - given.size();
        if (rest > 0) {
            holdingBack.put(pod, rest);
        } else {
            holdingBack.remove(pod);
        }
        return given;
    }

    private int running(String pod) {
        int n = 0;
        for (ProfileSlot slot : slots.values()) {
            if (pod.equals(slot.pod()) && (slot.active != null || slot.spawning != null || slot.staged != null)) {
                n++;
            }
        }
        return n;
    }
}
