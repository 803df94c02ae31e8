package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.RunnerConfig;
import io.smartrunner.config.RunnerSettings;
import io.smartrunner.engine.Supervisor;
import io.smartrunner.engine.SupervisorDeps;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.JsonlEventSink;
import io.smartrunner.process.PosixSpawnLauncher;
import io.smartrunner.process.ProcFsProcessTable;
import io.smartrunner.store.SqliteStateStore;
import io.smartrunner.testkit.TestConfig;
import io.smartrunner.time.TimeSource;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A profile that runs alone: nothing but its own session wakes the loop. A launch reports to the
 * loop quietly, and until the twenty-fifth session a loop already asleep slept on for up to 5 s
 * (its longest wait) before it took the session in, armed its timers and saw them run out: every
 * session after the first timed out or was found hanging about 5 s late. Real processes, the real
 * launcher, a real SQLite file and event log.
 */
class LoneProfileTimersE2ETest {
    /** The loop's longest wait is 5 s: a session taken in only then ends ~5 s after its start. */
    private static final long WELL_BEFORE_THE_LONGEST_WAIT_MS = 3_800;
    private static final int SESSIONS = 3;

    @TempDir
    Path dir;

    @Test
    void everySessionOfALoneProfileTimesOutAtItsTimeout() throws Exception {
        RunnerConfig config = TestConfig.builder().command("/bin/sh", "-c", "exec sleep 60").timeoutMs(800)
                .idleTimeoutMs(0).cooldownMs(0).maxErrorStreak(100).dataDir(dir).pod("podA", "alone").build();

        for (EventRecord end : endsOf(config)) {
            assertEquals("timeout", end.params().get("reason"), end.toString());
            assertTrue(end.durMs() < WELL_BEFORE_THE_LONGEST_WAIT_MS,
                    "timeoutMs 800, yet the session ran " + end.durMs() + " ms");
        }
    }

    @Test
    void everySessionOfALoneProfileIsFoundHangingAtItsIdleTimeout() throws Exception {
        RunnerConfig config = TestConfig.builder().command("/bin/sh", "-c", "echo started; exec sleep 60")
                .timeoutMs(60_000).idleTimeoutMs(800).cooldownMs(0).maxErrorStreak(100).dataDir(dir)
                .pod("podA", "alone").build();

        for (EventRecord end : endsOf(config)) {
            assertEquals("hang", end.params().get("reason"), end.toString());
            assertTrue(end.durMs() < WELL_BEFORE_THE_LONGEST_WAIT_MS,
                    "idleTimeoutMs 800 (noticed within a quarter more), yet the session ran " + end.durMs() + " ms");
        }
    }

    /** Runs the one-profile fleet until {@link #SESSIONS} sessions have ended; their end events. */
    private List<EventRecord> endsOf(RunnerConfig config) throws Exception {
        List<EventRecord> ends = new CopyOnWriteArrayList<>();
        CountDownLatch ended = new CountDownLatch(SESSIONS);
        SqliteStateStore store = SqliteStateStore.open(dir.resolve("state.db"), RunnerSettings.SqliteSynchronous.NORMAL);
        JsonlEventSink sink = JsonlEventSink.open(dir.resolve("events.jsonl"), RunnerSettings.FsyncPolicy.ALWAYS, 1000);
        Supervisor supervisor = new Supervisor(config, new SupervisorDeps(store, sink, PosixSpawnLauncher.best(),
                new ProcFsProcessTable(), TimeSource.system(), new Random(), dir.resolve("logs"), events -> {
                    for (EventRecord e : events) {
                        if (e instanceof EventRecord.SessionEnded) {
                            ends.add(e);
                            ended.countDown();
                        }
                    }
                }, line -> { }, Executors.newFixedThreadPool(2),
                new io.smartrunner.recovery.ProcessRecoveryActions(PosixSpawnLauncher.best(), dir.resolve("logs"),
                        store.runnerId(), 60_000, io.smartrunner.browser.BrowserProvider.none()), null));
        Thread loop = new Thread(supervisor::run, "supervisor");
        loop.start();
        try {
            assertTrue(ended.await(60, TimeUnit.SECONDS), "sessions ended: " + ends);
        } finally {
            supervisor.requestStop();
            loop.join(30_000);
            sink.close();
            store.close();
        }
        assertFalse(loop.isAlive());
        return List.copyOf(ends).subList(0, SESSIONS);
    }
}
