package io.smartrunner.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.event.Redactor;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.store.SessionRecord;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A launched session's pid row ({@link PendingWrites#addLate}): with the next write, or alone once due. */
class PendingWritesLateRowsTest {
    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");
    private final PendingWrites pending = new PendingWrites(new Redactor(Set.of()));
    private final InMemoryStateStore store = new InMemoryStateStore();
    private final RecordingEventSink sink = new RecordingEventSink();

    private static SessionRecord row(String sessionId, long pid) {
        return new SessionRecord(sessionId, "p1", "podA", pid, pid * 10, pid, T0, SessionRecord.Status.RUNNING,
                null, null, null);
    }

    /** Session s1's row is in the store without a pid (written before its spawn); its pid is late, due at 1 000. */
    private void s1StoredThenItsPidLate() {
        pending.add(List.of(), ProfileState.fresh("p1", "podA"), row("s1", 0));
        pending.flush(sink, store, true);
        pending.addLate(row("s1", 42), 1_000);
    }

    @Test
    void aLateRowAloneIsNotWrittenBeforeItIsDue() {
        s1StoredThenItsPidLate();

        assertFalse(pending.mustWrite(999));
        assertEquals(1_000, pending.lateDueNanos());
        int writes = store.writes;
        pending.flush(sink, store, pending.mustWrite(999));
        assertEquals(writes, store.writes, "nothing written");
        assertEquals(0, store.sessions.get("s1").pid());
        assertTrue(pending.hasLate());

        assertTrue(pending.mustWrite(1_000));
        pending.flush(sink, store, pending.mustWrite(1_000));
        assertEquals(42, store.sessions.get("s1").pid());
        assertFalse(pending.hasLate());
    }

    @Test
    void anyOtherWriteCarriesTheLateRowsAndTheOldestSetsTheDeadline() {
        pending.add(List.of(), ProfileState.fresh("p1", "podA"), row("s1", 0));
        pending.add(List.of(), null, row("s2", 0));
        pending.flush(sink, store, true);
        pending.addLate(row("s1", 42), 1_000);
        pending.addLate(row("s2", 43), 5_000);
        assertEquals(1_000, pending.lateDueNanos(), "the oldest's");

        pending.add(List.of(), ProfileState.fresh("p1", "podA"), null);
        assertTrue(pending.mustWrite(0));
        pending.flush(sink, store, pending.mustWrite(0));
        assertEquals(42, store.sessions.get("s1").pid());
        assertEquals(43, store.sessions.get("s2").pid());
        assertTrue(pending.isEmpty());
    }

    @Test
    void aNewerRowOfTheSameSessionWinsOverItsLateOne() {
        s1StoredThenItsPidLate();
        SessionRecord ended = row("s1", 42).ended(SessionRecord.Status.FAILED, T0.plusSeconds(1), "exit", 3);
        pending.add(List.of(), null, ended);
        assertEquals(1, pending.stateRowCount(), "one row for the session, not two");

        pending.flush(sink, store, pending.mustWrite(0));
        assertEquals(SessionRecord.Status.FAILED, store.sessions.get("s1").status());
        assertFalse(pending.hasLate());
    }

    @Test
    void aTakenBackDecisionKeepsTheLateRowsAndAStopMakesThemDue() {
        s1StoredThenItsPidLate();
        PendingWrites.Mark mark = pending.mark();
        pending.add(List.of(), ProfileState.fresh("p1", "podA"), null);
        pending.rollBackTo(mark);
        assertTrue(pending.hasLate(), "a late row is not a decision");
        assertFalse(pending.mustWrite(0));

        pending.lateRowsDueNow(0);
        assertTrue(pending.mustWrite(0));
        pending.flush(sink, store, true);
        assertEquals(42, store.sessions.get("s1").pid());
    }
}
