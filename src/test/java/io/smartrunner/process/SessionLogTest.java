package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.testkit.SmallTmpfs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionLogTest {
    @TempDir
    Path dir;

    @Test
    void copyTruncatesPastTheCapKeepingTheNewestBytesInKeepCopiesAndCountingEveryByte() throws Exception {
        Path file = dir.resolve("p.log");
        Files.writeString(file, "earlier session\n");
        SessionLog log = SessionLog.open(file, 100, 2);

        append(file, 150);
        assertEquals(150, log.poll());
        assertEquals(0, Files.size(file));
        assertEquals(100, Files.size(LogRotation.numbered(file, 1)), "the newest bytes, up to the cap");
        assertEquals(66, Files.size(LogRotation.numbered(file, 2)), "the ones before them");

        append(file, 101);
        assertEquals(251, log.poll());
        append(file, 102);
        assertEquals(353, log.poll());
        append(file, 7);
        assertEquals(360, log.poll());

        assertEquals(7, Files.size(file));
        assertEquals(102, Files.size(LogRotation.numbered(file, 1)));
        assertEquals(101, Files.size(LogRotation.numbered(file, 2)));
        assertFalse(Files.exists(LogRotation.numbered(file, 3)));
        assertEquals(0, log.dropped());
    }

    /**
     * Reviewer R9: a writer that took its log past the cap between two polls lost every byte but
     * the newest cap's worth, though the kept files had room (9 % of its output with 3 kept).
     */
    @Test
    void aLogThatGrewPastSeveralCapsBetweenTwoPollsGoesWholeToSeveralFiles() throws Exception {
        Path file = dir.resolve("p.log");
        SessionLog log = SessionLog.open(file, 100, 4);
        String written = lines(35); // 350 bytes

        Files.writeString(file, written);

        assertEquals(350, log.poll());
        assertEquals(List.of(100L, 100L, 100L, 50L), sizes(file, 4), "the newest cap's worth in .1, the oldest bytes in .4");
        assertEquals(written, Files.readString(LogRotation.numbered(file, 4)) + Files.readString(LogRotation.numbered(file, 3))
                + Files.readString(LogRotation.numbered(file, 2)) + Files.readString(LogRotation.numbered(file, 1)),
                "every byte, in order");
        assertEquals(0, log.dropped());
        assertEquals("000000034\n", new String(log.tail(10)), "the tail reads .1");

        Files.writeString(file, lines(12)); // a cap and a fifth: not a sliver of 20 bytes of its own
        assertEquals(470, log.poll());
        assertEquals(List.of(120L, 100L, 100L, 100L), sizes(file, 4), "within a cap and a quarter, whole in .1");
    }

    private static List<Long> sizes(Path file, int keep) throws Exception {
        List<Long> sizes = new java.util.ArrayList<>();
        for (int n = 1; n <= keep; n++) {
            sizes.add(Files.size(LogRotation.numbered(file, n)));
        }
        return sizes;
    }

    @Test
    void whatTheKeptFilesCannotHoldIsDroppedOldestFirstAndCounted() throws Exception {
        Path file = dir.resolve("p.log");
        SessionLog log = SessionLog.open(file, 100, 2);
        String written = lines(55);

        Files.writeString(file, written);

        assertEquals(550, log.poll(), "every byte written is counted, dropped or not");
        assertEquals(written.substring(350), Files.readString(LogRotation.numbered(file, 2))
                + Files.readString(LogRotation.numbered(file, 1)));
        assertEquals(350, log.dropped());
    }

    /** {@code n} lines of 10 bytes: 000000000 to n - 1. */
    private static String lines(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(String.format("%09d\n", i));
        }
        return b.toString();
    }

    /**
     * A full disk: the copy to .1 needs the space the truncation would free. The file used to stay
     * past its cap for good, the disk full for the store and the event log (no session could
     * start) and the poll's failure turned the session's end into an internal error. Now its bytes
     * are dropped, the poll says so, and the disk has its space back.
     */
    @Test
    void onAFullDiskTheLogIsTruncatedWithoutItsCopyAndThePollSaysSo() throws Exception {
        try (SmallTmpfs disk = SmallTmpfs.mount(dir.resolve("small"), 4)) {
            Path file = disk.dir().resolve("p.log");
            SessionLog log = SessionLog.open(file, 1_000_000, 2);
            append(file, 3_000_000);
            disk.fill();

            ProcessException e = assertThrows(ProcessException.class, log::poll);

            assertTrue(e.getMessage().contains("p.log: cannot copy it to p.log.1 (")
                    && e.getMessage().endsWith("its 3000000 bytes were dropped to keep it within its cap"), e.getMessage());
            assertEquals(0, Files.size(file));
            assertFalse(Files.exists(LogRotation.numbered(file, 1)), "no partial copy left");
            assertTrue(Files.getFileStore(disk.dir()).getUsableSpace() > 2_000_000, "the disk has its space back");
            append(file, 10);
            assertEquals(3_000_010, log.poll(), "every byte the session wrote is still counted");
        }
    }

    /** Reviewer R9: a link where a session log goes made a root runner fill its target, then empty it. */
    @Test
    void aSessionLogThatIsASymbolicLinkIsRefusedAndItsTargetLeftAlone() throws Exception {
        Path victim = Files.writeString(dir.resolve("victim"), "x".repeat(3000));
        Path file = Files.createSymbolicLink(dir.resolve("p.stdout.log"), victim);

        java.io.IOException e = assertThrows(java.io.IOException.class, () -> SessionLog.open(file, 1024, 2));

        assertEquals(file + " is a symbolic link: session logs are never written through one (another user may have"
                + " planted it); remove it", e.getMessage());
        assertEquals(3000, Files.size(victim), "not rotated (truncated) through the link");
        assertFalse(Files.exists(LogRotation.numbered(file, 1)));
    }

    /**
     * Reviewer R10: rotations ran on the loop, one truncation after another (hundreds of ms each for a
     * file written flat out), and 30 bursting logs held the loop for over 30 s. The poll hands the
     * rotation aside and returns; until it is done, polls count without rotating.
     */
    @Test
    void aPollHandsTheRotationAsideAndCountsWithoutRotatingUntilItIsDone() throws Exception {
        Path file = dir.resolve("p.log");
        List<Runnable> aside = new java.util.ArrayList<>();
        SessionLog log = SessionLog.open(file, 100, 2, null, aside::add);

        append(file, 150);
        assertEquals(150, log.poll());

        assertEquals(1, aside.size(), "the rotation waits for the rotator");
        assertEquals(150, Files.size(file), "nothing rotated by the poll itself");
        append(file, 20);
        assertEquals(170, log.poll(), "growth while it waits is counted");
        assertEquals(1, aside.size(), "one rotation at a time");

        aside.get(0).run();

        assertEquals(0, Files.size(file));
        assertEquals(100, Files.size(LogRotation.numbered(file, 1)));
        assertEquals(70, Files.size(LogRotation.numbered(file, 2)));
        append(file, 5);
        assertEquals(175, log.poll(), "every byte counted once");
        assertEquals(1, aside.size());
    }

    @Test
    void aRotationAsideThatFailedIsSaidByTheNextPoll() throws Exception {
        try (SmallTmpfs disk = SmallTmpfs.mount(dir.resolve("small"), 4)) {
            Path file = disk.dir().resolve("p.log");
            SessionLog log = SessionLog.open(file, 1_000_000, 2, null, Runnable::run);
            append(file, 3_000_000);
            disk.fill();

            assertEquals(3_000_000, log.poll(), "the rotation ran aside (here at once) and failed there");

            ProcessException e = assertThrows(ProcessException.class, log::poll);
            assertTrue(e.getMessage().endsWith("its 3000000 bytes were dropped to keep it within its cap"), e.getMessage());
            append(file, 10);
            assertEquals(3_000_010, log.poll());
        }
    }

    /** The error event's stderr tail is read after a rotation under way, not from files it is shifting. */
    @Test
    void aReadWaitsForARotationUnderWay() throws Exception {
        Path file = dir.resolve("p.log");
        List<Runnable> aside = new java.util.ArrayList<>();
        SessionLog log = SessionLog.open(file, 100, 1, null, aside::add);
        Files.writeString(file, lines(15));
        log.poll();
        java.util.concurrent.atomic.AtomicReference<String> tail = new java.util.concurrent.atomic.AtomicReference<>();
        Thread reader = new Thread(() -> tail.set(new String(log.tail(10))));
        reader.start();
        io.smartrunner.testkit.Await.until("the reader waits for the rotation", java.time.Duration.ofSeconds(30),
                () -> reader.getState() == Thread.State.TIMED_WAITING);
        assertEquals(null, tail.get(), "not read while the rotation is under way");

        aside.get(0).run();
        reader.join(30_000);

        assertEquals("000000014\n", tail.get(), "read from .1, after the rotation");
        assertEquals(0, Files.size(file));
    }

    @Test
    void keepZeroTruncatesWithoutCopies() throws Exception {
        Path file = dir.resolve("p.log");
        SessionLog log = SessionLog.open(file, 10, 0);

        append(file, 11);

        assertEquals(11, log.poll());
        assertEquals(0, Files.size(file));
        assertFalse(Files.exists(LogRotation.numbered(file, 1)));
    }

    @Test
    void openCreatesTheDirectoryAndStartsCountingAtTheCurrentEnd() throws Exception {
        Path file = dir.resolve("a/b/p.log");
        SessionLog log = SessionLog.open(file, 0, 0);
        assertEquals(0, log.poll());

        append(file, 5);

        assertEquals(5, log.poll());
        assertEquals(0, SessionLog.open(file, 0, 0).poll());
    }

    private static void append(Path file, int bytes) throws Exception {
        Files.write(file, new byte[bytes], StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
