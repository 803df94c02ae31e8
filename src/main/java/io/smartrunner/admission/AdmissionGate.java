package io.smartrunner.admission;

import io.smartrunner.event.EventRecord;
import io.smartrunner.event.Events;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Admission control: no new session (nor its browser) starts while the host is short of memory
 * ({@code runner.minFreeMemoryMb}) or, when set, over its load limit ({@code runner.maxLoadPerCore}).
 * Sessions already running go on. The engine loop asks before each start pass; the host is read
 * at most once per {@link #SAMPLE_EVERY_NANOS} and only when a start is wanted or starts are held,
 * so an idle fleet reads nothing. An episode of pressure is told once: a {@code pressure} event
 * when starts are first held, a {@code pressure-end} event when they resume. Starts resume once
 * the reading is back {@link #RESUME_MARGIN} inside the limit, so a reading hovering at a limit
 * does not flap. An unknown reading never holds anything.
 *
 * <p>Driven by the loop thread only; {@link AdmissionView} is safe from any thread.
 */
public final class AdmissionGate implements AdmissionView {
    /** The host is read at most this often. */
    public static final long SAMPLE_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Share of the limit a reading must be back inside before held starts resume. */
    static final double RESUME_MARGIN = 0.1;

    private final HostPressure pressure;
    private final long minFreeMemoryMb;
    private final double maxLoadPerCore;
    private final SpawnShortage spawns;
    /** The current hold is the refused spawns' (it ends with their window, not at a reading). */
    private boolean heldBySpawns;
    private boolean sampled;
    private long lastSampleNanos;
    private long heldSinceNanos;
    private Instant heldSince;
    private final Set<String> delayed = new HashSet<>();
    private volatile boolean held;
    private volatile String note;
    private final AtomicLong delayedTotal = new AtomicLong();

    /**
     * @param minFreeMemoryMb hold starts while MemAvailable is under this many MiB; 0 = off
     * @param maxLoadPerCore  hold starts while the 1-minute load per core is over this; 0 = off
     */
    public AdmissionGate(HostPressure pressure, long minFreeMemoryMb, double maxLoadPerCore) {
        this(pressure, minFreeMemoryMb, maxLoadPerCore, new SpawnShortage());
    }

    /** @param spawns refused spawns, which hold starts for their window whatever the readings say */
    public AdmissionGate(HostPressure pressure, long minFreeMemoryMb, double maxLoadPerCore, SpawnShortage spawns) {
        this.pressure = pressure;
        this.minFreeMemoryMb = minFreeMemoryMb;
        this.maxLoadPerCore = maxLoadPerCore;
        this.spawns = spawns;
    }

    private record Shortage(String what, Number reading, Number limit, String unit, String text) {
    }

    /**
     * Reads the host when due and decides whether starts are held.
     *
     * @param wantToStart the loop has sessions to start this turn
     * @return the {@code pressure} or {@code pressure-end} event when an episode begins or ends, else null
     */
    public EventRecord look(boolean wantToStart, long nowNanos, Instant now) {
        Shortage shortage;
        if (spawns.within(nowNanos)) {
            shortage = new Shortage("processes", spawns.count(), 0, "refused spawns", "the host refused the runner a"
                    + " process or descriptor (" + spawns.reason() + ")");
            heldBySpawns = true;
        } else if ((minFreeMemoryMb <= 0 && maxLoadPerCore <= 0) || (!held && !wantToStart)
                || (sampled && nowNanos - lastSampleNanos < SAMPLE_EVERY_NANOS)) {
            if (!(held && heldBySpawns)) {
                return null;
            }
            shortage = null; // the refusals' window is over; a reading, when one is due, may hold again
            heldBySpawns = false;
        } else {
            sampled = true;
            lastSampleNanos = nowNanos;
            HostReading reading = pressure.read();
            shortage = shortage(reading, held && !heldBySpawns ? 1 + RESUME_MARGIN : 1);
            heldBySpawns = false;
        }
        if (!held && shortage != null) {
            held = true;
            heldSinceNanos = nowNanos;
            heldSince = now;
            delayed.clear();
            note = note(shortage);
            return Events.pressure(now, shortage.what(), shortage.reading(), shortage.limit(), shortage.unit(),
                    shortage.text());
        }
        if (held && shortage != null) {
            note = note(shortage); // the latest reading
            return null;
        }
        if (held) {
            held = false;
            note = null;
            long heldForMs = TimeUnit.NANOSECONDS.toMillis(nowNanos - heldSinceNanos);
            return Events.pressureEnd(now, heldForMs, delayed.size());
        }
        return null;
    }

    /** Whether starts are held now (the loop's view; same as {@link #held()}). */
    public boolean holding() {
        return held;
    }

    /** The profiles whose start the loop held back this turn (counted once per episode each). */
    public void delayed(Collection<String> profileIds) {
        for (String id : profileIds) {
            if (delayed.add(id)) {
                delayedTotal.incrementAndGet();
            }
        }
    }

    /** While held, when the loop must look again (the next sample, or the refusals' window's end); meaningless otherwise. */
    public long nextSampleNanos() {
        return heldBySpawns ? spawns.endsNanos() : lastSampleNanos + SAMPLE_EVERY_NANOS;
    }

    @Override
    public boolean held() {
        return held;
    }

    @Override
    public long delayedTotal() {
        return delayedTotal.get();
    }

    @Override
    public String note() {
        return note;
    }

    /** What is short, with {@code slack} > 1 asking for a reading that far inside the limit (resume). */
    private Shortage shortage(HostReading r, double slack) {
        if (minFreeMemoryMb > 0 && r.memoryKnown() && r.availableMemoryMb() < minFreeMemoryMb * slack) {
            return new Shortage("memory", r.availableMemoryMb(), minFreeMemoryMb, "MiB", "MemAvailable "
                    + r.availableMemoryMb() + " MiB is under runner.minFreeMemoryMb " + minFreeMemoryMb);
        }
        if (maxLoadPerCore > 0 && r.loadKnown() && r.loadPerCore() > maxLoadPerCore / slack) {
            double load = Math.round(r.loadPerCore() * 100) / 100.0;
            return new Shortage("load", load, maxLoadPerCore, "per core", "1-minute load per core "
                    + String.format(Locale.ROOT, "%.2f", load) + " is over runner.maxLoadPerCore " + maxLoadPerCore);
        }
        return null;
    }

    private String note(Shortage s) {
        return "new sessions held since " + heldSince + ": " + s.text();
    }
}
