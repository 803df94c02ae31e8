package io.smartrunner.event;

import static io.smartrunner.event.EventLogRotationTest.assertSameSessions;
import static io.smartrunner.event.JsonlEventSinkTest.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.RunnerSettings.FsyncPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /api/events cursors across rotated files: stable under renames and under deletion of the oldest file. */
class EventLogPagesTest {
    @TempDir
    Path dir;

    private Path log() {
        return dir.resolve("events.jsonl");
    }

    @Test
    void aCursorHeldAcrossRotationsAndDeletionsMissesNothingAndRepeatsNothing() throws Exception {
        EventLogPages pages = new EventLogPages(log());
        List<EventRecord> written = new ArrayList<>();
        List<EventRecord> paged = new ArrayList<>();
        long cursor = 0;
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0).rotateAt(2048, 3, n -> { })) {
            for (int i = 0; i < 600; i++) {
                sink.append(List.of(event(i)));
                written.add(event(i));
                if (i % 37 == 0) { // a reader that pages now and then, 5 events at a time
                    EventLogReader.Page p = pages.pageAfter(cursor, 5, e -> true);
                    paged.addAll(p.events());
                    cursor = p.next();
                }
                if (i % 100 == 0) {
                    EventLogFiles.rotate(log(), 3); // an external rotation too
                    sink.requestReopen();
                }
            }
            // the reader fell behind: what it had not read before the oldest file was deleted is gone,
            // the rest comes in order, each once
            for (EventLogReader.Page p = pages.pageAfter(cursor, 7, e -> true); !p.events().isEmpty();
                 p = pages.pageAfter(cursor, 7, e -> true)) {
                paged.addAll(p.events());
                cursor = p.next();
            }
        }
        assertTrue(Files.exists(EventLogFiles.rotated(log(), 3)));
        List<EventRecord> kept = EventLog.readAll(log());
        assertSameSessions(kept, paged.subList(paged.size() - kept.size(), paged.size()));
        assertEquals(cursor, pages.end());
        // each event's cursor ("ends") resumes right after it
        EventLogReader.Page last10 = pages.pageBefore(pages.end(), 10, e -> true);
        assertSameSessions(kept.subList(kept.size() - 10, kept.size()), last10.events());
        EventLogReader.Page after = pages.pageAfter(last10.ends().get(4), 3, e -> true);
        assertSameSessions(kept.subList(kept.size() - 5, kept.size() - 2), after.events());
        // backwards across the file boundaries
        EventLogReader.Page older = pages.pageBefore(last10.first(), 200, e -> true);
        assertSameSessions(kept.subList(0, kept.size() - 10), older.events());
        for (int i = 0; i < paged.size() - 1; i++) {
            assertTrue(Integer.parseInt(paged.get(i).sessionId().substring(1))
                    < Integer.parseInt(paged.get(i + 1).sessionId().substring(1)), "in order, no repeat at " + i);
        }
    }

    @Test
    void withoutRotationACursorIsTheOffsetInTheFileAsBefore() {
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0)) {
            sink.append(List.of(event(0), event(1), event(2)));
        }
        EventLogReader.Page viaPages = new EventLogPages(log()).pageAfter(0, 2, e -> true);
        EventLogReader.Page viaFile = new EventLogReader(log()).pageAfter(0, 2, e -> true);
        assertEquals(viaFile, viaPages);
        assertEquals(EventLogReader.completeLength(log()), new EventLogPages(log()).end());
    }
}
