package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.time.ManualTimeSource;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real files, a real inotify instance: what a quiet session's polls look at, and what they may not miss. */
class QuietLogWatchTest {
    private final ManualTimeSource time = new ManualTimeSource(Instant.parse("2026-12-05T12:00:00Z"));
    private final List<QuietLogWatch> watches = new ArrayList<>();
    private final Children children = new Children();
    @TempDir
    Path dir;

    @AfterEach
    void cleanUp() {
        children.killAll();
        watches.forEach(QuietLogWatch::close); // inotify instances are few (fs.inotify.max_user_instances)
    }

    private QuietLogWatch watch(QuietLogWatch w) {
        watches.add(w);
        return w;
    }

    @Test
    void aQuietLogsPollsLookAtNothingUntilItIsWrittenAndThenCountEveryByte() throws Exception {
        Path file = dir.resolve("p.stdout.log");
        Files.writeString(file, "an earlier session\n");
        SessionLog log = SessionLog.open(file, 0, 0, watch(new QuietLogWatch(time)));

        assertEquals(0, log.poll());
        assertFalse(log.watched(), "a session's first poll arms no watch (a short session would only pay for it)");
        for (int i = 1; i < SessionLog.QUIET_LOOKS_BEFORE_WATCH; i++) {
            assertEquals(0, log.poll());
            assertFalse(log.watched(), "not after " + i + " quiet look(s)");
        }
        assertEquals(0, log.poll()); // quiet long enough: watched from here on
        assertTrue(log.watched());
        long looks = log.looks();
        for (int i = 0; i < 5; i++) {
            time.advanceMillis(5_000);
            assertEquals(0, log.poll());
        }
        assertEquals(looks, log.looks(), "polls of an untouched file looked at it");

        append(file, 42);
        time.advanceMillis(5_000);

        assertEquals(42, log.poll());
        assertFalse(log.watched(), "a written file is looked at until polls find it unchanged");
        for (int i = 0; i < SessionLog.QUIET_LOOKS_BEFORE_WATCH; i++) {
            time.advanceMillis(1_000);
            assertEquals(42, log.poll());
        }
        assertTrue(log.watched(), "quiet again: watched again");
    }

    /**
     * Reviewer R9: a session quiet for longer than two polls is polled every 5 s, and a child that
     * then wrote flat out took its log to 1.86 GB against a 1 MiB cap before the next poll. The
     * watch's own thread tells the log at the write, without any poll, so its owner polls it soon.
     */
    @Test
    void aWatchedLogIsToldOfAWriteAtOnceByTheWatchsThreadWithoutAPoll() throws Exception {
        Path file = Files.createFile(dir.resolve("p.stdout.log"));
        QuietLogWatch watch = watch(new QuietLogWatch(time));
        SessionLog log = SessionLog.open(file, 0, 0, watch);
        CountDownLatch told = new CountDownLatch(1);
        List<String> toldOn = new java.util.concurrent.CopyOnWriteArrayList<>();
        log.onTouched(() -> {
            toldOn.add(Thread.currentThread().getName());
            told.countDown();
        });
        Set<Thread> before = watchThreads();
        quietUntilWatched(log, 0);
        Set<Thread> mine = watchThreads();
        mine.removeAll(before);
        assertEquals(1, mine.size(), "the watch's instance has a thread of its own");
        long looks = log.looks();

        append(file, 5);

        assertTrue(told.await(30, TimeUnit.SECONDS), "told of the write");
        assertEquals(List.of("sr-log-watch"), toldOn);
        assertEquals(looks, log.looks(), "no poll was needed");
        assertEquals(5, log.poll());

        watch.close();

        assertFalse(mine.iterator().next().isAlive(), "closing the watch ends its thread");
    }

    private static Set<Thread> watchThreads() {
        Set<Thread> found = new java.util.HashSet<>();
        Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("sr-log-watch")).forEach(found::add);
        return found;
    }

    @Test
    void aFileTruncatedOrRemovedWhileWatchedIsLookedAtAgain() throws Exception {
        Path file = dir.resolve("p.stdout.log");
        SessionLog log = SessionLog.open(file, 0, 0, watch(new QuietLogWatch(time)));
        append(file, 10);
        quietUntilWatched(log, 10);
        assertTrue(log.watched());

        Files.delete(file);
        time.advanceMillis(5_000);
        long looks = log.looks();
        assertEquals(10, log.poll(), "bytes once counted stay counted");

        assertEquals(looks + 1, log.looks(), "the unlink woke the watch");
    }

    @Test
    void aWriteBetweenThePollsLookAndItsWatchIsCountedAtTheNextPoll() throws Exception {
        Path file = dir.resolve("p.stdout.log");
        Files.createFile(file);
        QuietLogWatch writesFirst = new QuietLogWatch(time) {
            @Override
            synchronized int arm(Path watched, SessionLog log) {
                try {
                    append(watched, 7); // after the poll's stat, before inotify watches: no event for it
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                return super.arm(watched, log);
            }
        };
        SessionLog log = SessionLog.open(file, 0, 0, watch(writesFirst));
        for (int i = 0; i < SessionLog.QUIET_LOOKS_BEFORE_WATCH; i++) {
            assertEquals(0, log.poll());
        }

        assertEquals(0, log.poll()); // arms the watch, the write slipping in before it
        time.advanceMillis(5_000);

        assertEquals(7, log.poll());
    }

    @Test
    void theSessionsLastPollLooksEvenIfTheWatchHasNotBeenReadYet() throws Exception {
        Path file = Files.createFile(dir.resolve("p.stdout.log"));
        // without the thread that would read the write's event at once
        SessionLog log = SessionLog.open(file, 0, 0, watch(new QuietLogWatch(time, false)));
        quietUntilWatched(log, 0);
        assertEquals(0, log.poll()); // reads the watch's events at this instant
        append(file, 9);
        assertEquals(0, log.poll(), "within the same look, the events are read once");

        log.ended();

        assertEquals(9, log.poll());
        assertFalse(log.watched());
        assertEquals(9, log.poll());
        assertFalse(log.watched(), "an ended session's log is not watched again");
    }

    @Test
    void aLogWithoutItsFileIsLookedAtOnEveryPoll() throws Exception {
        Path file = dir.resolve("gone/p.stdout.log");
        SessionLog log = SessionLog.open(file, 0, 0, watch(new QuietLogWatch(time)));
        Files.delete(file.getParent());

        assertEquals(0, log.poll());
        assertEquals(0, log.poll());

        assertFalse(log.watched());
        assertEquals(2, log.looks());
    }

    @Test
    void aLogTheWatchRefusedIsNotOfferedToItAgainBeforeTheNextSession() throws Exception {
        Path file = Files.createFile(dir.resolve("p.stdout.log"));
        AtomicInteger offered = new AtomicInteger();
        QuietLogWatch outOfWatches = new QuietLogWatch(time) {
            @Override
            synchronized int arm(Path watched, SessionLog log) {
                offered.incrementAndGet();
                return -1; // as with ENOSPC: fs.inotify.max_user_watches reached
            }
        };
        SessionLog log = SessionLog.open(file, 0, 0, outOfWatches);

        int polls = SessionLog.QUIET_LOOKS_BEFORE_WATCH + 3;
        for (int i = 0; i < polls; i++) {
            assertEquals(0, log.poll());
        }

        assertEquals(1, offered.get(), "a failing inotify_add_watch at every poll would cost more than the stat it saves");
        assertEquals(polls, log.looks());
        quietUntilWatched(SessionLog.open(file, 0, 0, outOfWatches), 0);
        assertEquals(2, offered.get(), "the next session's log is offered again");
    }

    @Test
    void aQuietLogPastItsCapIsRotatedOnceWritten() throws Exception {
        Path file = Files.createFile(dir.resolve("p.stdout.log"));
        SessionLog log = SessionLog.open(file, 100, 1, watch(new QuietLogWatch(time)));
        quietUntilWatched(log, 0);
        assertTrue(log.watched());

        append(file, 150);
        time.advanceMillis(5_000);

        assertEquals(150, log.poll());
        assertEquals(0, Files.size(file));
        assertEquals(100, Files.size(LogRotation.numbered(file, 1)));
    }

    /** The launcher's sessions use the process's one watch: a real child, quiet, then printing. */
    @Test
    void aLaunchedChildThatPrintsAfterAQuietSpellHasItsBytesCountedBeforeAndAtItsEnd() throws Exception {
        Path fifo = dir.resolve("in");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        OutputFiles files = OutputFiles.forProfile(dir, "p1", 0, 0);
        RunningProcess child = PosixSpawnLauncher.best().launch(new LaunchSpec(children.newSession(),
                List.of("cat", fifo.toString()), Map.of(), null, files));
        for (int i = 0; i <= SessionLog.QUIET_LOOKS_BEFORE_WATCH; i++) {
            assertEquals(0, child.pollOutput()); // unchanged: watched in the end
        }
        assertTrue(OpenDescriptors.ofSelf().values().stream().anyMatch(l -> l.contains("inotify")),
                "the process's watch is open");
        RunningProcess later = PosixSpawnLauncher.best().launch(new LaunchSpec(children.newSession(),
                List.of("sleep", "30"), Map.of(), null, OutputFiles.forProfile(dir, "p2", 0, 0)));
        // what the child holds besides 0-2 at this moment is its own start-up's (the dynamic loader's
        // libc.so.6, setlocale's files: a loaded CI run read [0, 1, 2, 3]); what it must not hold is the watch
        Map<Integer, String> held = OpenDescriptors.of(later.pid());
        assertTrue(held.keySet().containsAll(Set.of(0, 1, 2)), held.toString());
        assertTrue(held.values().stream().noneMatch(l -> l.contains("inotify") || l.contains("eventfd")),
                "a child inherits no watch (nor the end of its thread): " + held);
        later.stop(Duration.ofSeconds(1)).get(30, TimeUnit.SECONDS);

        CountDownLatch told = new CountDownLatch(1);
        child.onOutputAfterQuiet(told::countDown);
        try (OutputStream in = Files.newOutputStream(fifo)) {
            in.write("hello\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            assertTrue(told.await(30, TimeUnit.SECONDS), "the quiet session's first write after its quiet spell is told at once");
            // cat copies it when it gets the CPU: the watch tells the poll that follows
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                while (child.pollOutput() < 6) {
                    Thread.onSpinWait();
                }
            });
            assertEquals(0, child.pollOutput() - 6);
            in.write("bye\n".getBytes(StandardCharsets.UTF_8));
        }

        assertEquals(ExitStatus.exited(0), child.onExit().get(30, TimeUnit.SECONDS));
        assertEquals(10, child.pollOutput(), "the end's poll counts what the watch was not read for");
        assertEquals("hello\nbye\n", Files.readString(files.stdout()));
    }

    /**
     * Reviewer R9: a log removed under a running session made a chatty session look silent, and it
     * was stopped as a hang, its profile blamed. Its output is now counted through the child's own
     * descriptor, and the removal said once.
     */
    @Test
    void aLogRemovedWhileItsSessionRunsIsCountedThroughTheChildsDescriptor() throws Exception {
        OutputFiles files = OutputFiles.forProfile(dir, "p1", 0, 0);
        RunningProcess child = PosixSpawnLauncher.best().launch(new LaunchSpec(children.newSession(),
                List.of("/bin/sh", "-c", "while :; do echo line; sleep 0.02; done"), Map.of(), null, files));
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            while (child.pollOutput() == 0) {
                Thread.onSpinWait();
            }
        });
        Files.delete(files.stdout());

        LogReplaced said = org.junit.jupiter.api.Assertions.assertThrows(LogReplaced.class, child::pollOutput);

        assertEquals(files.stdout() + " is no longer the file its session writes to (removed, or renamed as logrotate"
                + " without copytruncate does): the session's output still goes to that file until it ends, counted"
                + " through /proc/" + child.pid() + "/fd/1", said.getMessage());
        long before = child.pollOutput();
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            while (child.pollOutput() <= before) {
                Thread.onSpinWait();
            }
        });
        child.stop(Duration.ofSeconds(1)).get(30, TimeUnit.SECONDS);
        assertTrue(child.pollOutput() > before, "the end's poll keeps what was counted");
    }

    /**
     * Reviewer R10: logrotate without copytruncate renames the log (and may create a new one in its
     * place); the child goes on writing to the renamed file, which grew to 200 MiB against a 1 MiB
     * cap, and nothing was said. It is now said, counted and kept within its cap through the child's
     * descriptor, its copies where the path's go.
     */
    @Test
    void aLogRenamedWithANewFileInItsPlaceIsSaidCountedAndKeptWithinItsCapThroughTheChild() throws Exception {
        OutputFiles files = OutputFiles.forProfile(dir, "p1", 4_096, 1);
        RunningProcess child = PosixSpawnLauncher.best().launch(new LaunchSpec(children.newSession(),
                List.of("/bin/sh", "-c", "while :; do echo line; sleep 0.002; done"), Map.of(), null, files));
        io.smartrunner.testkit.Await.until("the child writes", Duration.ofSeconds(30), () -> child.pollOutput() > 0);
        Path moved = dir.resolve("p1.stdout.log.moved");
        Files.move(files.stdout(), moved);
        Files.createFile(files.stdout()); // logrotate's "create"

        LogReplaced said = org.junit.jupiter.api.Assertions.assertThrows(LogReplaced.class, child::pollOutput);

        assertTrue(said.getMessage().contains("counted and kept within logMaxBytes (copies in p1.stdout.log.1) through /proc/"
                + child.pid() + "/fd/1"), said.getMessage());
        Path copy = LogRotation.numbered(files.stdout(), 1);
        io.smartrunner.testkit.Await.until("the renamed file is rotated through the child", Duration.ofSeconds(30), () -> {
            child.pollOutput();
            return Files.exists(copy);
        });
        long counted = child.pollOutput();
        child.stop(Duration.ofSeconds(1)).get(30, TimeUnit.SECONDS);
        assertTrue(Files.size(moved) < 4_096 * 3, "the renamed file is kept near its cap: " + Files.size(moved));
        assertTrue(Files.readString(copy).startsWith("line\n"), "its bytes went to the path's copy");
        assertEquals(0, Files.size(files.stdout()), "the new file in its place is left alone");
        assertTrue(counted > 4_096, "every byte counted: " + counted);
    }

    /** The first look, then as many quiet ones as arm the watch. */
    private static void quietUntilWatched(SessionLog log, long bytes) {
        for (int i = 0; i <= SessionLog.QUIET_LOOKS_BEFORE_WATCH; i++) {
            assertEquals(bytes, log.poll());
        }
    }

    private static void append(Path file, int bytes) throws Exception {
        Files.write(file, new byte[bytes], StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
