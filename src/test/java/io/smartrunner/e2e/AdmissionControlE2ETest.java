package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.admission.ProcHostPressure;
import io.smartrunner.browser.BrowserProvider;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.config.RunnerSettings;
import io.smartrunner.config.SessionSettings;
import io.smartrunner.engine.EndedInLog;
import io.smartrunner.engine.Supervisor;
import io.smartrunner.engine.SupervisorDeps;
import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.JsonlEventSink;
import io.smartrunner.process.PosixSpawnLauncher;
import io.smartrunner.process.ProcFsProcessTable;
import io.smartrunner.recovery.ProcessRecoveryActions;
import io.smartrunner.store.SqliteStateStore;
import io.smartrunner.testkit.Await;
import io.smartrunner.testkit.TestConfig;
import io.smartrunner.time.TimeSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Admission control with real sessions (real launcher, SQLite, JSONL log): the host's free memory
 * is read from a meminfo file the test writes. Under the floor no new session starts and one
 * pressure event is written; once the reading recovers, sessions resume and one pressure-end follows.
 */
class AdmissionControlE2ETest {
    @TempDir
    Path dir;
    private final List<EventRecord> seen = Collections.synchronizedList(new ArrayList<>());

    private void memAvailableMb(long mb) throws IOException {
        Path tmp = Files.writeString(dir.resolve("meminfo.tmp"),
                "MemTotal:       16777216 kB\nMemAvailable:   " + mb * 1024 + " kB\n");
        Files.move(tmp, dir.resolve("meminfo"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private long count(String event) {
        synchronized (seen) {
            return seen.stream().filter(e -> e.event().equals(event)).count();
        }
    }

    private int indexOf(List<EventRecord> log, String event) {
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).event().equals(event)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void underTheMemoryFloorNoSessionStartsThenSessionsResumeByThemselves() throws Exception {
        memAvailableMb(4096);
        Files.writeString(dir.resolve("loadavg"), "0.10 0.10 0.10 1/100 1\n");
        SessionSettings d = SessionSettings.defaults();
        SessionSettings quick = new SessionSettings(List.of("/bin/sh", "-c", "sleep 0.1"), Map.of(), null, 20_000, 0,
                100, 1_000, d.logMaxBytes(), d.logKeepFiles(), d.stderrTailBytes());
        RunnerConfig config = TestConfig.builder().globalLimit(4).podLimit(4).session(quick).dataDir(dir)
                .pod("podA", "p1", "p2", "p3", "p4").build();
        assertEquals(RunnerSettings.DEFAULT_MIN_FREE_MEMORY_MB, config.runner().minFreeMemoryMb());
        ExecutorService spawner = Executors.newFixedThreadPool(2);
        SqliteStateStore store = SqliteStateStore.open(dir.resolve("state.db"), RunnerSettings.SqliteSynchronous.NORMAL);
        JsonlEventSink sink = JsonlEventSink.open(dir.resolve("events.jsonl"), RunnerSettings.FsyncPolicy.NEVER, 1000);
        Supervisor supervisor = new Supervisor(config, new SupervisorDeps(store, sink, PosixSpawnLauncher.best(),
                new ProcFsProcessTable(), TimeSource.system(), new Random(), dir.resolve("logs"), seen::addAll,
                line -> { }, spawner, new ProcessRecoveryActions(PosixSpawnLauncher.best(), dir.resolve("logs"),
                        store.runnerId(), 60_000, BrowserProvider.none()), null, EndedInLog.none(),
                new ProcHostPressure(dir.resolve("meminfo"), dir.resolve("loadavg"), () -> 2)));
        Thread loop = new Thread(supervisor::run, "supervisor");
        loop.start();
        try {
            Await.until("the fleet runs sessions", Duration.ofSeconds(30), () -> count("finish") >= 4);

            memAvailableMb(100);
            Await.until("a pressure event", Duration.ofSeconds(30), () -> count("pressure") == 1);
            assertNotNull(supervisor.admission().note());
            // every profile, its running session over and its cooldown passed, is held back (a start wanted, refused)
            Await.until("all four profiles held back", Duration.ofSeconds(30),
                    () -> supervisor.admission().delayedTotal() == 4);
            assertTrue(supervisor.admission().held());

            memAvailableMb(4096);
            Await.until("a pressure-end event", Duration.ofSeconds(30), () -> count("pressure-end") == 1);
            long startsBefore = count("start");
            Await.until("sessions resume", Duration.ofSeconds(30), () -> count("start") >= startsBefore + 4);
            assertFalse(supervisor.admission().held());
            assertNull(supervisor.admission().note());
        } finally {
            supervisor.requestStop();
            loop.join(30_000);
            spawner.shutdownNow();
            sink.close();
            store.close();
        }
        assertFalse(loop.isAlive());

        List<EventRecord> log = EventLogReader.readAll(dir.resolve("events.jsonl"));
        assertEquals(1, log.stream().filter(e -> e.event().equals("pressure")).count(), "one event per episode");
        assertEquals(1, log.stream().filter(e -> e.event().equals("pressure-end")).count());
        int held = indexOf(log, "pressure");
        int resumed = indexOf(log, "pressure-end");
        assertTrue(held < resumed);
        assertTrue(log.subList(held, resumed).stream().noneMatch(e -> e.event().equals("start")),
                "no session started while held");
        EventRecord pressure = log.get(held);
        assertEquals("runner", pressure.type());
        assertNull(pressure.profileId());
        assertEquals("memory", pressure.params().get("short"));
        assertEquals(100, ((Number) pressure.params().get("reading")).intValue());
        assertEquals(256, ((Number) pressure.params().get("limit")).intValue());
        EventRecord end = log.get(resumed);
        assertEquals(4, ((Number) end.params().get("sessionsDelayed")).intValue());
        assertTrue(((Number) end.params().get("heldForMs")).longValue() > 0);
    }
}
