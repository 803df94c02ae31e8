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

    private Supervisor started(RunnerConfig c) {
        Supervisor s = new Supervisor(c, new SupervisorDeps(new InMemoryStateStore(), sink, launcher,
                new FakeProcessTable(), time, new Random(1), Path.of("target/test-logs"), e -> { }, lines::add,
                Runnable::run, new FakeRecoveryActions(), null));
        s.start();
        return s;
    }

    @Test
    void aSessionWhoseLogCannotBeRotatedEndsAsItEndedAndTheRunnerSaysWhy() {
        Supervisor s = started(TestConfig.builder().pod("podA", "p1").build());
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

    /** Reviewer R10: the second log renamed within a minute was folded into the first one's line, and never said. */
    @Test
    void everyLogWhosePathNoLongerLeadsToItsFileIsSaidOnItsOwn() {
        Supervisor s = started(TestConfig.builder().timeoutMs(600_000).pod("podA", "p1", "p2").build());
        s.step();
        for (String id : List.of("p1", "p2")) {
            launcher.forProfile(id).get(0).pollFailure = new io.smartrunner.process.LogReplaced(id + ".stdout.log is no"
                    + " longer the file its session writes to");
        }

        time.advanceMillis(1_000);
        s.step();

        assertEquals(List.of("the session log of p1: p1.stdout.log is no longer the file its session writes to",
                "the session log of p2: p2.stdout.log is no longer the file its session writes to"),
                lines.stream().filter(l -> l.contains("no longer")).toList());
    }

    /** Reviewer R9: a rotation that dropped output (more than the kept files hold) said nothing. */
    @Test
    void outputARotationDroppedIsSaidOnceAMinuteTheOthersCountedInTheNext() {
        Supervisor s = started(TestConfig.builder().pod("podA", "p1", "p2").build());
        s.step();
        FakeLauncher.FakeProcess p1 = launcher.forProfile("p1").get(0);
        FakeLauncher.FakeProcess p2 = launcher.forProfile("p2").get(0);
        p1.dropped = 52_812;
        p2.dropped = 10_494;

        p1.exit(0);
        p2.exit(0);
        s.step();

        List<String> said = lines.stream().filter(l -> l.contains("byte(s) were dropped")).toList();
        assertEquals(1, said.size(), String.join("\n", lines));
        assertTrue(said.get(0).matches("the session log of p[12] grew past its 3 kept file\\(s\\) of logMaxBytes 10485760"
                + " between two checks: its oldest (52812|10494) byte\\(s\\) were dropped"), said.get(0));
        time.advanceMillis(61_000);
        s.step();
        FakeLauncher.FakeProcess again = launcher.forProfile("p1").get(1);
        again.dropped = 7;
        again.exit(0);
        s.step();
        assertTrue(lines.get(lines.size() - 1).endsWith("its oldest 7 byte(s) were dropped (and 1 more log(s) with bytes"
                + " dropped since the last such line)"), lines.get(lines.size() - 1));
    }

    /** Reviewer R11: a minute's held-back drops were counted only in a next line, which a run's end never brought. */
    @Test
    void dropsHeldBackWhenTheRunEndsAreCountedInALastLine() {
        Supervisor s = started(TestConfig.builder().pod("podA", "p1", "p2", "p3").build());
        s.step();
        for (String id : List.of("p1", "p2", "p3")) {
            FakeLauncher.FakeProcess p = launcher.forProfile(id).get(0);
            p.dropped = 100;
            p.exit(0);
        }
        s.step();
        assertEquals(1, lines.stream().filter(l -> l.contains("byte(s) were dropped")).count(), String.join("\n", lines));

        s.requestStop();
        s.loop();

        assertEquals(List.of("a session log's oldest bytes dropped: 2 more log(s) with bytes dropped since the last such"
                + " line, not said before the run ended (one line a minute)"),
                lines.stream().filter(l -> l.contains("run ended")).toList());
    }
}
