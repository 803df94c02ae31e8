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

/**
 * Under a process limit the runner's own spawns fail (EAGAIN: infrastructure) and so do the forks
 * of sessions already running (a shell's "Cannot fork", exit 2): a reviewer's pids limit paused six
 * healthy profiles for 24 h. While the host refuses processes, a failure is the host's.
 */
class SpawnShortageBlameTest {
    private final ManualTimeSource time = new ManualTimeSource(Instant.parse("2026-12-06T00:00:00Z"));
    private final FakeLauncher launcher = new FakeLauncher();
    private final RecordingEventSink sink = new RecordingEventSink();
    private final InMemoryStateStore store = new InMemoryStateStore();

    @Test
    void aSessionFailingWhileTheHostRefusesProcessesIsTheHostsNotTheProfiles() {
        RunnerConfig c = TestConfig.builder().pod("podA", "p1", "p2").cooldownMs(1_000).maxErrorStreak(1).build();
        Supervisor s = new Supervisor(c, new SupervisorDeps(store, sink, launcher, new FakeProcessTable(), time,
                new Random(1), Path.of("target/test-logs"), e -> { }, line -> { }, Runnable::run,
                new FakeRecoveryActions(), null));
        s.start();
        s.step();
        launcher.forProfile("p1").get(0).exit(0);
        s.step();
        launcher.spawnError = "cannot start \"w.sh\": Resource temporarily unavailable";
        launcher.spawnHostShort = true;
        time.advanceMillis(1_000);
        s.step(); // p1's next launch is refused

        launcher.forProfile("p2").get(0).exit(2); // its shell could not fork
        s.step();

        EventRecord p2 = sink.events.stream().filter(e -> e.event().equals("error") && "p2".equals(e.profileId()))
                .findFirst().orElseThrow();
        assertEquals(List.of("infrastructure", "host-short", 0), List.of(p2.params().get("class"),
                p2.params().get("meaning"), p2.params().get("errorStreak")), p2.params().toString());
        assertEquals(false, store.profiles.get("p2").paused(), "maxErrorStreak 1 would have paused it");
        assertEquals(1, sink.events.stream().filter(e -> e.event().equals("pressure")
                && "processes".equals(e.params().get("short"))).count());

        time.advanceMillis(60_000); // the host has processes again: a failure is the profile's
        launcher.spawnError = null;
        s.step();
        s.step();
        List<FakeLauncher.FakeProcess> again = launcher.forProfile("p2");
        again.get(again.size() - 1).exit(2);
        s.step();
        EventRecord last = sink.events.stream().filter(e -> e.event().equals("error") && "p2".equals(e.profileId()))
                .reduce((a, b) -> b).orElseThrow();
        assertEquals("profile", last.params().get("class"));
    }
}
