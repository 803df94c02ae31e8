package io.smartrunner.cli;

import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventRecord;
import io.smartrunner.store.StoreException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code events --follow} in cluster mode: prints the fleet's events after a cursor (a {@code seq})
 * as they reach the table, woken by each NOTIFY ({@link #wake}) and looking every second anyway.
 * <p>A database that goes away once the follow is under way (a restart, a failover) is ridden out
 * as the runners ride it out: said once, tried again after 1 s, doubling to 10 s, and said once
 * when it answers again; the cursor moves only past events printed, so the follow goes on after the
 * last one, none lost or printed twice. (It exited 1 on the first failed read, reviewer R12 F6.)
 * One thread calls {@link #run}; {@link #wake} from any.
 */
final class FleetEventFollower {
    /** How often the table is read with no NOTIFY (one may be lost while the listener reconnects). */
    static final long LOOK_EVERY_MS = 1_000;
    static final long FIRST_RETRY_MS = 1_000;
    static final long MAX_RETRY_MS = 10_000;
    static final int PAGE = 1_000;

    /** The fleet's matching events after a cursor, oldest first ({@code PostgresEvents#pageAfter}). */
    @FunctionalInterface
    interface Source {
        /** @throws StoreException the database cannot be read */
        EventLogReader.Page after(long cursor, int limit);
    }

    private final Source source;
    private final String where;
    private final Consumer<EventRecord> print;
    private final Consumer<String> say;
    private final Semaphore wake = new Semaphore(0);
    private long cursor;
    private int failures;

    /**
     * @param cursor where to go on from: the last event already printed
     * @param where  the database in messages, {@code PostgreSQL at host:port}
     * @param say    one line to the person following (stderr)
     */
    FleetEventFollower(Source source, long cursor, String where, Consumer<EventRecord> print, Consumer<String> say) {
        this.source = source;
        this.cursor = cursor;
        this.where = where;
        this.print = print;
        this.say = say;
    }

    /** Looks at the table now instead of at the next second (a NOTIFY, or the listener back). */
    void wake() {
        wake.release();
    }

    /** Follows until this thread is interrupted. */
    void run() throws InterruptedException {
        while (!Thread.currentThread().isInterrupted()) {
            long waitMs = look();
            wake.tryAcquire(waitMs, TimeUnit.MILLISECONDS);
            wake.drainPermits();
        }
    }

    /** Prints what is new; @return how long to wait before the next look, in ms. */
    long look() {
        try {
            EventLogReader.Page page;
            do {
                page = source.after(cursor, PAGE);
                page.events().forEach(print);
                cursor = page.next();
            } while (page.events().size() == PAGE);
        } catch (StoreException e) {
            if (failures++ == 0) {
                say.accept(e.getMessage() + "; events --follow tries again (after " + FIRST_RETRY_MS / 1000
                        + " s, doubling to " + MAX_RETRY_MS / 1000 + " s) and goes on after the last event it printed");
            }
            return retryDelayMs(failures);
        }
        if (failures > 0) {
            failures = 0;
            say.accept(where + " answers again: events --follow goes on after the last event it printed");
        }
        return LOOK_EVERY_MS;
    }

    /** The wait after the {@code failures}-th failed read in a row: 1 s, 2 s, 4 s, 8 s, then 10 s. */
    static long retryDelayMs(int failures) {
        return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS << Math.min(Math.max(failures - 1, 0), 4));
    }
}
