package io.smartrunner.cluster;

import io.smartrunner.DaemonThreads;
import io.smartrunner.event.EventFilter;
import io.smartrunner.event.EventLogReader;
import io.smartrunner.report.LiveReport;
import io.smartrunner.store.PostgresEvents;
import io.smartrunner.store.StoreException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * {@code GET /api/report} of a runner in a fleet: a {@link LiveReport} of every runner's events,
 * its history read from PostgreSQL, then fed from the table on each {@code sr_events}
 * notification ({@link #wake}), from where the history ended, so no event is counted twice or
 * missed. Reads run on a thread of its own ({@code sr-fleet-report}).
 */
public final class FleetReportFeed implements AutoCloseable {
    private static final EventFilter ALL = new EventFilter(null, null, null);
    private final PostgresEvents events;
    private final Consumer<String> say;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(DaemonThreads.named("sr-fleet-report"));
    private volatile LiveReport report;
    /** The seq read up to; -1 until the history is read. Set by the history thread once, then by {@link #thread}. */
    private volatile long cursor = -1;

    public FleetReportFeed(PostgresEvents events, Consumer<String> say) {
        this.events = events;
        this.say = say;
        this.report = LiveReport.readingHistory(sink -> {
            long[] last = {0};
            EventLogReader.Page page;
            do {
                page = events.pageAfter(last[0], 5_000, ALL);
                page.events().forEach(sink);
                last[0] = page.next();
            } while (!page.events().isEmpty());
            cursor = last[0];
            wake();
        }, say);
    }

    public LiveReport report() {
        return report;
    }

    /** New events in the table: count them (soon, on the feed's thread). */
    public void wake() {
        thread.execute(this::readNew);
    }

    private void readNew() {
        LiveReport report = this.report;
        if (cursor < 0 || report == null) {
            return; // still reading the history (its end calls again) or not yet handed out: the next NOTIFY reads it
        }
        try {
            EventLogReader.Page page;
            do {
                page = events.pageAfter(cursor, 5_000, ALL);
                if (!page.events().isEmpty()) {
                    report.accept(page.events());
                }
                cursor = page.next();
            } while (!page.events().isEmpty());
        } catch (StoreException e) {
            say.accept("report: cannot read the fleet's new events (" + e.getMessage() + "); retried on the next one");
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
