package io.smartrunner.event;

import java.util.List;

/**
 * Where events go. {@link #append} returns only once the events are in the file (handed to the
 * OS, and fsynced when the policy says so): callers persist or act on a decision only after its
 * event was appended. Not thread-safe: one writer (the supervisor's loop).
 */
public interface EventSink extends AutoCloseable {
    /**
     * Appends the events as one write. On failure nothing of this batch stays in the file.
     *
     * @throws EventLogException when the file cannot be written (disk full, removed, ...)
     */
    void append(List<EventRecord> events);

    @Override
    void close();
}
