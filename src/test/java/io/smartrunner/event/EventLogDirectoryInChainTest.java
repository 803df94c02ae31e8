package io.smartrunner.event;

import static io.smartrunner.event.JsonlEventSinkTest.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.RunnerSettings.FsyncPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A directory at the log's path or among its numbered files is the operator's, never the log's:
 * rotation renamed one at the path to .1, .2, .3 (moving what was in it) and the readers failed on
 * it naming the live file.
 */
class EventLogDirectoryInChainTest {
    @TempDir
    Path dir;

    private Path log() {
        return dir.resolve("logs").resolve("events.jsonl");
    }

    private Path preciousDirAt(Path p) throws Exception {
        Files.createDirectories(p);
        return Files.writeString(p.resolve("precious.txt"), "precious\n");
    }

    @Test
    void aDirectoryPutAtThePathIsNeverRotated() throws Exception {
        List<String> notices = new ArrayList<>();
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0).rotateAt(1024, 3, notices::add)) {
            sink.append(List.of(event(0)));
            Files.move(log(), dir.resolve("x"));
            Path precious = preciousDirAt(log());
            for (int i = 1; i < 60; i++) {
                try {
                    sink.append(List.of(event(i)));
                } catch (EventLogException refused) {
                    assertTrue(refused.getMessage().contains("Is a directory")
                            || refused.getMessage().contains("is a directory"), refused.getMessage());
                }
            }
            assertEquals("precious\n", Files.readString(precious), "the directory stays where the operator put it");
        }
        for (int n = 1; n <= 4; n++) {
            assertTrue(!Files.isDirectory(EventLogFiles.rotated(log(), n)), "no directory shifted to ." + n + ": " + notices);
        }
    }

    @Test
    void aDirectoryAmongTheNumberedFilesStopsRotationWithoutBeingMoved() throws Exception {
        Path precious = preciousDirAt(EventLogFiles.rotated(log(), 2));
        List<String> notices = new ArrayList<>();
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0).rotateAt(1024, 3, notices::add)) {
            for (int i = 0; i < 60; i++) {
                sink.append(List.of(event(i))); // never refused: the runner writes on to the live file
            }
        }
        assertEquals("precious\n", Files.readString(precious));
        assertTrue(notices.size() == 1 && notices.get(0).contains(EventLogFiles.rotated(log(), 2)
                + ": is a directory, not a file"), notices.toString());
        assertEquals(60, EventLog.readAll(log()).size(), "every event is read, the directory skipped");
    }

    @Test
    void readersSkipADirectoryAmongTheNumberedFilesWithANoteNamingIt() throws Exception {
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0)) {
            sink.append(List.of(event(0), event(1)));
        }
        Files.move(log(), EventLogFiles.rotated(log(), 1));
        preciousDirAt(EventLogFiles.rotated(log(), 3));
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0)) {
            sink.append(List.of(event(2)));
        }

        try (EventLog events = EventLog.open(log())) {
            assertEquals(3, events.tail(5, e -> true).size());
            assertEquals(List.of(EventLogFiles.rotated(log(), 3) + ": is a directory, not a file of the event log; skipped"),
                    events.skippedFiles());
        }
    }

    @Test
    void readersNameTheLivePathWhenADirectoryIsThere() throws Exception {
        preciousDirAt(log());

        EventLogException e = assertThrows(EventLogException.class, () -> EventLog.open(log()).close());

        assertTrue(e.getMessage().startsWith(log() + ": is a directory, not a file"), e.getMessage());
    }

    @Test
    void aFollowerWaitsOutADirectoryAtThePath() throws Exception {
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0)) {
            sink.append(List.of(event(0)));
        }
        List<EventRecord> seen = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<Throwable> died = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        EventLog snapshot = EventLog.open(log()); // follows from its end: event 0 was there before
        Thread follower = new Thread(() -> {
            try (EventLog events = snapshot) {
                events.follow(e -> true, seen::add, () -> !stop.get(), Duration.ofMillis(5));
            } catch (Throwable t) {
                died.set(t);
            }
        });
        follower.start();
        Files.move(log(), dir.resolve("x"));
        Path precious = preciousDirAt(log());
        Files.move(log(), EventLogFiles.rotated(log(), 1)); // as the old rotation did
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0)) {
            sink.append(List.of(event(1)));
        }
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (seen.isEmpty() && died.get() == null && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        stop.set(true);
        follower.join(5000);
        assertEquals(null, died.get());
        assertEquals(List.of(event(1)), List.copyOf(seen));
    }
}
