package io.smartrunner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.Events;
import io.smartrunner.store.StoreException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code events --follow} in cluster mode, one look at a time, over a table that goes away and comes back. */
class FleetEventFollowerTest {
    private static final Instant T = Instant.parse("2026-01-08T10:30:00Z");

    /** The table: events by seq, and whether the database answers. */
    private final List<EventRecord> table = new ArrayList<>();
    private final List<Long> readAfter = new ArrayList<>();
    private boolean down;
    private final List<String> printed = new ArrayList<>();
    private final List<String> said = new ArrayList<>();

    private EventLogReader.Page after(long cursor, int limit) {
        readAfter.add(cursor);
        if (down) {
            throw new StoreException("PostgreSQL at db1:5432: cannot connect (connection refused)", null);
        }
        List<EventRecord> events = new ArrayList<>();
        List<Long> ends = new ArrayList<>();
        for (long seq = cursor + 1; seq <= table.size() && events.size() < limit; seq++) {
            events.add(table.get((int) seq - 1));
            ends.add(seq);
        }
        return new EventLogReader.Page(events, ends, cursor, ends.isEmpty() ? cursor : ends.get(ends.size() - 1));
    }

    private void written(String sessionId) {
        table.add(Events.sessionStarted(T, "pod", "p1", sessionId, "/bin/w"));
    }

    private FleetEventFollower follower(long cursor) {
        return new FleetEventFollower(this::after, cursor, "PostgreSQL at db1:5432", e -> printed.add(e.sessionId()),
                said::add);
    }

    /** Reviewer R12 F6: the follow exited 1 on the first read the restarting database refused. */
    @Test
    void aDatabaseThatGoesAwayIsSaidOnceRetriedWithBackoffAndFollowedOnFromTheLastEventPrinted() {
        written("s1");
        FleetEventFollower follower = follower(1); // s1 was in the tail
        written("s2");
        assertEquals(FleetEventFollower.LOOK_EVERY_MS, follower.look());

        down = true;
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            waits.add(follower.look());
        }
        down = false;
        written("s3");
        written("s4");
        long back = follower.look();
        follower.look();

        assertEquals(List.of("s2", "s3", "s4"), printed, "each event once, in order");
        assertEquals(List.of(1_000L, 2_000L, 4_000L, 8_000L, 10_000L, 10_000L), waits);
        assertEquals(FleetEventFollower.LOOK_EVERY_MS, back);
        assertEquals(List.of("PostgreSQL at db1:5432: cannot connect (connection refused); events --follow tries again"
                + " (after 1 s, doubling to 10 s) and goes on after the last event it printed",
                "PostgreSQL at db1:5432 answers again: events --follow goes on after the last event it printed"), said);
        assertEquals(List.of(1L, 2L, 2L, 2L, 2L, 2L, 2L, 2L, 4L), readAfter, "the cursor moved only past what was printed");
    }

    @Test
    void aBacklogIsReadPageByPageInOneLook() {
        for (int i = 0; i < FleetEventFollower.PAGE + 5; i++) {
            written("s" + i);
        }
        follower(0).look();

        assertEquals(FleetEventFollower.PAGE + 5, printed.size());
        assertEquals(List.of(0L, (long) FleetEventFollower.PAGE), readAfter);
    }
}
