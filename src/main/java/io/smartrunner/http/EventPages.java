package io.smartrunner.http;

import io.smartrunner.event.EventFilter;
import io.smartrunner.event.EventLogPages;
import io.smartrunner.event.EventLogReader.Page;
import java.nio.file.Path;

/**
 * Where {@code /api/events} and its stream read: this runner's event log (a cursor is a line
 * offset), or in cluster mode the fleet's events in PostgreSQL (a cursor is a seq). Thread-safe.
 */
public interface EventPages {
    /** Up to {@code limit} matching events after the cursor, oldest first. */
    Page pageAfter(long after, int limit, EventFilter filter);

    /** The {@code limit} newest matching events up to the cursor, oldest first. */
    Page pageBefore(long before, int limit, EventFilter filter);

    /** The cursor after the newest event: where a live stream starts. */
    long end();

    /**
     * Whether a filtered page is found by reading the log's lines (this runner's files, rotated ones
     * included: as long as the history, for a rare event); false where an index answers it.
     */
    default boolean filtersByScanning() {
        return false;
    }

    /** The runner's own event log. */
    static EventPages of(Path eventLog) {
        EventLogPages log = new EventLogPages(eventLog);
        return new EventPages() {
            @Override
            public Page pageAfter(long after, int limit, EventFilter filter) {
                return log.pageAfter(after, limit, filter);
            }

            @Override
            public Page pageBefore(long before, int limit, EventFilter filter) {
                return log.pageBefore(before, limit, filter);
            }

            @Override
            public long end() {
                return log.end();
            }

            @Override
            public boolean filtersByScanning() {
                return true;
            }
        };
    }
}
