package io.smartrunner.report;

import io.smartrunner.event.EventRecord;
import io.smartrunner.event.EventRecord.SessionEnded;
import io.smartrunner.event.EventRecord.SessionFailed;
import io.smartrunner.event.EventRecord.SessionFinished;
import io.smartrunner.event.EventRecord.SessionStarted;
import io.smartrunner.profile.FailureReason;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sessions started, finished and failed per minute (by event time), for "sessions and failures
 * over time". Keeps the last {@link #KEPT_MINUTES} minutes that had events. Not thread-safe.
 */
public final class SessionTimeline {
    static final int KEPT_MINUTES = 24 * 60;

    /** Counts of one minute. */
    private static final class Bucket {
        long started;
        long finished;
        long failed;
    }

    private final TreeMap<Long, Bucket> minutes = new TreeMap<>();

    public void add(EventRecord e) {
        if (e.ts() == null || !(e instanceof SessionStarted || e instanceof SessionEnded)) {
            return;
        }
        long minute = e.ts().getEpochSecond() / 60;
        Bucket b = minutes.computeIfAbsent(minute, k -> new Bucket());
        if (e instanceof SessionStarted) {
            b.started++;
        } else if (e instanceof SessionFinished) {
            b.finished++;
        } else if (e instanceof SessionFailed f) {
            // a session stopped because the runner stopped (or the profile was paused or removed) did not fail
            b.failed += FailureReason.SHUTDOWN.wireName().equals(f.reason()) ? 0 : 1;
        }
        while (minutes.size() > KEPT_MINUTES) {
            minutes.pollFirstEntry();
        }
    }

    /** One entry per minute of the {@code count} minutes up to and including {@code now}'s, oldest first. */
    public List<Map<String, Object>> lastMinutes(Instant now, int count) {
        long last = now.getEpochSecond() / 60;
        List<Map<String, Object>> out = new ArrayList<>(count);
        for (long m = last - count + 1; m <= last; m++) {
            Bucket b = minutes.getOrDefault(m, new Bucket());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("minute", Instant.ofEpochSecond(m * 60).truncatedTo(ChronoUnit.MINUTES).toString());
            row.put("started", b.started);
            row.put("finished", b.finished);
            row.put("failed", b.failed);
            out.add(row);
        }
        return out;
    }
}
