package io.smartrunner.event;

import static io.smartrunner.event.JsonlEventSinkTest.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.RunnerSettings.FsyncPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventLogRotationTest {
    @TempDir
    Path dir;

    private Path log() {
        return dir.resolve("events.jsonl");
    }

    private static List<EventRecord> batch(int from, int count) {
        List<EventRecord> out = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            out.add(event(i));
        }
        return out;
    }

    @Test
    void rotatesBetweenBatchesNeverSplittingALineAndKeepsTheNewestFiles() throws Exception {
        List<EventRecord> written = new ArrayList<>();
        List<String> notices = new ArrayList<>();
        // the path checked at every batch: the writer's own rotations are not taken for a file moved away
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.ALWAYS, 0).rotateAt(2048, 3, notices::add)
                .checkPathEvery(Duration.ZERO)) {
            for (int i = 0; i < 200; i += 3) {
                sink.append(batch(i, 3));
                written.addAll(batch(i, 3));
            }
        }
        List<Path> files = EventLogFiles.oldestFirst(log());
        assertEquals(List.of(EventLogFiles.rotated(log(), 3), EventLogFiles.rotated(log(), 2),
                EventLogFiles.rotated(log(), 1), log()), files);
        assertFalse(Files.exists(EventLogFiles.rotated(log(), 4)), "only keep=3 rotated files stay");
        List<EventRecord> kept = new ArrayList<>();
        for (Path f : files) {
            byte[] bytes = Files.readAllBytes(f);
            assertTrue(bytes.length <= 2048, f + " holds " + bytes.length + " bytes");
            assertEquals('\n', bytes[bytes.length - 1], f + " ends with a whole line");
            EventLogReader r = new EventLogReader(f);
            r.forEach(0, e -> true, kept::add);
            assertEquals(0, r.skippedLines(), f + " holds only whole events");
        }
        // what is kept is the newest part of what was written, in order, with no gap
        assertEquals(written.subList(written.size() - kept.size(), written.size()), kept);
        assertEquals(kept, EventLog.readAll(log()));
        assertTrue(notices.isEmpty(), notices.toString());
    }

    @Test
    void reopenAfterAnExternalRenameWritesToTheNewFile() throws Exception {
        // the writer's own check of the path (at most once a second) is off: SIGUSR1's reopen alone
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0).checkPathEvery(null)) {
            sink.append(batch(0, 2));
            Files.move(log(), EventLogFiles.rotated(log(), 1)); // logrotate, create mode
            sink.append(batch(2, 1)); // still the old file until told
            sink.requestReopen();
            sink.append(batch(3, 2));
        }
        assertEquals(batch(0, 3), EventLogReader.readAll(EventLogFiles.rotated(log(), 1)));
        assertEquals(batch(3, 2), EventLogReader.readAll(log()));
        assertEquals(batch(0, 5), EventLog.readAll(log()));
    }

    @Test
    void aLogRenamedWithoutSigusr1IsNoticedAndNewEventsGoToTheNewFile() throws Exception {
        List<String> notices = new ArrayList<>();
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0).rotateAt(0, 1, notices::add)
                .checkPathEvery(Duration.ZERO)) {
            sink.append(batch(0, 2));
            Files.move(log(), EventLogFiles.rotated(log(), 1)); // logrotate, create mode, no postrotate
            Files.createFile(log());
            sink.append(batch(2, 3));
        }
        assertEquals(batch(0, 2), EventLogReader.readAll(EventLogFiles.rotated(log(), 1)));
        assertEquals(batch(2, 3), EventLogReader.readAll(log()));
        assertEquals(batch(0, 5), EventLog.readAll(log()), "the whole log reads on across the two files");
        assertEquals(1, notices.size(), notices.toString());
        assertTrue(notices.get(0).contains("now names another file") && notices.get(0).contains("SIGUSR1"),
                notices.get(0));
    }

    @Test
    void aLogDeletedWithItsDirectoryComesBackAtItsPathAndSaysSo() throws Exception {
        Path logs = dir.resolve("logs");
        Path log = logs.resolve("events.jsonl");
        List<String> notices = new ArrayList<>();
        try (JsonlEventSink sink = JsonlEventSink.open(log, FsyncPolicy.ALWAYS, 0).rotateAt(0, 1, notices::add)
                .checkPathEvery(Duration.ZERO)) {
            sink.append(batch(0, 2));
            try (var files = Files.list(logs)) { // rm -rf logs/ by mistake
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(logs);
            sink.append(batch(2, 3));
        }
        assertEquals(batch(2, 3), EventLogReader.readAll(log), "the events after the deletion are findable");
        assertEquals(1, notices.size(), notices.toString());
        assertTrue(notices.get(0).startsWith(log + ": the event log was moved or deleted"), notices.get(0));
    }

    @Test
    void aLogLeftInPlaceIsNeverReopened() throws Exception {
        List<String> notices = new ArrayList<>();
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0).rotateAt(0, 1, notices::add)
                .checkPathEvery(Duration.ZERO)) {
            for (int i = 0; i < 20; i++) {
                sink.append(batch(i, 1));
            }
        }
        assertEquals(batch(0, 20), EventLogReader.readAll(log()));
        assertEquals(List.of(), notices);
        assertFalse(Files.exists(EventLogFiles.rotated(log(), 1)));
    }

    @org.junit.jupiter.api.RepeatedTest(5)
    @Tag("long") // a crash loop against a live follower, 5 times: seconds of real time
    void aFollowerSeesEveryLineOnceInOrderAcrossManyRotations() throws Exception {
        List<EventRecord> seen = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean writerDone = new AtomicBoolean();
        CountDownLatch following = new CountDownLatch(1);
        int total = 3000;
        Thread follower = new Thread(() -> {
            try (EventLog events = EventLog.open(log())) {
                following.countDown();
                events.follow(e -> true, seen::add, () -> !(writerDone.get() && seen.size() >= total),
                        Duration.ofMillis(1));
            }
        });
        follower.start();
        following.await();
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0).rotateAt(4096, 1000, n -> { })) {
            for (int i = 0; i < total; ) {
                int n = 1 + i % 7;
                n = Math.min(n, total - i);
                sink.append(batch(i, n));
                i += n;
                if (i % 500 < 7) {
                    // an external rotation too, the way logrotate and SIGUSR1 do it
                    EventLogFiles.rotate(log(), 1000);
                    sink.requestReopen();
                }
            }
        }
        writerDone.set(true);
        follower.join(20_000);
        if (follower.isAlive()) {
            StringBuilder files = new StringBuilder();
            for (Path f : EventLogFiles.oldestFirst(log())) {
                List<EventRecord> in = Files.exists(f) ? EventLogReader.readAll(f) : List.of();
                files.append(f.getFileName()).append(Files.exists(f) ? LogFollower.key(f) : "-").append(':')
                        .append(in.isEmpty() ? "[]" : in.get(0).sessionId() + ".." + in.get(in.size() - 1).sessionId())
                        .append(' ');
            }
            follower.interrupt();
            java.util.Set<String> got = new java.util.HashSet<>();
            seen.forEach(e -> got.add(e.sessionId()));
            List<String> lost = batch(0, total).stream().map(EventRecord::sessionId).filter(x -> !got.contains(x)).toList();
            String around = files.toString().replaceAll(".*?(\\S*" + lost.get(0) + "\\b)", "$1");
            throw new AssertionError("the follower saw " + seen.size() + " of " + total + ", lost " + lost
                    + "; files from there " + around.substring(0, Math.min(400, around.length())));
        }
        assertTrue(EventLogFiles.oldestFirst(log()).size() > 20, "rotated many times");
        assertSameSessions(batch(0, total), seen);
        assertSameSessions(batch(0, total), EventLog.readAll(log()));
    }

    @Test
    void aRotationThatFailsIsToldOnceAndTheEventsGoOnToTheCurrentFile() throws Exception {
        Files.createDirectories(EventLogFiles.rotated(log(), 2).resolve("in-the-way"));
        List<String> notices = new ArrayList<>();
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0).rotateAt(1024, 2, notices::add)) {
            for (int i = 0; i < 12; i++) {
                sink.append(batch(i, 1));
            }
        }
        assertEquals(batch(0, 12), EventLogReader.readAll(log()), "nothing lost, nothing rotated");
        assertEquals(1, notices.size(), notices.toString());
        assertTrue(notices.get(0).contains("cannot rotate the event log"), notices.get(0));
    }

    /** Compares by session id, naming the first difference (the lists are long). */
    static void assertSameSessions(List<EventRecord> expected, List<EventRecord> actual) {
        List<String> want = expected.stream().map(EventRecord::sessionId).toList();
        List<String> got = actual.stream().map(EventRecord::sessionId).toList();
        int i = 0;
        while (i < Math.min(want.size(), got.size()) && want.get(i).equals(got.get(i))) {
            i++;
        }
        if (i < want.size() || i < got.size()) {
            throw new AssertionError("first difference at " + i + " of " + want.size() + "/" + got.size() + ": expected "
                    + want.subList(i, Math.min(want.size(), i + 5)) + " got " + got.subList(i, Math.min(got.size(), i + 5)));
        }
    }

    @Test
    void malformedLinesAreCountedAcrossFilesAndTheFirstIsNamed() throws Exception {
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0)) {
            sink.append(batch(0, 2));
        }
        Files.writeString(log(), "not json\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        EventLogFiles.rotate(log(), 5);
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0)) {
            sink.append(batch(2, 1));
        }
        Files.writeString(log(), "{\"pod\":\"x\"}\n{broken\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        List<EventRecord> read = new ArrayList<>();
        try (EventLog events = EventLog.open(log())) {
            events.forEach(e -> true, read::add);
            assertEquals(3, events.malformedLines());
            assertEquals(log() + ": skipped 3 malformed line(s) (first at events.jsonl.1 line 3)",
                    events.malformedNotice());
        }
        assertEquals(batch(0, 3), read);
        try (EventLog events = EventLog.open(log())) {
            assertEquals(batch(1, 2), events.tail(2, e -> true));
            assertTrue(events.malformedNotice().contains("skipped 3 malformed line(s)"), events.malformedNotice());
        }
    }
}
