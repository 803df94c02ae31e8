package io.smartrunner.event;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.RunnerSettings.FsyncPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlEventSinkTest {
    static final String SPEC_LINE = "{\"ts\":\"2025-01-08T10:30:00.000Z\",\"pod\":\"podA\",\"profileId\":\"k12im9s2\","
            + "\"sessionId\":\"uuid-here\",\"event\":\"recover\",\"type\":\"recovery\","
            + "\"params\":{\"step\":1,\"outcome\":\"ok\",\"action\":\"goToHomepage\"},\"outcome\":\"ok\",\"durMs\":null}";

    @TempDir
    Path dir;

    static EventRecord specEvent() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("step", 1);
        params.put("outcome", "ok");
        params.put("action", "goToHomepage");
        return EventKinds.decode(new WireEvent(Instant.parse("2025-01-08T10:30:00Z"), "podA", "k12im9s2", "uuid-here", "recover",
                "recovery", params, "ok", null));
    }

    static EventRecord event(int i) {
        return EventKinds.decode(new WireEvent(Instant.parse("2025-01-08T10:30:00Z").plusMillis(i), "podA", "p" + (i % 3),
                "s" + i, "error", "session", Map.of("reason", "exit", "exitCode", i), "error", (long) i));
    }

    private Path log() {
        return dir.resolve("logs").resolve("events.jsonl");
    }

    @Test
    void writesTheSpecLineExactly() throws Exception {
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0)) {
            sink.append(List.of(specEvent()));
        }

        assertEquals(SPEC_LINE + "\n", Files.readString(log()));
    }

    @Test
    void writesEveryFieldEvenWhenNull() throws Exception {
        EventRecord sparse = EventKinds.decode(new WireEvent(Instant.parse("2025-01-08T10:30:00.5Z"), null, null, null, "start",
                null, Map.of(), null, 1234L));
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0)) {
            sink.append(List.of(sparse));
        }

        assertEquals("{\"ts\":\"2025-01-08T10:30:00.500Z\",\"pod\":null,\"profileId\":null,\"sessionId\":null,"
                + "\"event\":\"start\",\"type\":null,\"params\":{},\"outcome\":null,\"durMs\":1234}\n",
                Files.readString(log()));
    }

    @Test
    void timestampsAlwaysCarryExactlyThreeFractionDigits() throws Exception {
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0)) {
            sink.append(List.of(
                    EventKinds.decode(new WireEvent(Instant.parse("2025-01-08T10:30:00Z"), "p", "x", null, "e", "t", Map.of(), null, null)),
                    EventKinds.decode(new WireEvent(Instant.parse("2025-01-08T10:30:00.123456789Z"), "p", "x", null, "e", "t",
                            Map.of(), null, null))));
        }

        List<String> lines = Files.readAllLines(log());
        assertTrue(lines.get(0).startsWith("{\"ts\":\"2025-01-08T10:30:00.000Z\""), lines.get(0));
        assertTrue(lines.get(1).startsWith("{\"ts\":\"2025-01-08T10:30:00.123Z\""), lines.get(1));
    }

    @Test
    void writesNestedParamValues() throws Exception {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("ok", true);
        nested.put("none", null);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("stderrTail", "line 1\nline \"2\"");
        params.put("attempts", List.of(1, 2.5, "three"));
        params.put("detail", nested);
        params.put("big", 9_000_000_000L);
        params.put("pausedUntil", Instant.parse("2025-01-09T10:30:00Z"));
        params.put("policy", FsyncPolicy.ALWAYS);
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0)) {
            sink.append(List.of(EventKinds.decode(new WireEvent(Instant.parse("2025-01-08T10:30:00Z"), "podA", "p1", "s1",
                    "error", "session", params, "error", 5L))));
        }

        String line = Files.readString(log());
        assertTrue(line.contains("\"params\":{\"stderrTail\":\"line 1\\nline \\\"2\\\"\","
                + "\"attempts\":[1,2.5,\"three\"],\"detail\":{\"ok\":true,\"none\":null},\"big\":9000000000,"
                + "\"pausedUntil\":\"2025-01-09T10:30:00.000Z\",\"policy\":\"ALWAYS\"}"), line);
        assertEquals(1, line.chars().filter(c -> c == '\n').count());
    }

    @Test
    void appendsBatchesInOrderAndAcrossReopen() {
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0)) {
            sink.append(List.of(event(0), event(1)));
            sink.append(List.of());
            sink.append(List.of(event(2)));
        }
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0)) {
            assertEquals(0, sink.tornBytesMoved());
            sink.append(List.of(event(3)));
        }

        assertEquals(List.of(event(0), event(1), event(2), event(3)), EventLogReader.readAll(log()));
    }

    @Test
    void alwaysPolicyFsyncsBeforeAppendReturns() {
        FlakyChannel[] channel = new FlakyChannel[1];
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.ALWAYS, 0,
                ch -> channel[0] = new FlakyChannel(ch))) {
            sink.append(List.of(event(0)));
            sink.append(List.of(event(1), event(2)));

            assertEquals(2, channel[0].forces.get());
        }
    }

    @Test
    void neverPolicyLeavesFsyncToTheOsUntilClose() {
        FlakyChannel[] channel = new FlakyChannel[1];
        JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0, ch -> channel[0] = new FlakyChannel(ch));
        sink.append(List.of(event(0)));
        sink.append(List.of(event(1)));
        assertEquals(0, channel[0].forces.get());

        sink.close();

        assertEquals(1, channel[0].forces.get());
    }

    @Test
    void intervalPolicyFsyncsOnlyWhenSomethingWasWritten() {
        FlakyChannel[] channel = new FlakyChannel[1];
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.INTERVAL, 3_600_000,
                ch -> channel[0] = new FlakyChannel(ch))) {
            sink.forceIfDirty();
            assertEquals(0, channel[0].forces.get());

            sink.append(List.of(event(0)));
            assertEquals(0, channel[0].forces.get());
            sink.forceIfDirty();
            sink.forceIfDirty();

            assertEquals(1, channel[0].forces.get());
        }
    }

    @Test
    void intervalPolicySchedulesAForceOnlyAfterAWrite() {
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.INTERVAL, 3_600_000, ch -> ch)) {
            assertFalse(sink.fsyncScheduled(), "an idle log wakes nobody");
            sink.append(List.of(event(0)));
            assertTrue(sink.fsyncScheduled());
            sink.forceIfDirty();
            assertFalse(sink.fsyncScheduled(), "forced: nothing is scheduled until the next write");
            sink.append(List.of(event(1)));
            assertTrue(sink.fsyncScheduled());
        }
    }

    @Test
    void closeDoesNotWaitForAScheduledForce() {
        JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.INTERVAL, 3_600_000, ch -> ch);
        sink.append(List.of(event(0)));
        assertTrue(sink.fsyncScheduled());
        sink.close();
        // a force left scheduled an hour ahead would keep the thread alive
        io.smartrunner.testkit.Await.until("the fsync thread ends", java.time.Duration.ofSeconds(10),
                () -> !fsyncThreadAlive());
        assertEquals(List.of(event(0)), EventLogReader.readAll(log()));
    }

    @Test
    void intervalPolicyFsyncsOnItsOwnThreadAndCloseStopsIt() throws Exception {
        FlakyChannel[] channel = new FlakyChannel[1];
        JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.INTERVAL, 10,
                ch -> channel[0] = new FlakyChannel(ch));
        sink.append(List.of(event(0)));

        assertTrue(channel[0].firstForce.await(10, TimeUnit.SECONDS), "background fsync never ran");
        sink.close();

        // close waits for the executor to terminate; its thread object dies an instant later
        io.smartrunner.testkit.Await.until("the fsync thread ends", java.time.Duration.ofSeconds(10),
                () -> !fsyncThreadAlive());
        assertFalse(channel[0].isOpen());
    }

    @Test
    void aFailedBackgroundFsyncFailsTheNextAppendOnce() {
        FlakyChannel[] channel = new FlakyChannel[1];
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.INTERVAL, 3_600_000,
                ch -> channel[0] = new FlakyChannel(ch))) {
            sink.append(List.of(event(0)));
            channel[0].failForce = true;
            sink.forceIfDirty();
            channel[0].failForce = false;

            EventLogException e = assertThrows(EventLogException.class, () -> sink.append(List.of(event(1))));

            assertEquals(log() + ": background fsync failed: Input/output error", e.getMessage());
            sink.append(List.of(event(2)));
        }
        assertEquals(List.of(event(0), event(2)), EventLogReader.readAll(log()));
    }

    @Test
    void aWriteFailingMidwayLeavesNothingOfTheBatchAndTheSinkKeepsWorking() throws Exception {
        FlakyChannel[] channel = new FlakyChannel[1];
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0,
                ch -> channel[0] = new FlakyChannel(ch))) {
            sink.append(List.of(event(0), event(1)));
            byte[] before = Files.readAllBytes(log());
            channel[0].bytesBeforeDiskFull = 100;

            EventLogException e = assertThrows(EventLogException.class,
                    () -> sink.append(List.of(event(2), event(3))));

            assertEquals(log() + ": cannot append events: No space left on device", e.getMessage());
            assertArrayEquals(before, Files.readAllBytes(log()));
            channel[0].bytesBeforeDiskFull = -1;
            sink.append(List.of(event(4)));
        }
        assertEquals(List.of(event(0), event(1), event(4)), EventLogReader.readAll(log()));
    }

    @Test
    void aFailedFsyncUnderAlwaysAlsoRemovesTheBatch() throws Exception {
        FlakyChannel[] channel = new FlakyChannel[1];
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.ALWAYS, 0,
                ch -> channel[0] = new FlakyChannel(ch))) {
            sink.append(List.of(event(0)));
            byte[] before = Files.readAllBytes(log());
            channel[0].failForce = true;

            assertThrows(EventLogException.class, () -> sink.append(List.of(event(1))));

            assertArrayEquals(before, Files.readAllBytes(log()));
            channel[0].failForce = false;
        }
    }

    @Test
    void reportsAFullDiskAndStaysUsable() throws Exception {
        Path full = dir.resolve("full.jsonl");
        Files.createSymbolicLink(full, Path.of("/dev/full"));
        JsonlEventSink sink = JsonlEventSink.open(full, FsyncPolicy.NEVER, 0);

        EventLogException first = assertThrows(EventLogException.class, () -> sink.append(List.of(event(0))));
        EventLogException again = assertThrows(EventLogException.class, () -> sink.append(List.of(event(1))));

        assertEquals(full + ": cannot append events: No space left on device", first.getMessage());
        assertEquals(first.getMessage(), again.getMessage());
        // /dev/full cannot be fsynced either: close reports it, and still releases the file.
        EventLogException onClose = assertThrows(EventLogException.class, sink::close);
        assertEquals(full + ": cannot close event log: Invalid argument", onClose.getMessage());
    }

    @Test
    void anInterruptedAppendFailsCleanlyAndTheNextOneWorks() {
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0)) {
            sink.append(List.of(event(0)));
            Thread.currentThread().interrupt();

            assertThrows(EventLogException.class, () -> sink.append(List.of(event(1))));

            assertTrue(Thread.interrupted());
            sink.append(List.of(event(2)));
        }
        assertEquals(List.of(event(0), event(2)), EventLogReader.readAll(log()));
    }

    @Test
    void rejectsADirectoryAtThePath() throws Exception {
        Files.createDirectories(log());

        EventLogException e = assertThrows(EventLogException.class,
                () -> JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0));

        assertEquals(log() + ": is a directory, not a file", e.getMessage());
    }

    @Test
    void reportsAFileInTheWayOfItsDirectory() throws Exception {
        Files.writeString(dir.resolve("logs"), "a file, not a directory");

        EventLogException e = assertThrows(EventLogException.class,
                () -> JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0));

        assertEquals(log() + ": cannot open event log: a file is in the way: " + dir.resolve("logs"), e.getMessage());
    }

    @Test
    void movesATornLastLineAsideWithoutTouchingEarlierLines() throws Exception {
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0)) {
            sink.append(List.of(event(0), event(1), event(2)));
        }
        byte[] complete = Files.readAllBytes(log());
        byte[] torn = "{\"ts\":\"2025-01-08T10:3".getBytes(StandardCharsets.UTF_8);
        Files.write(log(), concat(complete, torn));

        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0)) {
            assertEquals(torn.length, sink.tornBytesMoved());
            assertArrayEquals(complete, Files.readAllBytes(log()));
            sink.append(List.of(event(3)));
        }

        assertArrayEquals(concat(torn, new byte[] {'\n'}), Files.readAllBytes(TornTail.sidecar(log())));
        EventLogReader reader = new EventLogReader(log());
        List<EventRecord> all = new ArrayList<>();
        reader.forEach(0, e -> true, all::add);
        assertEquals(List.of(event(0), event(1), event(2), event(3)), all);
        assertEquals(0, reader.skippedLines());
    }

    @Test
    void repairsATornLineLongerThanAReadChunkInALargeFile() throws Exception {
        List<EventRecord> events = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            events.add(event(i));
        }
        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0)) {
            sink.append(events);
        }
        byte[] complete = Files.readAllBytes(log());
        byte[] torn = new byte[3 * LineScanner.CHUNK + 17];
        Arrays.fill(torn, (byte) 'x');
        Files.write(log(), concat(complete, torn));

        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0)) {
            assertEquals(torn.length, sink.tornBytesMoved());
        }

        assertTrue(complete.length > 3 * LineScanner.CHUNK);
        assertArrayEquals(complete, Files.readAllBytes(log()));
        assertEquals(torn.length + 1, Files.size(TornTail.sidecar(log())));
    }

    @Test
    void aFirstLineTornByACrashIsMovedAsideWhole() throws Exception {
        Files.createDirectories(log().getParent());
        Files.writeString(log(), "{\"ts\":\"2025-01-08T10:3");
        Files.writeString(TornTail.sidecar(log()), "earlier\n");

        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0)) {
            sink.append(List.of(event(0)));
        }

        assertEquals("earlier\n{\"ts\":\"2025-01-08T10:3\n", Files.readString(TornTail.sidecar(log())));
        assertEquals(List.of(event(0)), EventLogReader.readAll(log()));
    }

    /** Regression: runner.eventLog naming a database had its tail cut to .torn and JSON appended to it. */
    @Test
    void refusesAFileThatIsNotAnEventLogAndLeavesItUntouched() throws Exception {
        Files.createDirectories(log().getParent());
        byte[] database = new byte[4096];
        System.arraycopy("SQLite format 3\0".getBytes(StandardCharsets.US_ASCII), 0, database, 0, 16);
        database[2000] = '\n';
        for (byte[] notALog : List.of(database, "garbage without newline".getBytes(StandardCharsets.UTF_8),
                "s3cr3t-token\n".getBytes(StandardCharsets.UTF_8), "12345\n{\"a\":1}\n".getBytes(StandardCharsets.UTF_8),
                "[1, 2]\n".getBytes(StandardCharsets.UTF_8), "{\"a\":1} trailing\n".getBytes(StandardCharsets.UTF_8))) {
            Files.write(log(), notALog);

            EventLogException e = assertThrows(EventLogException.class,
                    () -> JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0));

            assertEquals(log() + ": does not look like an event log: its first line is not a JSON object;"
                    + " refusing to append to it (check runner.eventLog)", e.getMessage());
            assertArrayEquals(notALog, Files.readAllBytes(log()));
            assertFalse(Files.exists(TornTail.sidecar(log())));
        }
    }

    @Test
    void acceptsALogWhoseFirstLineIsEmptyOrAMalformedLaterLine() throws Exception {
        Files.createDirectories(log().getParent());
        Files.writeString(log(), "\n{\"not\":\"an event\"}\nnot json\n");

        try (JsonlEventSink sink = JsonlEventSink.open(log(), FsyncPolicy.NEVER, 0)) {
            sink.append(List.of(event(0)));
        }

        assertTrue(Files.readString(log()).startsWith("\n{\"not\":\"an event\"}\nnot json\n{"));
    }

    private static boolean fsyncThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("event-log-fsync") && t.isAlive());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
