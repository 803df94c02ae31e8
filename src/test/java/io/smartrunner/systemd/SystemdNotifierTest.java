package io.smartrunner.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.health.RunnerHealth;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The notify protocol against a real AF_UNIX datagram socket bound by the test (path and abstract name). */
class SystemdNotifierTest {
    @TempDir
    Path dir;

    private volatile boolean started;
    private volatile long lastTurn = System.nanoTime();

    private RunnerHealth health() {
        return new RunnerHealth(new RunnerHealth.Loop() {
            @Override
            public boolean started() {
                return started;
            }

            @Override
            public long lastTurnNanos() {
                return lastTurn;
            }

            @Override
            public String problem() {
                return null;
            }
        }, System::nanoTime, 30_000);
    }

    /** Cluster mode (docs/cluster-fencing.md): a loop silent for 3 s is stuck, not quiet; without the flag it is quiet. */
    @Test
    void aLoopWokenEverySecondStopsThePingsAfterTwoSecondsOfSilence() {
        String socket = dir.resolve("notify.sock").toString();
        started = true;
        lastTurn = System.nanoTime() - TimeUnit.SECONDS.toNanos(3);
        try (UnixDatagram systemd = UnixDatagram.bound(socket)) {
            try (SystemdNotifier quiet = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", socket,
                    "WATCHDOG_USEC", "400000"), health(), System::nanoTime, s -> { }).start()) {
                assertTrue(systemd.receive(5_000).startsWith("READY=1"));
                assertEquals("WATCHDOG=1", systemd.receive(5_000), "3 s of silence is a quiet loop (10 s floor)");
            }
            drain(systemd);
            try (SystemdNotifier woken = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", socket,
                    "WATCHDOG_USEC", "400000"), health(), System::nanoTime, s -> { })
                    .loopWokenEverySecond(true).start()) {
                assertTrue(systemd.receive(5_000).startsWith("READY=1"));
                assertNull(systemd.receive(1_500), "a ping although the loop has not turned for 3 s");
                lastTurn = System.nanoTime();
                assertEquals("WATCHDOG=1", systemd.receive(5_000));
            }
        }
    }

    @Test
    void aDatagramReachesAPathAndAnAbstractName() {
        String abstractName = "@smart-runner-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        for (String name : List.of(dir.resolve("notify.sock").toString(), abstractName)) {
            try (UnixDatagram receiver = UnixDatagram.bound(name); UnixDatagram sender = UnixDatagram.open()) {
                assertTrue(sender.send(name, "READY=1"), name);
                assertEquals("READY=1", receiver.receive(5_000), name);
            }
        }
    }

    @Test
    void readyOnceStartedThenWatchdogOnlyWhileTheLoopTurnsAndStoppingOnStop() {
        String socket = dir.resolve("notify.sock").toString();
        List<String> said = new ArrayList<>();
        try (UnixDatagram systemd = UnixDatagram.bound(socket);
             SystemdNotifier notifier = SystemdNotifier.fromEnvironment(
                     Map.of("NOTIFY_SOCKET", socket, "WATCHDOG_USEC", "400000"), health(), System::nanoTime,
                     said::add).start()) {
            // still starting: watchdog pings (start-up is systemd's start timeout's business), no READY
            assertEquals("WATCHDOG=1", systemd.receive(5_000));
            started = true;
            String ready = untilNot("WATCHDOG=1", systemd);
            assertTrue(ready.startsWith("READY=1\n"), ready);
            // the loop keeps turning: pings keep coming
            lastTurn = System.nanoTime();
            assertEquals("WATCHDOG=1", systemd.receive(5_000));
            // the loop froze more than the minimum silence (10 s) ago: no more pings
            lastTurn = System.nanoTime() - TimeUnit.SECONDS.toNanos(11);
            drain(systemd);
            assertNull(systemd.receive(1_500), "a ping while the loop is frozen");
            notifier.stopping();
            assertEquals("STOPPING=1\nSTATUS=stopping", systemd.receive(5_000));
        }
        assertEquals(List.of(), said);
    }

    @Test
    void withoutNotifySocketNothingIsSentAndABadValueIsOneLine() {
        List<String> said = new ArrayList<>();
        SystemdNotifier.fromEnvironment(Map.of(), health(), System::nanoTime, said::add).start().close();
        SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", "relative/path"), health(), System::nanoTime,
                said::add).start().close();
        assertEquals(1, said.size());
        assertTrue(said.get(0).startsWith("NOTIFY_SOCKET: \"relative/path\""), said.get(0));
        assertEquals(0, SystemdNotifier.watchdogNanos(Map.of("WATCHDOG_USEC", "1000000", "WATCHDOG_PID", "1"),
                said::add), "a watchdog meant for another process");
    }

    private static String untilNot(String skip, UnixDatagram socket) {
        for (int i = 0; i < 100; i++) {
            String m = socket.receive(5_000);
            if (m == null || !m.equals(skip)) {
                return m;
            }
        }
        return null;
    }

    /** Reads what was sent before the freeze took effect (at most a tick's worth). */
    private static void drain(UnixDatagram socket) {
        while (socket.receive(500) != null) {
            // earlier pings
        }
    }
}
