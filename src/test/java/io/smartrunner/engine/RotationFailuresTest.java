package io.smartrunner.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.RunnerConfig;
import io.smartrunner.event.EventRecord;
import io.smartrunner.process.ProcessException;
import io.smartrunner.testkit.TestConfig;
import io.smartrunner.time.ManualTimeSource;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A session whose log cannot be rotated (a full disk) still ends as it ended: the failed poll is
 * one runner line, not an internal error that turned the end into {@code lost} (the runner's), so
 * a profile whose output filled the disk was never blamed.
 */
class RotationFailuresTest {
    private final ManualTimeSource time = new ManualTimeSource(Instant.parse("2026-12-06T00:00:00Z"));
    private final FakeLauncher launcher = new FakeLauncher();
    private final RecordingEventSink sink = new RecordingEventSink();
    private final List<String> lines = new CopyOnWriteArrayList<>();

    @Test
    void aSessionWhoseLogCannotBeRotatedEndsAsItEndedAndTheRunnerSaysWhy() {
        RunnerConfig c = TestConfig.builder().pod("podA", "p1").build();
        Supervisor s = new Supervisor(c, new SupervisorDeps(new InMemoryStateStore(), sink, launcher,
                new FakeProcessTable(), time, new Random(1), Path.of("target/test-logs"), e -> { }, lines::add,
                Runnable::run, new FakeRecoveryActions(), null));
        s.start();
        s.step();
        FakeLauncher.FakeProcess p = launcher.forProfile("p1").get(0);
        p.pollFailure = new ProcessException("cannot rotate p1.stdout.log: p1.stdout.log: cannot copy it to"
                + " p1.stdout.log.1 (No space left on device); its 5136384 bytes were dropped to keep it within its cap",
                null);

        p.exit(3);
        s.step();

        EventRecord end = sink.events.stream().filter(e -> e.event().equals("error")).findFirst().orElseThrow();
        assertEquals(List.of("exit", "profile"), List.of(end.params().get("reason"), end.params().get("class")));
        assertEquals(1, lines.stream().filter(l -> l.startsWith("cannot rotate the session log of p1: ")
                && l.contains("bytes were dropped")).count(), String.join("\n", lines));
        assertTrue(lines.stream().noneMatch(l -> l.contains("internal error")), String.join("\n", lines));
    }
}
