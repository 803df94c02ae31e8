package io.smartrunner.fleet;

import io.smartrunner.DaemonThreads;
import io.smartrunner.store.PostgresFleetProfiles.FleetProfile;
import io.smartrunner.store.StoreException;
import io.smartrunner.time.TimeSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The fleet's profiles as last read from PostgreSQL, shared by the API's reads (stale while
 * revalidate). Reading every profile with its runner takes 30–45 ms at 10 000 profiles (120–340 on a
 * two-core machine that also runs their sessions), and every page, summary and single profile of the API needs the whole
 * list: read per request, a first page took 86 ms at the median and 220 at p99 (SQLite: 2.7 / 55).
 *
 * <p>A read younger than {@link #FRESH_MS} is served as it is; an older one is still served, and
 * read again on a thread of its own ({@code sr-fleet-read}), so a request never waits for the
 * database unless the last read is older than {@link #MAX_AGE_MS} (the database is slow or out of
 * reach: then the request reads, and fails with it as before) or was {@linkplain #invalidate
 * invalidated} by a control this runner wrote or relayed (so whoever asked reads its own change).
 * While the API is being asked (a request within {@link #WATCHED_MS}), every event of the fleet
 * ({@link #changed}: {@code NOTIFY sr_events}) has the rows read again, at most once every
 * {@code FRESH_MS}: a dashboard that refreshes 300 ms after an event finds it in the rows, as with
 * one runner. Nobody asking, nothing is read. Thread-safe.
 */
final class RecentFleetProfiles implements AutoCloseable {
    /** A read this young is served without reading again. */
    static final long FRESH_MS = 500;
    /** A read this old is not served: the request waits for a new one. */
    static final long MAX_AGE_MS = 5_000;
    /** How long after the last request the fleet's events still have the rows read again. */
    static final long WATCHED_MS = 10_000;

    /** One read: the rows, and each profile's runner by id (the API asks for both on every request). */
    record Snapshot(List<FleetProfile> rows, Map<String, String> runners, java.util.Set<String> held) {
        static Snapshot of(List<FleetProfile> rows) {
            Map<String, String> on = new HashMap<>(rows.size() * 2);
            java.util.Set<String> held = new java.util.HashSet<>(rows.size() * 2);
            rows.forEach(p -> {
                on.put(p.state().profileId(), p.runner());
                if (p.held()) {
                    held.add(p.state().profileId());
                }
            });
            return new Snapshot(rows, on, held);
        }
    }

    private record Read(Snapshot snapshot, long atNanos, long generation) {
    }

    private final Supplier<List<FleetProfile>> read;
    private final TimeSource time;
    private final Consumer<String> say;
    /** Bumped by {@link #invalidate}: a read begun before the bump is never served after it. */
    private final AtomicLong generation = new AtomicLong();
    /** A background read is scheduled and has not begun yet: more reasons to read join it. */
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Object reading = new Object();
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("sr-fleet-read"));
    /** When the last request asked, and when the last read began (monotonic nanos). */
    private volatile long askedAt;
    private volatile long readBegan;
    private volatile Read last;
    /** Whether the last background read failed (said once, and its end once). Only the refresher touches it. */
    private boolean failing;

    RecentFleetProfiles(Supplier<List<FleetProfile>> read, TimeSource time, Consumer<String> say) {
        this.read = read;
        this.time = time;
        this.say = say;
    }

    /**
     * The fleet's profiles, read at most {@link #MAX_AGE_MS} ago and after the last invalidation.
     *
     * @throws StoreException a read was needed and the database could not be read
     */
    Snapshot get() {
        long now = time.nanoTime();
        askedAt = now;
        Read r = last;
        if (r == null || r.generation() != generation.get() || now - r.atNanos() > TimeUnit.MILLISECONDS.toNanos(MAX_AGE_MS)) {
            return readNow(r).snapshot();
        }
        if (now - r.atNanos() > TimeUnit.MILLISECONDS.toNanos(FRESH_MS)) {
            refreshSoon(now);
        }
        return r.snapshot();
    }

    /** The next {@link #get} reads the database (a change this runner made must show in its answer). */
    void invalidate() {
        generation.incrementAndGet();
    }

    /** Some runner wrote an event: a profile's row may have changed. Read again soon if anyone is looking. */
    void changed() {
        long now = time.nanoTime();
        if (last != null && now - askedAt <= TimeUnit.MILLISECONDS.toNanos(WATCHED_MS)) {
            refreshSoon(now);
        }
    }

    /** One background read, not sooner than {@link #FRESH_MS} after the last one began. */
    private void refreshSoon(long now) {
        if (scheduled.compareAndSet(false, true)) {
            long delay = Math.max(0, readBegan + TimeUnit.MILLISECONDS.toNanos(FRESH_MS) - now);
            refresher.schedule(this::refresh, delay, TimeUnit.NANOSECONDS);
        }
    }

    /** One read at a time: requests that arrive during a read take its result instead of reading too. */
    private Read readNow(Read seen) {
        synchronized (reading) {
            Read r = last;
            if (r != seen && r != null && r.generation() == generation.get()) {
                return r; // read meanwhile by another request or the refresher
            }
            long gen = generation.get();
            long at = time.nanoTime();
            readBegan = at;
            Read fresh = new Read(Snapshot.of(read.get()), at, gen);
            last = fresh;
            return fresh;
        }
    }

    private void refresh() {
        scheduled.set(false); // an event during this read has the rows read once more after it
        try {
            readNow(last);
            if (failing) {
                failing = false;
                say.accept("fleet view: the fleet's profiles read again");
            }
        } catch (StoreException e) {
            // requests still get the last read until it is MAX_AGE_MS old, then a 503 with the error
            if (!failing) {
                failing = true;
                say.accept("fleet view: cannot read the fleet's profiles (" + e.getMessage() + "); the API serves"
                        + " the last read for up to " + MAX_AGE_MS / 1000 + " s");
            }
        }
    }

    @Override
    public void close() {
        refresher.shutdownNow();
    }
}
