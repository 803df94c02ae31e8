package io.smartrunner.engine;

import io.smartrunner.profile.ProfileState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

/**
 * The profiles that may start, kept in start order so the loop's reaction to a freed slot does not
 * depend on the fleet's size (issue #13): per pod, the idle profiles whose cooldown is over, least
 * recently started first (run now and never run first, then configuration order), exactly the order
 * {@link io.smartrunner.session.SessionScheduler} picks in; the cooling ones by the end of their
 * cooldown; the paused ones by the end of their pause; and each pod's running sessions counted.
 *
 * <p>Filed again on every change of a profile's state ({@link TransitionApplier#record}, the one
 * place it changes: a session's start and end, a pause, a takeover), on run now, and rebuilt after
 * start-up and each reload. Other changes are caught when an entry is read: an entry whose profile
 * no longer fits it (its cooldown pushed back, paused, running) is moved or dropped there, so a
 * stale entry costs one look, never a wrong start. Java assertions (on in the tests) compare the
 * queue with a scan of every profile at each pick. Loop thread only.
 */
final class StartQueue {
    /** Where a profile is filed; {@code lastStartedAt} null = first in line (never run, or run now). */
    private record Entry(ProfileSlot slot, String pod, Instant lastStartedAt, int order) {
    }

    private record Timed(long at, ProfileSlot slot) {
    }

    private record PauseEnd(Instant until, ProfileSlot slot) {
    }

    private static final Comparator<Entry> START_ORDER = Comparator
            .comparing(Entry::lastStartedAt, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparingInt(Entry::order);

    private final Map<String, ProfileSlot> slots;
    private final Map<String, TreeSet<Entry>> ready = new HashMap<>();
    /** The entry each ready profile is filed under; a profile absent here is not in {@link #ready}. */
    private final Map<ProfileSlot, Entry> filed = new HashMap<>();
    /** Idle profiles still cooling down, by the end of their cooldown as filed (checked again when it comes). */
    private final PriorityQueue<Timed> cooling = new PriorityQueue<>((a, b) -> Long.compare(a.at() - b.at(), 0));
    private final Map<ProfileSlot, Long> coolingUntil = new HashMap<>();
    private final PriorityQueue<PauseEnd> pauses = new PriorityQueue<>(Comparator.comparing(PauseEnd::until));
    /** When each paused profile's pause is looked at next; a queue entry with another time is stale. */
    private final Map<ProfileSlot, Instant> pauseFiled = new HashMap<>();
    /** Profiles with a session running or being launched, and the pod each was counted in. */
    private final Map<ProfileSlot, String> busy = new HashMap<>();
    private final Map<String, Integer> busyByPod = new HashMap<>();

    StartQueue(Map<String, ProfileSlot> slots) {
        this.slots = slots;
    }

    /** Files every profile again (after start-up and after a reload, which may add, remove or move profiles). */
    void rebuild() {
        ready.clear();
        filed.clear();
        cooling.clear();
        coolingUntil.clear();
        pauses.clear();
        pauseFiled.clear();
        busy.clear();
        busyByPod.clear();
        for (ProfileSlot slot : slots.values()) {
            track(slot);
        }
    }

    /**
     * A profile changed (state, run now, cooldown): filed where it belongs now. An idle profile is
     * filed as cooling until its {@code notBeforeNanos}, even when that has passed: the next pick
     * moves it to the ready ones, so filing needs no clock.
     */
    void track(ProfileSlot slot) {
        countBusy(slot);
        unfile(slot);
        ProfileState s = slot.state;
        if (s.paused() && s.pausedUntil() != null) {
            if (!s.pausedUntil().equals(pauseFiled.get(slot))) {
                pauseLater(slot, s.pausedUntil());
            }
        } else {
            pauseFiled.remove(slot);
        }
        if (!idle(slot) || s.paused() || s.running()) {
            return; // filed again when its state changes (a session's end, an unpause)
        }
        coolingUntil.put(slot, slot.notBeforeNanos);
        cooling.add(new Timed(slot.notBeforeNanos, slot));
    }

    /** A profile dropped from the fleet. */
    void forget(ProfileSlot slot) {
        unfile(slot);
        pauseFiled.remove(slot);
        String pod = busy.remove(slot);
        if (pod != null) {
            busyByPod.merge(pod, -1, Integer::sum);
        }
    }

    private static boolean idle(ProfileSlot slot) {
        return slot.active == null && slot.spawning == null && !slot.removed;
    }

    private void countBusy(ProfileSlot slot) {
        boolean now = slot.active != null || slot.spawning != null;
        String was = busy.get(slot);
        if (was != null && (!now || !was.equals(slot.pod()))) {
            busy.remove(slot);
            busyByPod.merge(was, -1, Integer::sum);
            was = null;
        }
        if (now && was == null) {
            busy.put(slot, slot.pod());
            busyByPod.merge(slot.pod(), 1, Integer::sum);
        }
    }

    private void unfile(ProfileSlot slot) {
        Entry e = filed.remove(slot);
        if (e != null) {
            ready.get(e.pod()).remove(e);
        }
        coolingUntil.remove(slot); // its queue entry is skipped when it comes up
    }

    private void fileReady(ProfileSlot slot) {
        Entry e = new Entry(slot, slot.pod(), slot.runNowBy != null ? null : slot.state.lastStartedAt(), slot.order);
        filed.put(slot, e);
        ready.computeIfAbsent(e.pod(), p -> new TreeSet<>(START_ORDER)).add(e);
    }

    /** Cooldowns that have ended move to the ready profiles. */
    private void promote(long nowNanos) {
        while (!cooling.isEmpty() && cooling.peek().at() - nowNanos <= 0) {
            Timed t = cooling.poll();
            Long until = coolingUntil.get(t.slot());
            if (until != null && until == t.at()) {
                coolingUntil.remove(t.slot());
                if (t.slot().notBeforeNanos - nowNanos <= 0) {
                    fileReady(t.slot());
                } else {
                    track(t.slot()); // its cooldown was pushed back since
                }
            }
        }
    }

    /** Sessions running (or being launched) in the pod. */
    int busy(String pod) {
        return busyByPod.getOrDefault(pod, 0);
    }

    int busyTotal() {
        return busy.size();
    }

    /**
     * Up to {@code free} profiles to start now, in the order the scheduler would pick them from a
     * scan of every profile: least recently started first across pods, no pod beyond its room.
     *
     * @param room      how many more sessions each pod may start (≤ 0: none)
     * @param podOpen   whether the pod may start anything now (not held, breaker allows)
     * @param mayStart  whether this profile may start now (not in recovery, lease held, ...)
     */
    List<ProfileSlot> pick(long nowNanos, int free, ToIntFunction<String> room, Predicate<String> podOpen,
                           Predicate<ProfileSlot> mayStart) {
        promote(nowNanos);
        if (free <= 0) {
            return List.of();
        }
        record Head(Entry entry, Iterator<Entry> rest, int[] left) {
        }
        PriorityQueue<Head> heads = new PriorityQueue<>((a, b) -> START_ORDER.compare(a.entry(), b.entry()));
        for (Map.Entry<String, TreeSet<Entry>> pod : ready.entrySet()) {
            int left = room.applyAsInt(pod.getKey());
            if (left > 0 && !pod.getValue().isEmpty() && podOpen.test(pod.getKey())) {
                Iterator<Entry> it = pod.getValue().iterator();
                heads.add(new Head(it.next(), it, new int[] {left}));
            }
        }
        List<ProfileSlot> picked = new ArrayList<>();
        List<ProfileSlot> stale = new ArrayList<>();
        while (picked.size() < free && !heads.isEmpty()) {
            Head h = heads.poll();
            ProfileSlot slot = h.entry().slot();
            if (!fits(slot, h.entry(), nowNanos)) {
                stale.add(slot);
            } else if (mayStart.test(slot)) {
                picked.add(slot);
                h.left()[0]--;
            }
            if (h.left()[0] > 0 && h.rest().hasNext()) {
                heads.add(new Head(h.rest().next(), h.rest(), h.left()));
            }
        }
        stale.forEach(this::track);
        return picked;
    }

    /** Whether the profile is still what its ready entry says: idle, startable, cooled down, same pod and place in line. */
    private static boolean fits(ProfileSlot slot, Entry e, long nowNanos) {
        ProfileState s = slot.state;
        return idle(slot) && !s.paused() && !s.running() && nowNanos - slot.notBeforeNanos >= 0
                && e.pod().equals(slot.pod())
                && java.util.Objects.equals(e.lastStartedAt(), slot.runNowBy != null ? null : s.lastStartedAt());
    }

    /** The end of the earliest cooldown still running (a wake-up for the loop), or {@code otherwise}. */
    long nextCooldownEnd(long otherwise) {
        while (!cooling.isEmpty()) {
            Timed t = cooling.peek();
            Long until = coolingUntil.get(t.slot());
            if (until != null && until == t.at()) {
                return t.at() - otherwise < 0 ? t.at() : otherwise;
            }
            cooling.poll(); // filed elsewhere since
        }
        return otherwise;
    }

    /** The earliest end of a pause still in force, or null. */
    Instant nextPauseEnd() {
        while (!pauses.isEmpty()) {
            PauseEnd p = pauses.peek();
            if (p.until().equals(pauseFiled.get(p.slot()))) {
                return p.until();
            }
            pauses.poll();
        }
        return null;
    }

    /**
     * The paused profiles whose pause end has come by {@code now}, taken off the queue: the caller
     * ends each pause or files it again ({@link #pauseLater}); a profile paused again is filed by
     * its state change.
     */
    List<ProfileSlot> pausesEnded(Instant now) {
        List<ProfileSlot> due = new ArrayList<>();
        for (Instant next = nextPauseEnd(); next != null && !next.isAfter(now); next = nextPauseEnd()) {
            ProfileSlot slot = pauses.poll().slot();
            pauseFiled.remove(slot);
            due.add(slot);
        }
        return due;
    }

    /** Looks at the profile's pause again at {@code at} (not its holder now, its unpause failed, or not yet due). */
    void pauseLater(ProfileSlot slot, Instant at) {
        pauseFiled.put(slot, at);
        pauses.add(new PauseEnd(at, slot));
    }

    /**
     * Whether this queue agrees with a scan of every profile: every busy profile counted in its pod,
     * every profile that could start now filed ready under its place in line (an assertion).
     */
    boolean inStep(long nowNanos) {
        Map<String, Integer> counted = new HashMap<>();
        for (ProfileSlot slot : slots.values()) {
            if (slot.active != null || slot.spawning != null) {
                counted.merge(slot.pod(), 1, Integer::sum);
                if (!slot.pod().equals(busy.get(slot))) {
                    throw new AssertionError("start queue: busy profile " + slot.id() + " not counted in pod " + slot.pod());
                }
            } else if (idle(slot) && !slot.state.paused() && !slot.state.running()
                    && nowNanos - slot.notBeforeNanos >= 0) {
                Entry e = filed.get(slot);
                if (e == null || !fits(slot, e, nowNanos) || !ready.get(e.pod()).contains(e)) {
                    throw new AssertionError("start queue: profile " + slot.id() + " could start but is filed as " + e
                            + " (cooling until " + coolingUntil.get(slot) + ", now " + nowNanos + ")");
                }
            }
            if (slot.state.paused() && slot.state.pausedUntil() != null && !pauseFiled.containsKey(slot)) {
                throw new AssertionError("start queue: paused profile " + slot.id() + " has no pause end filed");
            }
        }
        for (Map.Entry<String, Integer> e : busyByPod.entrySet()) {
            if (e.getValue() != counted.getOrDefault(e.getKey(), 0).intValue()) {
                throw new AssertionError("start queue: pod " + e.getKey() + " counted " + e.getValue() + " busy, the scan "
                        + counted.getOrDefault(e.getKey(), 0));
            }
        }
        return true;
    }
}
