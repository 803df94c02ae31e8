package io.smartrunner.cluster;

import io.smartrunner.SmartRunnerException;
import io.smartrunner.config.ClusterSettings;
import io.smartrunner.store.PostgresLeases;
import io.smartrunner.store.WriteFence;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * This runner's profile leases in cluster mode (docs/cluster-leases.md). Runs on the heartbeat
 * thread, after each successful heartbeat ({@link #renewed}): checks the leases it believes it
 * holds against the database, then takes free or expired ones up to its fair share and hands them
 * to the engine loop, or asks the loop to give idle ones back when it holds more than share + 1
 * (more than its share while another runner is below its own).
 *
 * <p>The heartbeat is the renewal of every lease; a profile {@link #mayRun} while its lease is
 * held here and the last successful heartbeat was <em>sent</em> less than the renew deadline ago
 * (the runner's monotonic clock; the database's {@code heartbeat_at} is later than the send, so
 * this side always gives up first). It is also the store's {@link WriteFence}.
 * <p>Over 300 lines because the engine's view of the leases, the store's fence, the placement rule and the heartbeat's
 * renewal share one map of held leases and its epochs; the SQL lives in {@link PostgresLeases}. Pod slots (a pod's
 * concurrency across the fleet) are kept by {@link PodSlotKeeper}, balanced after the leases on the same thread.
 */
public final class LeaseKeeper implements ProfileLeases, WriteFence, QueuedControlReads {
    /** At most this long (or the heartbeat period, if shorter) the heartbeat thread waits for the loop to give leases back. */
    private static final long GIVE_BACK_WAIT_MS = 2_000;
    /** After another runner's heartbeat expires, the next heartbeat comes this much later (the database's clock has moved on). */
    private static final long EXPIRY_MARGIN_MS = 10;
    /** How long a profile taken on waits at most for the relay's read of its queued controls. */
    static final long CONTROLS_READ_WAIT_MS = 10_000;

    private final PostgresLeases leases;
    private final long incarnation;
    private final ClusterSettings timings;
    private final LongSupplier nanoTime;
    private final Consumer<String> say;
    private final long deadlineNanos;
    /** Taken on by the loop, with the epoch it holds. */
    private final Map<String, Long> held = new ConcurrentHashMap<>();
    /**
     * The epoch each lease lost here was held at (taken over, or a write refused as stale), until it
     * is taken on again: the fleet's events about the profile are fenced with it ({@link #lastEpoch}).
     */
    private final Map<String, Long> lostAt = new ConcurrentHashMap<>();
    /** Acquired and offered to the loop, not yet taken on or refused. */
    private final Set<String> handedOver = ConcurrentHashMap.newKeySet();
    private final Set<String> notHeldSaid = ConcurrentHashMap.newKeySet();
    /** Leases the check after a heartbeat found taken by another runner: writes about them still pending are stale. */
    private final Map<String, Long> lostHere = new ConcurrentHashMap<>();
    private final AtomicLong staleWrites = new AtomicLong();
    private volatile Set<String> configured = Set.of();
    /** Of {@link #configured}, the ones pinned by runOn to a label this runner has; see {@link #balance}. */
    private volatile Set<String> pinnedHere = Set.of();
    /** Every configured profile, the ones this runner's labels do not fit included: the fair share's base. */
    private volatile int fleetProfiles;
    /** {@link Placement#profileSet}: published on this runner's row when it changed ({@link #published}). */
    private volatile String profileSet;
    /** The fingerprint last written on this runner's row (only the keeper's thread). */
    private String published;
    private Set<String> ensured = Set.of();
    private volatile LeaseHandoff loop;
    /** Whether the last balance asked the loop for leases back (busy ones are then held from starting). */
    private boolean asked;
    private volatile boolean renewed;
    /** When the first heartbeat after this runner was cut off (fenced) was sent; 0: never cut off. Keeper's thread. */
    private long backNanos;
    /** How long that cut-off lasted, from the last successful heartbeat before it to the first after. */
    private long cutOffMs;
    private volatile long renewedSentNanos;
    private volatile String problem;
    /** From the last balance: ms until another live runner's leases expire, or -1 (see {@link #paceMs}). */
    private volatile long nextExpiryMs = -1;
    /**
     * Profiles taken on since the control relay last read the queued controls, with the read count
     * then: none of them starts a session before a read that began after it was taken is done
     * ({@link QueuedControlReads}; it is held meanwhile, {@link #mayRun} as ever: nothing it runs
     * or recovers is stopped for it). Empty while no relay is wired.
     */
    private final Map<String, Unread> controlsUnread = new ConcurrentHashMap<>();
    /** Whether a profile started without its queued controls read was said, since the last read done. */
    private final AtomicBoolean unreadStartSaid = new AtomicBoolean();
    private final AtomicLong controlReads = new AtomicLong();
    private volatile Runnable readControls;
    /** A pod's concurrency across the fleet; null only in tests without a database. */
    private final PodSlotKeeper podSlots;

    public LeaseKeeper(PostgresLeases leases, long incarnation, ClusterSettings timings, LongSupplier nanoTime,
                       Consumer<String> say) {
        this.leases = leases;
        this.incarnation = incarnation;
        this.timings = timings;
        this.nanoTime = nanoTime;
        this.say = say;
        this.deadlineNanos = TimeUnit.MILLISECONDS.toNanos(timings.renewDeadlineMs());
        this.podSlots = leases == null ? null : new PodSlotKeeper(leases.podSlots(), incarnation, timings.leaseTtlMs(),
                Math.min(GIVE_BACK_WAIT_MS, timings.renewEveryMs()), say);
    }

    @Override
    public boolean mayRun(String profileId) {
        return held.containsKey(profileId) && !overdue();
    }

    /**
     * Whether a profile taken on here may start: its queued controls were read since, or they could not
     * be read within {@link #CONTROLS_READ_WAIT_MS} (the {@code controls} table unreadable or a read
     * stuck): availability then wins over the wait, said once until a read is done again, and what
     * was queued is applied when the relay reads it. A read normally takes milliseconds.
     */
    @Override
    public boolean queuedControlsRead(String profileId) {
        Unread unread = controlsUnread.get(profileId);
        if (unread == null) {
            return true;
        }
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(nanoTime.getAsLong() - unread.sinceNanos());
        if (waitedMs < CONTROLS_READ_WAIT_MS) {
            return false;
        }
        controlsUnread.remove(profileId, unread);
        if (unreadStartSaid.compareAndSet(false, true)) {
            say.accept("fleet controls: not read within " + CONTROLS_READ_WAIT_MS / 1000 + " s of taking over"
                    + " profile " + profileId + ": it starts without them, as will any profile taken over until a"
                    + " read is done (said once until then); a control queued for it is applied when one is");
        }
        return true;
    }

    @Override
    public void readBy(Runnable wake) {
        readControls = wake;
    }

    @Override
    public long readBegins() {
        return controlReads.incrementAndGet();
    }

    @Override
    public void readDone(long ticket) {
        unreadStartSaid.set(false);
        if (controlsUnread.entrySet().removeIf(e -> e.getValue().ticket() < ticket)) {
            LeaseHandoff l = loop;
            if (l != null) {
                l.slotsAcquired(); // a turn: what may start now starts
            }
        }
    }

    @Override
    public Long epoch(String profileId) {
        return held.get(profileId);
    }

    @Override
    public Long lastEpoch(String profileId) {
        Long now = held.get(profileId);
        return now != null ? now : lostAt.get(profileId);
    }

    @Override
    public String fenced() {
        if (!overdue()) {
            return null;
        }
        long agoMs = TimeUnit.NANOSECONDS.toMillis(nanoTime.getAsLong() - renewedSentNanos);
        return String.format(Locale.ROOT, "self-fencing: the last successful heartbeat was sent %.1f s ago"
                + " (renew deadline %.1f s): this runner's sessions are stopped and none start until a heartbeat"
                + " lands again", agoMs / 1000.0, timings.renewDeadlineMs() / 1000.0);
    }

    /**
     * How old another runner's last heartbeat may be for its leases to stay its own: the TTL, and
     * for one TTL after this runner was cut off from the database, the TTL plus how long it was
     * cut off. An outage of the database itself cuts off every runner: no heartbeat could land, and
     * the first runner back took every other runner's leases at once (a reviewer's 3 runners
     * reshuffled all 60 profiles after a 14 s restart, and the takers wrote {@code lost} for
     * sessions whose holder's own end was still queued: the sessions rows said lost, the events
     * finish). Each had fenced itself, so none ran twice; now the others get one TTL to be heard
     * again. A runner that died meanwhile loses its leases one TTL after this one came back.
     */
    long othersLiveWithinMs() {
        long ttl = timings.leaseTtlMs();
        boolean justBack = backNanos != 0 && nanoTime.getAsLong() - backNanos < TimeUnit.MILLISECONDS.toNanos(ttl);
        return justBack ? ttl + cutOffMs : ttl;
    }

    private boolean overdue() {
        return renewed && nanoTime.getAsLong() - renewedSentNanos > deadlineNanos;
    }

    @Override
    public boolean clustered() {
        return true;
    }

    /** Half the slack between the renew deadline and the TTL. */
    @Override
    public long fenceGraceMs() {
        return (timings.leaseTtlMs() - timings.renewDeadlineMs()) / 2;
    }

    /** A quarter of that slack, at most a second: deadline + check + grace stays under the TTL. */
    @Override
    public long checkEveryMs() {
        return Math.max(1, Math.min(1_000, (timings.leaseTtlMs() - timings.renewDeadlineMs()) / 4));
    }

    @Override
    public void attach(LeaseHandoff handoff) {
        this.loop = handoff;
    }

    @Override
    public void configured(Collection<String> profileIds) {
        Set<String> all = Set.copyOf(profileIds);
        configured(new Placement(all, Set.of(), all.size(), Map.of(), Placement.fingerprint(all)));
    }

    @Override
    public void configured(Placement placement) {
        this.pinnedHere = placement.pinnedHere();
        this.fleetProfiles = placement.fleetProfiles();
        this.configured = placement.eligible();
        this.profileSet = placement.profileSet();
    }

    @Override
    public void pods(Map<String, Integer> concurrency, Map<String, String> podOf) {
        if (podSlots != null) {
            podSlots.configured(concurrency, podOf);
        }
    }

    /** Slots of the pod held here; none while self-fencing. */
    @Override
    public int podSlots(String pod) {
        return podSlots == null || overdue() ? 0 : podSlots.held(pod);
    }

    @Override
    public void podDemand(Map<String, Integer> runnable) {
        if (podSlots != null) {
            podSlots.demand(runnable);
        }
    }

    @Override
    public List<Integer> dropPodSlots(String pod, int count) {
        return podSlots == null ? List.of() : podSlots.drop(pod, count);
    }

    @Override
    public void taken(String profileId, long epoch) {
        held.put(profileId, epoch);
        lostAt.remove(profileId);
        Runnable read = readControls;
        if (read != null) {
            // before it may run (the loop's own thread, which starts sessions, is the caller) the relay
            // reads what was queued for it; held first, so a read that began after this applies it
            controlsUnread.put(profileId, new Unread(controlReads.get(), nanoTime.getAsLong()));
            read.run();
        }
        lostHere.remove(profileId);
        handedOver.remove(profileId);
        notHeldSaid.remove(profileId);
    }

    @Override
    public void refused(String profileId) {
        handedOver.remove(profileId);
    }

    @Override
    public void dropped(String profileId) {
        held.remove(profileId);
    }

    @Override
    public long incarnation() {
        return incarnation;
    }

    @Override
    public void stale(String profileId, long heldEpoch, Long databaseEpoch) {
        staleWrites.incrementAndGet();
        if (held.remove(profileId, heldEpoch)) {
            lostAt.put(profileId, heldEpoch);
        }
        say.accept("stale write refused for profile " + profileId + ": held here at epoch " + heldEpoch
                + ", the database has " + (databaseEpoch == null ? "another holder" : "epoch " + databaseEpoch)
                + "; its lease is dropped here");
    }

    @Override
    public void notHeld(String profileId) {
        Long lost = lostHere.remove(profileId);
        if (lost != null) {
            stale(profileId, lost, null); // written while it was held, refused because it was taken over meanwhile
            return;
        }
        if (notHeldSaid.add(profileId)) {
            say.accept("a write about profile " + profileId + " was skipped: this runner does not hold its lease"
                    + " (said once per profile)");
        }
    }

    /** Writes the database refused because another runner had taken the lease (for /metrics). */
    public long staleWrites() {
        return staleWrites.get();
    }

    /** Leases taken on by the loop now. */
    public int heldCount() {
        return held.size();
    }

    /** Why this runner may run nothing or cannot manage its leases, for /readyz and status; or null. */
    public String problem() {
        String f = fenced();
        return f != null ? f : problem;
    }

    /**
     * After a successful heartbeat sent at {@code sentNanos}: checks, renews, takes or gives back.
     * Heartbeat thread only.
     */
    public void renewed(long sentNanos) {
        nextExpiryMs = -1;
        try {
            Map<String, Long> inDb = leases.heldBy(incarnation);
            verify(inDb);
            boolean wasFenced = overdue();
            if (wasFenced) {
                cutOffMs = TimeUnit.NANOSECONDS.toMillis(sentNanos - renewedSentNanos);
                backNanos = sentNanos;
            }
            renewedSentNanos = sentNanos;
            renewed = true;
            if (wasFenced) {
                say.accept("heartbeat landed again: " + held.size() + " lease(s) still held here, sessions may start");
            }
            balance(inDb.size());
            if (podSlots != null) {
                // leases just handed to the loop count too: their slots are taken now, not a heartbeat later
                podSlots.balance(held.keySet(), Set.copyOf(handedOver), loop);
            }
            if (problem != null) {
                say.accept("lease keeper works again");
                problem = null;
            }
        } catch (SmartRunnerException e) {
            if (problem == null) {
                say.accept("lease keeper failed, retrying after the next heartbeat (said once until it works"
                        + " again): " + e.getMessage());
            }
            problem = "leases cannot be managed: " + e.getMessage();
        }
    }

    /**
     * The delay until the next heartbeat: the period, or, when another runner's heartbeat expires
     * before that, just after it expires. Its leases are free from that instant, and this runner
     * balances after each heartbeat, so a dead runner's profiles are taken over at TTL after its
     * last heartbeat instead of up to a period later (the takeover bound of docs/cluster-leases.md).
     */
    public long paceMs(long periodMs) {
        long expiry = nextExpiryMs;
        if (expiry < 0 || expiry + EXPIRY_MARGIN_MS >= periodMs) {
            return periodMs;
        }
        return expiry + EXPIRY_MARGIN_MS;
    }

    /** Leases the database no longer gives this incarnation are dropped here; ones it gives but nobody took are freed. */
    private void verify(Map<String, Long> inDb) {
        for (Map.Entry<String, Long> e : new ArrayList<>(held.entrySet())) {
            Long db = inDb.get(e.getKey());
            if (!e.getValue().equals(db)) {
                held.remove(e.getKey(), e.getValue());
                lostHere.put(e.getKey(), e.getValue());
                lostAt.put(e.getKey(), e.getValue());
                say.accept("lease of profile " + e.getKey() + " was lost (held here at epoch " + e.getValue()
                        + ", the database has " + (db == null ? "another holder" : "epoch " + db) + ")");
            }
        }
        List<String> orphaned = new ArrayList<>();
        for (String id : inDb.keySet()) {
            if (!handedOver.contains(id) && !held.containsKey(id)) { // this order: taken() adds to held first
                orphaned.add(id);
            }
        }
        if (!orphaned.isEmpty() && leases.release(incarnation, orphaned) > 0) {
            orphaned.forEach(inDb::remove);
        }
    }

    /**
     * Placement (docs/cluster-placement.md). The fair share is of the whole fleet's profiles, the
     * same number on every runner; this runner takes only the profiles its labels fit. Free leases of
     * profiles pinned to one of its labels are taken first and whatever the share (nobody without
     * the label could run them), then unpinned ones up to the share; only unpinned ones are given back
     * to even the fleet out. So every pinned profile with a live runner of its label is held, and
     * every unpinned one too: the runners' shares add up to at least the fleet, and a runner counts
     * its pinned leases against its share, so it leaves the unpinned ones to others.
     */
    private void balance(int heldInDb) {
        LeaseHandoff handoff = loop;
        Set<String> profiles = configured;
        Set<String> pinned = pinnedHere;
        if (handoff == null || profiles.isEmpty()) {
            return;
        }
        if (!ensured.equals(profiles)) {
            leases.ensure(profiles);
            ensured = profiles;
        }
        String set = profileSet;
        if (set != null && !set.equals(published)) {
            // before the share below: runners with other lists must not be counted on for these profiles
            leases.publishProfileSet(incarnation, set);
            published = set;
        }
        List<String> unconfigured = held.keySet().stream().filter(id -> !profiles.contains(id)).toList();
        if (!unconfigured.isEmpty()) {
            giveBack(handoff, unconfigured, unconfigured.size()); // removed by a reload: freed once nothing of it runs
        }
        PostgresLeases.Fleet fleet = leases.fleet(incarnation, othersLiveWithinMs());
        nextExpiryMs = fleet.nextExpiryMs();
        int fleetSize = Math.max(fleetProfiles, profiles.size());
        int share = fleet.share(fleetSize);
        if (!pinned.isEmpty()) {
            heldInDb += handOver(handoff, pinned, pinned.size());
        }
        if (heldInDb < share) {
            handOver(handoff, profiles, share - heldInDb);
        } else if (heldInDb > share + 1 || heldInDb > share
                && leases.peerBelowShare(incarnation, othersLiveWithinMs(), fleetSize, fleet.liveCapacity())) {
            // one over its share is kept (the shares' rounding up adds to more than the fleet) unless a
            // runner below its share waits for leases: with everyone at share + 1, a runner that joined
            // a busy fleet held 1 of its 6 for minutes, and 4 equal runners of 12 profiles split 4/4/4 left
            // a fourth with none for good (reviewer R12)
            List<String> unpinned = held.keySet().stream().filter(id -> !pinned.contains(id)).toList();
            int count = Math.min(heldInDb - share, unpinned.size());
            if (count > 0) {
                asked = true;
                giveBack(handoff, new ArrayList<>(unpinned), count);
                return;
            }
        }
        if (asked) {
            asked = false;
            handoff.giveBack(List.of(), 0); // balanced again: busy profiles held back for the give-back may start
        }
    }

    /** Acquires up to {@code limit} of these profiles not held or offered here yet and offers them to the loop. */
    private int handOver(LeaseHandoff handoff, Set<String> from, int limit) {
        Set<String> candidates = new HashSet<>(from);
        candidates.removeAll(held.keySet());
        candidates.removeAll(handedOver);
        List<PostgresLeases.Acquired> got = leases.acquire(incarnation, candidates, limit, othersLiveWithinMs());
        if (!got.isEmpty()) {
            got.forEach(a -> handedOver.add(a.profileId()));
            handoff.acquired(got);
        }
        return got.size();
    }

    private void giveBack(LeaseHandoff handoff, List<String> offered, int count) {
        List<String> given;
        try {
            given = handoff.giveBack(offered, count)
                    .get(Math.min(GIVE_BACK_WAIT_MS, timings.renewEveryMs()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return; // the loop is busy: the next heartbeat asks again
        }
        given.forEach(held::remove);
        leases.release(incarnation, given);
    }

    /** A graceful stop, after the sessions are stopped: every lease is freed at once. */
    public void releaseAll() {
        held.clear();
        try {
            podSlots.releaseAll();
            leases.releaseAll(incarnation);
        } catch (SmartRunnerException e) {
            say.accept("could not free this runner's leases (they expire with its heartbeat): " + e.getMessage());
        }
    }

    /** A profile taken on: the read count then, and when. */
    private record Unread(long ticket, long sinceNanos) {
    }
}
