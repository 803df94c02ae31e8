package io.smartrunner.event;

import static io.smartrunner.event.JsonlEventSinkTest.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.RunnerSettings.FsyncPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventLogReaderTest {
    @TempDir
    Path dir;

    private Path log() {
        return dir.resolve("events.jsonl");
    }

    private void write(List<EventRecord> events) {
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0)) {
            sink.append(events);
        }
    }

    private void appendRaw(String text) throws Exception {
        Files.writeString(log(), text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static List<EventRecord> events(int count) {
        List<EventRecord> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(event(i));
        }
        return out;
    }

    @Test
    void readsBackWhatTheSinkWrote() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("ok", true);
        nested.put("none", null);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("step", 2);
        params.put("action", "browserBack");
        params.put("detail", nested);
        params.put("tries", List.of(1, "two"));
        EventRecord rich = EventKinds.decode(new WireEvent(Instant.parse("2025-01-08T10:30:00.250Z"), "podA", "k12im9s2", null,
                "recover", "recovery", params, "failed", 1500L));
        write(List.of(JsonlEventSinkTest.specEvent(), rich));

        List<EventRecord> read = EventLogReader.readAll(log());

        assertEquals(List.of(JsonlEventSinkTest.specEvent(), rich), read);
        assertEquals(List.of("step", "action", "detail", "tries"), new ArrayList<>(read.get(1).params().keySet()));
    }

    @Test
    void skipsAndCountsLinesThatAreNotEvents() throws Exception {
        write(List.of(event(0)));
        appendRaw("not json at all\n");
        appendRaw("{\"ts\":\"2025-01-08T10:3\n");
        appendRaw("{\"pod\":\"podA\"}\n");
        appendRaw("\n");
        write(List.of(event(1)));
        EventLogReader reader = new EventLogReader(log());
        List<EventRecord> read = new ArrayList<>();

        reader.forEach(0, e -> true, read::add);

        assertEquals(List.of(event(0), event(1)), read);
        assertEquals(3, reader.skippedLines());
    }

    @Test
    void leavesAHalfWrittenLastLineForLater() throws Exception {
        write(List.of(event(0), event(1)));
        long complete = Files.size(log());
        appendRaw("{\"ts\":\"2025-01-08T10:30:00.000Z\",\"pod\":");
        EventLogReader reader = new EventLogReader(log());
        List<EventRecord> read = new ArrayList<>();

        long offset = reader.forEach(0, e -> true, read::add);

        assertEquals(List.of(event(0), event(1)), read);
        assertEquals(complete, offset);
        assertEquals(complete, EventLogReader.completeLength(log()));
        assertEquals(0, reader.skippedLines());
    }

    @Test
    void continuesFromAReturnedOffsetWithoutRepeats() {
        write(events(3));
        EventLogReader reader = new EventLogReader(log());
        long offset = reader.forEach(0, e -> true, e -> { });
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0)) {
            sink.append(List.of(event(3), event(4)));
        }
        List<EventRecord> read = new ArrayList<>();

        reader.forEach(offset, e -> true, read::add);

        assertEquals(List.of(event(3), event(4)), read);
    }

    @Test
    void aMissingFileReadsAsEmpty() {
        assertEquals(List.of(), EventLogReader.readAll(log()));
        assertEquals(List.of(), EventLogReader.tail(log(), 10, e -> true));
        assertEquals(0, EventLogReader.completeLength(log()));
        assertEquals(7, new EventLogReader(log()).forEach(7, e -> true, e -> { }));
    }

    @Test
    void tailReturnsTheLastMatchingEventsOldestFirst() {
        List<EventRecord> all = events(5000);
        write(all);
        Predicate<EventRecord> ofP1 = e -> e.profileId().equals("p1");
        List<EventRecord> allOfP1 = all.stream().filter(ofP1).collect(Collectors.toList());

        List<EventRecord> tail = EventLogReader.tail(log(), 1200, ofP1);

        assertTrue(Files.exists(log()) && sizeOf(log()) > 4L * LineScanner.CHUNK);
        assertEquals(allOfP1.subList(allOfP1.size() - 1200, allOfP1.size()), tail);
        assertEquals(all.subList(4997, 5000), EventLogReader.tail(log(), 3, e -> true));
        assertEquals(all, EventLogReader.tail(log(), 10_000, e -> true));
        assertEquals(List.of(), EventLogReader.tail(log(), 0, e -> true));
    }

    @Test
    void tailSkipsBadLinesAndIgnoresAHalfWrittenOne() throws Exception {
        write(List.of(event(0)));
        appendRaw("garbage\n");
        write(List.of(event(1)));
        appendRaw("{\"ts\":");
        EventLogReader reader = new EventLogReader(log());

        List<EventRecord> tail = reader.tail(Long.MAX_VALUE, 5, e -> true);

        assertEquals(List.of(event(0), event(1)), tail);
        assertEquals(1, reader.skippedLines());
    }

    @Test
    void followDeliversEachLineOnceItIsComplete() throws Exception {
        write(List.of(event(0)));
        long start = EventLogReader.completeLength(log());
        String line2 = toLine(event(2));
        List<EventRecord> seen = new ArrayList<>();
        AtomicInteger polls = new AtomicInteger();

        long end = new EventLogReader(log()).follow(start, e -> !e.sessionId().equals("s1"), seen::add, () -> {
            try {
                switch (polls.incrementAndGet()) {
                    case 1:
                        write(List.of(event(1), event(2 + 1)));
                        return true;
                    case 2:
                        assertEquals(List.of(event(3)), seen);
                        appendRaw(line2.substring(0, 20));
                        return true;
                    case 3:
                        assertEquals(List.of(event(3)), seen, "a half line must not be delivered");
                        appendRaw(line2.substring(20));
                        return true;
                    default:
                        return seen.size() < 2;
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, Duration.ofMillis(1));

        assertEquals(List.of(event(3), event(2)), seen);
        assertEquals(Files.size(log()), end);
    }

    @Test
    void followWaitsForTheFileToAppear() throws Exception {
        List<EventRecord> seen = new ArrayList<>();
        AtomicInteger polls = new AtomicInteger();

        new EventLogReader(log()).follow(0, e -> true, seen::add, () -> {
            if (polls.incrementAndGet() == 3) {
                write(List.of(event(0)));
            }
            return seen.isEmpty() && polls.get() < 100;
        }, Duration.ofMillis(1));

        assertEquals(List.of(event(0)), seen);
    }

    @Test
    void followStopsWhenTheThreadIsInterrupted() {
        write(events(3));
        List<EventRecord> seen = new ArrayList<>();

        long end = EventLogReader.follow(log(), 0, e -> true, e -> {
            seen.add(e);
            Thread.currentThread().interrupt();
        }, () -> true);

        assertTrue(Thread.interrupted());
        assertEquals(events(3), seen);
        assertEquals(EventLogReader.completeLength(log()), end);
    }

    @Test
    void anInterruptedThreadReadsNothingAndKeepsItsInterrupt() {
        write(events(3));
        Thread.currentThread().interrupt();

        long end = new EventLogReader(log()).forEach(0, e -> true, e -> { });

        assertTrue(Thread.interrupted());
        assertEquals(0, end);
    }

    private static String toLine(EventRecord e) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (var g = EventJson.FACTORY.createGenerator(out)) {
            EventJson.write(g, e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void pagesWalkTheLogBothWaysWithCursorsThatNeitherRepeatNorSkip() {
        write(events(25));
        EventLogReader reader = new EventLogReader(log());
        EventLogReader.Page newest = reader.pageBefore(Long.MAX_VALUE, 10, e -> true);
        assertEquals(List.of("s15", "s24"), List.of(newest.events().get(0).sessionId(), newest.events().get(9).sessionId()));
        EventLogReader.Page older = reader.pageBefore(newest.first(), 10, e -> true);
        assertEquals("s5", older.events().get(0).sessionId());
        EventLogReader.Page oldest = reader.pageBefore(older.first(), 10, e -> true);
        assertEquals(5, oldest.events().size());
        assertEquals(0, oldest.first());
        List<String> forward = new ArrayList<>();
        long cursor = 0;
        for (EventLogReader.Page p = reader.pageAfter(0, 7, e -> true); !p.events().isEmpty(); p = reader.pageAfter(cursor, 7, e -> true)) {
            p.events().forEach(e -> forward.add(e.sessionId()));
            assertEquals(p.next(), p.ends().get(p.ends().size() - 1), "next is just after the last event");
            cursor = p.next();
        }
        assertEquals(events(25).stream().map(EventRecord::sessionId).toList(), forward);
    }

    @Test
    void aFilterRulesLinesOutByTheirBytesWithoutMissingAMatch() throws Exception {
        write(events(30));
        // another profile's line whose text mentions p1: the byte check lets it through, the test rejects it
        write(List.of(EventKinds.decode(new WireEvent(Instant.parse("2025-01-08T11:00:00Z"), "podA", "p2", "x", "error", "session",
                Map.of("note", "\"profileId\":\"p1\""), "error", 1L))));
        EventLogReader reader = new EventLogReader(log());
        EventFilter byProfile = new EventFilter("podA", "p1", "error");
        Predicate<EventRecord> same = e -> e.profileId().equals("p1") && e.event().equals("error") && e.pod().equals("podA");
        assertEquals(reader.pageAfter(0, 1000, same).events(), reader.pageAfter(0, 1000, byProfile).events());
        assertEquals(reader.pageBefore(Long.MAX_VALUE, 4, same).events(), reader.pageBefore(Long.MAX_VALUE, 4, byProfile).events());
        assertEquals(10, reader.pageAfter(0, 1000, byProfile).events().size());
        assertTrue(reader.pageAfter(0, 1000, new EventFilter(null, "p1", "start")).events().isEmpty());
    }
}
