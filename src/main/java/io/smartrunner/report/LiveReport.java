package io.smartrunner.report;

import io.smartrunner.DaemonThreads;
import io.smartrunner.event.EventLog;
import io.smartrunner.event.EventRecord;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The recovery report and session timeline of a running runner, kept up to date from the events
 * it writes, so the API answers without reading the log again. The history already in the log
 * is read once, in the background, so a large log never delays the runner's start: events that
 * arrive meanwhile wait and are counted after the history, in order. Thread-safe: fed by the
 * loop, read by HTTP threads.
 */
public final class LiveReport implements Consumer<List<EventRecord>> {
    /** How many minutes of timeline {@link #toJson} gives. */
    public static final int TIMELINE_MINUTES = 60;

    private final RecoveryReport recovery = new RecoveryReport();
    private final SessionTimeline timeline = new SessionTimeline();
    /** Live events that arrived while the history was being read; null once it has been. */
    private List<EventRecord> waiting = new ArrayList<>();
    /** Lines of the history that were not events (skipped, counted). */
    private volatile long malformedLines;

    /**
     * Starts reading the log's history up to its current end on a daemon thread. Call before the
     * runner writes anything: every later event must come through {@link #accept}.
     *
     * The history is every file of the log, rotated ones first, all opened before this returns.
     *
     * @param failed told (one line) when the history cannot be read (the report then counts from
     *               now), and when it held malformed lines (how many, where the first was)
     */
    public static LiveReport readingHistoryOf(Path eventLog, Consumer<String> failed) {
        LiveReport report = new LiveReport();
        EventLog history;
        try {
            history = EventLog.open(eventLog);
        } catch (RuntimeException e) {
            failed.accept("report: cannot read the event log's history (" + e.getMessage()
                    + "); the report counts everything from now on");
            report.historyRead();
            return report;
        }
        Thread reader = DaemonThreads.daemon(() -> {
            try (history) {
                // counted as read, never held: a long history costs time, not memory
                history.forEach(e -> true, report::addHistory);
                history.skippedFiles().forEach(failed);
                report.malformedLines = history.malformedLines();
                String notice = history.malformedNotice();
                if (notice != null) {
                    failed.accept(notice);
                }
            } catch (RuntimeException e) {
                failed.accept("report: cannot read all of the event log's history (" + e.getMessage()
                        + "); the report counts what was read, and everything from now on");
            }
            report.historyRead();
        }, "sr-report-history");
        reader.start();
        return report;
    }

    /**
     * As {@link #readingHistoryOf}, with the history from another source (cluster mode: the
     * fleet's events in PostgreSQL): {@code history} hands every past event to its argument, on
     * the reading thread.
     */
    public static LiveReport readingHistory(Consumer<Consumer<EventRecord>> history, Consumer<String> failed) {
        LiveReport report = new LiveReport();
        Thread reader = DaemonThreads.daemon(() -> {
            try {
                history.accept(report::addHistory);
            } catch (RuntimeException e) {
                failed.accept("report: cannot read all of the fleet's history (" + e.getMessage()
                        + "); the report counts what was read, and everything from now on");
            }
            report.historyRead();
        }, "sr-report-history");
        reader.start();
        return report;
    }

    private synchronized void addHistory(EventRecord e) {
        add(e);
    }

    private synchronized void historyRead() {
        waiting.forEach(this::add);
        waiting = null;
        notifyAll();
    }

    @Override
    public synchronized void accept(List<EventRecord> written) {
        if (waiting != null) {
            waiting.addAll(written);
        } else {
            written.forEach(this::add);
        }
    }

    private void add(EventRecord e) {
        recovery.add(e);
        timeline.add(e);
    }

    /** Lines of the log's history that were skipped as not events (known once the history is read). */
    public long malformedLines() {
        return malformedLines;
    }

    /** Waits up to {@code millis} for the history. @return whether it has been read */
    public synchronized boolean awaitReady(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (waiting != null) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    /**
     * The recovery report's JSON plus {@code timeline} (the last hour to {@code now}, a bucket a
     * minute) and {@code complete}: false while the log's history is still being read.
     */
    public synchronized Map<String, Object> toJson(Instant now) {
        Map<String, Object> json = new LinkedHashMap<>(recovery.toJson());
        json.put("timeline", timeline.lastMinutes(now, TIMELINE_MINUTES));
        json.put("complete", waiting == null);
        json.put("malformedLines", malformedLines);
        return json;
    }
}
