package io.smartrunner.cluster;

import io.smartrunner.time.TimeSource;
import java.time.Instant;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The cluster's wall clock: PostgreSQL's, read at join and with every heartbeat, and carried
 * between readings by this machine's monotonic clock. In cluster mode a pause's end and every
 * event's {@code ts} come from it, so the members agree on them whatever their own wall clocks
 * say (no NTP, a step, a machine 90 s out): a pause a runner 90 s ahead takes over no longer ends
 * 90 s early. A step of this machine's wall clock changes nothing here; a step of the database's
 * is followed at the next heartbeat.
 *
 * <p>A reading is dated at the middle of its round trip, give or take half the round trip. It
 * replaces the current one when it is no less certain than the current one has become since, its
 * uncertainty grown by what two clocks can drift apart ({@link #DRIFT_PPM}): a reply held up by
 * a stalled network or a pause never moves the clock by its delay (NTP's rule, in miniature).
 */
public final class DatabaseClock implements TimeSource {
    /** Quartz clocks of ordinary machines stay within 100 ppm of each other; twice that, to be safe. */
    static final long DRIFT_PPM = 200;
    /** How far this machine's wall clock may be from the database's before the runner says so. */
    static final long SAID_FROM_MS = 1_000;

    private final TimeSource local;
    private final Consumer<String> say;
    private volatile Reading reading;
    /** The offset last said (ms, this machine ahead), to say it again only when it has moved by a second. */
    private long saidAheadMs;

    /** The database's clock, {@code dbMillis}, as it was at {@code atNanos}, give or take {@code plusMinusNanos}. */
    private record Reading(long dbMillis, long atNanos, long plusMinusNanos) {
        long plusMinusAt(long nanos) {
            return plusMinusNanos + Math.max(0, nanos - atNanos) / 1_000_000 * DRIFT_PPM;
        }
    }

    private DatabaseClock(TimeSource local, Consumer<String> say, Reading first) {
        this.local = local;
        this.say = say;
        this.reading = first;
    }

    /**
     * The clock from its first reading: the database said {@code databaseNow} between
     * {@code sentNanos} and {@code receivedNanos} on {@code local}'s monotonic clock. Says once
     * when this machine's wall clock is a second or more away from it.
     */
    public static DatabaseClock firstRead(Instant databaseNow, long sentNanos, long receivedNanos, TimeSource local,
                                          Consumer<String> say) {
        DatabaseClock clock = new DatabaseClock(local, say, reading(databaseNow, sentNanos, receivedNanos));
        long aheadMs = clock.localAheadMs();
        if (Math.abs(aheadMs) >= SAID_FROM_MS) {
            say.accept("this machine's wall clock is " + words(aheadMs) + " the database's; in cluster mode pauses"
                    + " and event times follow the database's clock");
        }
        clock.saidAheadMs = aheadMs;
        return clock;
    }

    /** A later reading; kept when at least as certain as the current one is by now. */
    public void read(Instant databaseNow, long sentNanos, long receivedNanos) {
        Reading next = reading(databaseNow, sentNanos, receivedNanos);
        if (next.plusMinusNanos() > reading.plusMinusAt(receivedNanos)) {
            return;
        }
        reading = next;
        long aheadMs = localAheadMs();
        if (Math.abs(aheadMs - saidAheadMs) >= SAID_FROM_MS) {
            say.accept("this machine's wall clock is now " + words(aheadMs) + " the database's (it was "
                    + words(saidAheadMs) + "); pauses and event times keep following the database's clock");
            saidAheadMs = aheadMs;
        }
    }

    private static Reading reading(Instant databaseNow, long sentNanos, long receivedNanos) {
        long roundTrip = Math.max(0, receivedNanos - sentNanos);
        // dated at the middle of the round trip: the database answered somewhere within it
        return new Reading(databaseNow.toEpochMilli() + roundTrip / 2 / 1_000_000, receivedNanos, roundTrip / 2);
    }

    /** Millisecond precision, as {@link TimeSource#system()}: what is persisted is milliseconds. */
    @Override
    public Instant now() {
        Reading r = reading;
        return Instant.ofEpochMilli(r.dbMillis() + Math.floorDiv(local.nanoTime() - r.atNanos(), 1_000_000L));
    }

    @Override
    public long nanoTime() {
        return local.nanoTime();
    }

    /** How far this machine's wall clock is ahead of the database's, in ms (negative: behind). */
    public long localAheadMs() {
        return local.now().toEpochMilli() - now().toEpochMilli();
    }

    private static String words(long aheadMs) {
        return String.format(Locale.ROOT, "%.1f s %s", Math.abs(aheadMs) / 1000.0, aheadMs >= 0 ? "ahead of" : "behind");
    }
}
