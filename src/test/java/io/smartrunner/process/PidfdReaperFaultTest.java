package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One thread reaps every child the runner spawns: if a reap could end it, no session would be
 * seen to exit again, and the fleet would stand still without a word. A fault while a child is
 * reaped costs that child's bookkeeping (or, at worst, its status), never the thread.
 */
class PidfdReaperFaultTest {
    private PidfdReaper reaper;

    @AfterEach
    void close() throws Exception {
        if (reaper != null) {
            assertTrue(reaper.close(10_000));
        }
    }

    @Test
    void anExitThatCannotBeTimedKeepsItsStatusAndTheReaperGoesOn() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        reaper = reaperWhoseExitAge(asked, n -> new IllegalStateException("a /proc file in a form not met before"));

        ExitStatus first = watchExiting(3).get(10, TimeUnit.SECONDS);
        ExitStatus second = watchExiting(4).get(10, TimeUnit.SECONDS);

        assertEquals(3, first.exitCode());
        assertEquals(4, second.exitCode());
        assertEquals(2, asked.get(), "each exit's time was asked for, and failed");
    }

    @Test
    void anErrorWhileReapingEndsThatChildsWatchOnlyAndTheChildIsNotLeftAZombie() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        reaper = reaperWhoseExitAge(asked, n -> n == 1 ? new StackOverflowError("deep") : null);
        NativeSpawn.Child broken = spawnExitingChild(3);

        ExecutionException lost = assertThrows(ExecutionException.class,
                () -> reaper.watch(broken.pid(), broken.pidfd()).get(10, TimeUnit.SECONDS));
        ExitStatus next = watchExiting(5).get(10, TimeUnit.SECONDS);

        assertTrue(lost.getCause().getMessage().contains("reaping " + broken.pid() + ": java.lang.StackOverflowError"),
                lost.getCause().getMessage());
        assertFalse(Files.exists(Path.of("/proc", Long.toString(broken.pid()))),
                "reaped even so: no zombie left");
        assertEquals(5, next.exitCode(), "the reaper's thread went on");
    }

    /**
     * A reaper whose exit-time reader, at its n-th call (from 1), throws what {@code fault} gives for
     * n, or times the exit now when it gives null.
     */
    private static PidfdReaper reaperWhoseExitAge(AtomicInteger asked, IntFunction<Throwable> fault) {
        return new PidfdReaper(new ExitAge() {
            @Override
            long exitedAt(long pid, long nowNanos, long sinceNanos, long notBeforeNanos) {
                Throwable t = fault.apply(asked.incrementAndGet());
                if (t instanceof RuntimeException r) {
                    throw r;
                }
                if (t instanceof Error e) {
                    throw e;
                }
                return nowNanos;
            }
        });
    }

    private CompletableFuture<ExitStatus> watchExiting(int code) {
        NativeSpawn.Child c = spawnExitingChild(code);
        return reaper.watch(c.pid(), c.pidfd());
    }

    private static NativeSpawn.Child spawnExitingChild(int code) {
        return NativeSpawn.spawn("sh", "/bin/sh", List.of("sh", "-c", "exit " + code), List.of(), "/dev/null",
                "/dev/null", "/", 0600, -1, () -> { });
    }
}
