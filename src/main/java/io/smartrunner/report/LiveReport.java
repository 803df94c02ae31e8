package io.smartrunner.report;

import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventRecord;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The recovery report and session timeline of a running runner, kept up to date from the events
 * it writes, so the API answers without reading the log again. Thread-safe: fed by the loop,
 * read by HTTP threads.
 */
public final class LiveReport implements Consumer<List<EventRecord>> {
    /** How many minutes of timeline {@link #toJson} gives. */
    public static final int TIMELINE_MINUTES = 60;

    private final RecoveryReport recovery = new RecoveryReport();
    private final SessionTimeline timeline = new SessionTimeline();

    /** Starts from what the log already holds (one pass); call before events flow. */
    public static LiveReport seededFrom(Path eventLog) {
        LiveReport report = new LiveReport();
        new EventLogReader(eventLog).forEach(0, e -> true, report::add);
        return report;
    }

    @Override
    public synchronized void accept(List<EventRecord> written) {
        written.forEach(this::add);
    }

    private synchronized void add(EventRecord e) {
        recovery.add(e);
        timeline.add(e);
    }

    /** The recovery report's JSON plus {@code timeline}: the last hour to {@code now}, a bucket a minute. */
    public synchronized Map<String, Object> toJson(Instant now) {
        Map<String, Object> json = new LinkedHashMap<>(recovery.toJson());
        json.put("timeline", timeline.lastMinutes(now, TIMELINE_MINUTES));
        return json;
    }
}
