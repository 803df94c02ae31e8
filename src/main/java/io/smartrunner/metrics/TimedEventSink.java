package io.smartrunner.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.EventSink;
import io.smartrunner.time.TimeSource;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An {@link EventSink} that times each append of the sink it wraps (the write, and the fsync when
 * the policy does it inline) and counts the appends that failed. Same threading as the wrapped sink.
 */
final class TimedEventSink implements EventSink {
    static final String WRITE = "smartrunner.event.log.write";
    static final String WRITE_FAILURES = "smartrunner.event.log.write.failures";
    /** A write to the page cache takes microseconds; an fsync on a busy disk, milliseconds to seconds. */
    private static final java.time.Duration[] BUCKETS = EventCounters.seconds(0.0001, 0.00025, 0.0005, 0.001,
            0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1);

    private final EventSink sink;
    private final TimeSource time;
    private final Timer writes;
    private final Counter failures;

    TimedEventSink(EventSink sink, MeterRegistry registry, TimeSource time) {
        this.sink = sink;
        this.time = time;
        this.writes = Timer.builder(WRITE).description("Time of each successful append of a batch to the event log")
                .serviceLevelObjectives(BUCKETS).register(registry);
        this.failures = Counter.builder(WRITE_FAILURES)
                .description("Appends to the event log that failed (disk full, file removed, ...)").register(registry);
    }

    @Override
    public void append(List<EventRecord> events) {
        long start = time.nanoTime();
        try {
            sink.append(events);
        } catch (RuntimeException e) {
            failures.increment();
            throw e;
        }
        writes.record(time.nanoTime() - start, TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        sink.close();
    }
}
