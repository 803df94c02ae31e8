package io.smartrunner.cluster;

import io.smartrunner.store.PostgresPodSlots;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * This runner's pod slots in cluster mode (docs/cluster-placement.md, "A pod's concurrency across
 * the fleet"). Runs on the heartbeat thread after the profile leases' balance: checks the slots it
 * believes it holds against the database, takes free or expired ones up to what it wants and its
 * fair cap, and asks the loop for slots back above that. The loop starts a session of a pod only
 * within {@link #held} slots of it, and gives a slot back ({@link #drop}) only when fewer sessions of
 * the pod run than it holds: no session is ever cut short.
 */
final class PodSlotKeeper {
    private final PostgresPodSlots db;
    private final long incarnation;
    private final long ttlMs;
    private final long waitMs;
    private final Consumer<String> say;
    /** Pod → slots held here; guarded by this (the loop drops, the heartbeat thread adds and verifies). */
    private final Map<String, TreeSet<Integer>> held = new HashMap<>();
    private volatile Map<String, Integer> concurrency = Map.of();
    /** Every configured profile (fleet-wide) → its pod. */
    private volatile Map<String, String> podOf = Map.of();
    private Map<String, Integer> ensured = Map.of();
    /** Per pod, the profiles held here that are running or not paused, as the loop last said; null: not said yet. */
    private volatile Map<String, Integer> demand;
    /** Pods the last balance asked the loop to give slots back for (a 0-ask ends the loop's hold-back). */
    private final Set<String> asked = new HashSet<>();

    PodSlotKeeper(PostgresPodSlots db, long incarnation, long ttlMs, long waitMs, Consumer<String> say) {
        this.db = db;
        this.incarnation = incarnation;
        this.ttlMs = ttlMs;
        this.waitMs = waitMs;
        this.say = say;
    }

    void configured(Map<String, Integer> concurrency, Map<String, String> podOf) {
        this.podOf = Map.copyOf(podOf);
        this.concurrency = Map.copyOf(concurrency);
    }

    void demand(Map<String, Integer> runnable) {
        this.demand = Map.copyOf(runnable);
    }

    synchronized int held(String pod) {
        TreeSet<Integer> s = held.get(pod);
        return s == null ? 0 : s.size();
    }

    /** The loop gives back up to {@code count} slots of the pod, the highest first (those above a lowered concurrency). */
    synchronized List<Integer> drop(String pod, int count) {
        List<Integer> out = new ArrayList<>();
        TreeSet<Integer> s = held.get(pod);
        while (s != null && !s.isEmpty() && out.size() < count) {
            out.add(s.pollLast());
        }
        return out;
    }

    /**
     * Heartbeat thread: verify, then take or give back per pod.
     *
     * @param heldProfiles leases taken on here
     * @param arriving     leases just handed to the loop, not taken on yet: counted as held and
     *                     runnable (a takeover's sessions start without waiting for the next heartbeat;
     *                     a slot one of them turns out not to need goes back at the next one)
     */
    void balance(Set<String> heldProfiles, Set<String> arriving, LeaseHandoff loop) {
        Map<String, Integer> limits = concurrency;
        if (loop == null || limits.isEmpty()) {
            return;
        }
        if (!ensured.equals(limits)) {
            db.ensure(limits);
            ensured = limits;
        }
        verify(db.heldBy(incarnation));
        Map<String, String> pods = podOf;
        Map<String, Integer> mine = new HashMap<>();
        Map<String, Integer> newcomers = new HashMap<>();
        heldProfiles.forEach(id -> {
            String pod = pods.get(id);
            if (pod != null) {
                mine.merge(pod, 1, Integer::sum);
            }
        });
        arriving.forEach(id -> {
            String pod = pods.get(id);
            if (pod != null && !heldProfiles.contains(id)) {
                mine.merge(pod, 1, Integer::sum);
                newcomers.merge(pod, 1, Integer::sum);
            }
        });
        PostgresPodSlots.Shares shares = db.shares(pods, ttlMs);
        Map<String, Integer> runnable = demand;
        Map<String, Integer> asks = new HashMap<>();
        boolean acquiredAny = false;
        for (Map.Entry<String, Integer> e : limits.entrySet()) {
            String pod = e.getKey();
            int c = e.getValue();
            int myProfiles = mine.getOrDefault(pod, 0);
            int want = Math.min(c, runnable == null ? myProfiles
                    : Math.min(myProfiles, runnable.getOrDefault(pod, 0) + newcomers.getOrDefault(pod, 0)));
            int target = target(pod, c, want, shares);
            int valid = validHeld(pod, c);
            if (valid < target) {
                List<Integer> got = db.acquire(incarnation, pod, c, target - valid, ttlMs);
                synchronized (this) {
                    held.computeIfAbsent(pod, k -> new TreeSet<>()).addAll(got);
                }
                acquiredAny |= !got.isEmpty();
            }
            int excess = held(pod) - target;
            if (excess > 0) {
                asked.add(pod);
                asks.put(pod, excess);
            } else if (asked.remove(pod)) {
                asks.put(pod, 0); // enough again: the loop stops holding slots back
            }
        }
        for (String pod : podsHeld()) {
            if (!limits.containsKey(pod)) { // removed by a reload: every slot goes back once its sessions ended
                asks.put(pod, held(pod));
            }
        }
        asked.removeIf(pod -> !limits.containsKey(pod));
        if (acquiredAny) {
            loop.slotsAcquired();
        }
        if (!asks.isEmpty()) {
            giveBack(loop, asks);
        }
    }

    /**
     * How many slots of the pod to hold, at most what it wants: its {@link PodQuotas quota} at least;
     * beyond it, free slots the other runners' quotas do not need (a runner whose profiles are
     * paused lends its share); and when the free slots do not cover what the others are short of
     * their quotas, what it holds above its own goes back as their sessions end.
     */
    private int target(String pod, int c, int want, PostgresPodSlots.Shares shares) {
        Map<Long, PostgresPodSlots.Share> live = shares.byPod().getOrDefault(pod, Map.of());
        Map<Long, Integer> weights = new HashMap<>();
        live.forEach((inc, share) -> weights.put(inc, share.weight()));
        Map<Long, Integer> quotas = PodQuotas.of(c, weights, shares.turn());
        int heldInFleet = 0;
        int othersShort = 0;
        for (Map.Entry<Long, PostgresPodSlots.Share> e : live.entrySet()) {
            heldInFleet += e.getValue().slots();
            if (e.getKey() != incarnation) {
                othersShort += Math.max(0, quotas.getOrDefault(e.getKey(), 0) - e.getValue().slots());
            }
        }
        int free = Math.max(0, c - heldInFleet);
        // slots at or above a lowered concurrency count for nothing here: they go back first (drop)
        return Math.min(want, Math.max(quotas.getOrDefault(incarnation, 0), validHeld(pod, c) + free - othersShort));
    }

    private synchronized List<String> podsHeld() {
        return held.entrySet().stream().filter(e -> !e.getValue().isEmpty()).map(Map.Entry::getKey).toList();
    }

    private synchronized int validHeld(String pod, int c) {
        TreeSet<Integer> s = held.get(pod);
        return s == null ? 0 : s.headSet(c).size();
    }

    /** Slots the database no longer gives this incarnation are dropped; ones it gives that nobody here holds are freed. */
    private void verify(Map<String, Set<Integer>> inDb) {
        Map<String, List<Integer>> orphaned = new HashMap<>();
        synchronized (this) {
            for (Map.Entry<String, TreeSet<Integer>> e : held.entrySet()) {
                Set<Integer> db = inDb.getOrDefault(e.getKey(), Set.of());
                for (Integer slot : new ArrayList<>(e.getValue())) {
                    if (!db.contains(slot)) {
                        e.getValue().remove(slot);
                        say.accept("slot " + slot + " of pod " + e.getKey() + " was lost (another runner holds it now)");
                    }
                }
            }
            inDb.forEach((pod, slots) -> slots.stream()
                    .filter(s -> !held.getOrDefault(pod, new TreeSet<>()).contains(s))
                    .forEach(s -> orphaned.computeIfAbsent(pod, k -> new ArrayList<>()).add(s)));
        }
        orphaned.forEach((pod, slots) -> db.release(incarnation, pod, slots));
    }

    private void giveBack(LeaseHandoff loop, Map<String, Integer> asks) {
        Map<String, List<Integer>> given;
        try {
            given = loop.giveBackSlots(asks).get(waitMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return; // the loop is busy: the next heartbeat asks again (a slot it dropped meanwhile is freed by verify)
        }
        given.forEach((pod, slots) -> db.release(incarnation, pod, slots));
    }

    /** A graceful stop: every slot is freed at once. */
    void releaseAll() {
        synchronized (this) {
            held.clear();
        }
        db.releaseAll(incarnation);
    }
}
