package io.smartrunner.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smartrunner.config.RunnerConfig;
import io.smartrunner.event.EventRecord;
import io.smartrunner.testkit.TestConfig;
import io.smartrunner.time.ManualTimeSource;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What a session's end reads of its log: the stderr tail goes into the error event, so only a failure reads it. */
class SessionEndLogReadsTest {
    private static final Instant T0 = Instant.parse("2025-01-08T10:30:00Z");
    private final ManualTimeSource time = new ManualTimeSource(T0);
    private final FakeLauncher launcher = new FakeLauncher();
    private final RecordingEventSink sink = new RecordingEventSink();

    private Supervisor supervisor() {
        RunnerConfig c = TestConfig.builder().pod("podA", "p1").build();
        Supervisor s = new Supervisor(c, new SupervisorDeps(new InMemoryStateStore(), sink, launcher,
                new FakeProcessTable(), time, new Random(1), Path.of("target/test-logs"), e -> { }, line -> { },
                Runnable::run, new FakeRecoveryActions(), null));
        s.start();
        s.step();
        return s;
    }

    @Test
    void aSuccessReadsNothingOfItsLog() {
        Supervisor s = supervisor();
        FakeLauncher.FakeProcess p = launcher.last();
        p.stderr = "a warning nobody needs\n";

        p.exit(0);
        s.step();

        assertEquals(1, sink.events.stream().filter(e -> e.event().equals("finish")).count());
        assertEquals(0, p.tailReads);
    }

    @Test
    void aFailureReadsItsStderrTailIntoTheErrorEvent() {
        Supervisor s = supervisor();
        FakeLauncher.FakeProcess p = launcher.last();
        p.stderr = "login failed\n";

        p.exit(3);
        s.step();

        List<EventRecord> errors = sink.events.stream().filter(e -> e.event().equals("error")).toList();
        assertEquals(1, errors.size());
        assertEquals("login failed\n", errors.get(0).params().get("stderrTail"));
        assertEquals(1, p.tailReads);
    }
}
