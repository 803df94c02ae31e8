package io.smartrunner.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.RunnerSettings.FsyncPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A FIFO at the event log's path: opening one blocks until its other end is opened, so the
 * runner's loop froze in the open (SIGTERM ignored) and the readers hung. It is refused like a
 * directory, in one line, and never opened.
 */
class EventLogFifoTest {
    private static final Duration NEVER_BLOCKS = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private Path log() {
        return dir.resolve("logs").resolve("events.jsonl");
    }

    private static void mkfifo(Path p) throws Exception {
        Process mk = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        assertEquals(0, mk.waitFor());
    }

    @Test
    void aFifoPutAtThePathOfARunningLogIsRefusedWithoutBlockingAndWritingGoesOnOnceItIsGone() throws Exception {
        List<String> notices = new java.util.ArrayList<>();
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0).checkPathEvery(Duration.ZERO)
                .rotateAt(0, 1, notices::add)) {
            sink.append(List.of(JsonlEventSinkTest.event(0)));
            Files.move(log(), dir.resolve("x"));
            mkfifo(log());

            for (int i = 0; i < 3; i++) {
                EventLogException e = assertTimeoutPreemptively(NEVER_BLOCKS,
                        () -> assertThrows(EventLogException.class, () -> sink.append(List.of(JsonlEventSinkTest.event(1)))));
                assertTrue(e.getMessage().contains("is a FIFO"), e.getMessage());
            }
            assertEquals(1, notices.size(), "the path's change is told once, not at every try: " + notices);

            Files.delete(log());
            sink.append(List.of(JsonlEventSinkTest.event(2)));
        }
        assertEquals(1, Files.readAllLines(log()).size(), "the event after the FIFO went away is in the new file");
    }

    @Test
    void aFifoAtThePathIsRefusedAtOpenInOneLine() throws Exception {
        Files.createDirectories(log().getParent());
        mkfifo(log());

        EventLogException e = assertTimeoutPreemptively(NEVER_BLOCKS,
                () -> assertThrows(EventLogException.class, () -> JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0)));

        assertTrue(e.getMessage().startsWith(log() + ": is a FIFO"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void readersRefuseAFifoInOneLineWithoutBlocking() throws Exception {
        Files.createDirectories(log().getParent());
        mkfifo(log());

        EventLogException shape = assertTimeoutPreemptively(NEVER_BLOCKS,
                () -> assertThrows(EventLogException.class, () -> EventLogShape.require(log())));
        EventLogException read = assertTimeoutPreemptively(NEVER_BLOCKS,
                () -> assertThrows(EventLogException.class, () -> EventLog.open(log()).close()));
        EventLogException tail = assertTimeoutPreemptively(NEVER_BLOCKS,
                () -> assertThrows(EventLogException.class, () -> EventLogReader.tail(log(), 3, ev -> true)));

        for (EventLogException e : List.of(shape, read, tail)) {
            assertTrue(e.getMessage().startsWith(log().toString()) && e.getMessage().contains("is a FIFO"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        }
    }
}
