package io.smartrunner.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.RecoverySettings;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.event.EventRecord;
import io.smartrunner.testkit.TestConfig;
import io.smartrunner.time.ManualTimeSource;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Automatic pauses through the supervisor: jittered apart, backed off per repeat, manual ones exact. */
class PauseSpreadTest {
    private static final Instant T0 = Instant.parse("2025-01-08T10:30:00Z");
    private static final long DAY = 86_400_000L;
    private final ManualTimeSource time = new ManualTimeSource(T0);
    private final FakeLauncher launcher = new FakeLauncher();
    private final InMemoryStateStore store = new InMemoryStateStore();
    private final RecordingEventSink sink = new RecordingEventSink();

    private Supervisor supervisor(RunnerConfig config) {
        Supervisor s = new Supervisor(config, new SupervisorDeps(store, sink, launcher, new FakeProcessTable(), time,
                new Random(12), Path.of("target/test-logs"), events -> { }, d -> { }, Runnable::run,
                new FakeRecoveryActions(), null));
        s.start();
        return s;
    }

    private static RecoverySettings recovery(int maxStreak, double multiplier, long maxMs, double jitter) {
        return new RecoverySettings(0, 0, maxStreak, DAY, multiplier, maxMs, 60_000, 4, List.of(),
                new io.smartrunner.config.VerifyConfig.None(), jitter);
    }

    private List<EventRecord> pauses() {
        return sink.events.stream().filter(e -> e.event().equals("pause")).toList();
    }

    @Test
    void twentyProfilesPausedAtTheSameInstantComeBackSpreadOverTheTenPercentBandAfterTheFullLength() {
        List<String> ids = IntStream.range(0, 20).mapToObj(i -> "p" + i).toList();
        Supervisor s = supervisor(TestConfig.builder().globalLimit(20).podLimit(20).cooldownMs(0)
                .recovery(recovery(0, 1.0, 7 * DAY, 0.1)).pod("podA", ids).build());
        s.step();
        assertEquals(20, launcher.launched.size());
        launcher.launched.forEach(p -> p.exit(1));
        s.step();
        List<EventRecord> pauses = pauses();
        assertEquals(20, pauses.size());
        List<Long> untilMs = new ArrayList<>();
        for (EventRecord e : pauses) {
            Instant until = Instant.parse((String) e.params().get("pausedUntil"));
            long duration = ((Number) e.params().get("durationMs")).longValue();
            assertEquals(T0, e.ts());
            assertEquals(T0.plusMillis(duration), until, "the event shows the real, jittered length");
            assertEquals(until, store.profiles.get(e.profileId()).pausedUntil());
            assertTrue(duration >= DAY && duration <= DAY * 11 / 10, duration + " ms is outside [24 h, 24 h + 10 %]");
            untilMs.add(until.toEpochMilli());
        }
        assertEquals(20, untilMs.stream().distinct().count(), "no two profiles come back at the same instant");
        long spread = untilMs.stream().mapToLong(Long::longValue).max().orElseThrow()
                - untilMs.stream().mapToLong(Long::longValue).min().orElseThrow();
        assertTrue(spread > DAY / 20, "returns spread over more than half the band, not bunched: " + spread + " ms");
    }

    @Test
    void repeatedAutomaticPausesBackOffUpToTheConfiguredCap() {
        Supervisor s = supervisor(TestConfig.builder().cooldownMs(0)
                .recovery(recovery(0, 2.0, 3 * DAY, 0)).pod("podA", "p1").build());
        List<Long> durations = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            s.step();
            launcher.last().exit(1);
            s.step();
            EventRecord pause = pauses().get(pauses().size() - 1);
            durations.add(((Number) pause.params().get("durationMs")).longValue());
            time.advance(Duration.ofMillis(durations.get(i)));
            s.step(); // unpaused
        }
        assertEquals(List.of(DAY, 2 * DAY, 3 * DAY, 3 * DAY), durations);
    }

    @Test
    void aPauseByHandKeepsItsExactLengthWhateverTheJitter() {
        Supervisor s = supervisor(TestConfig.builder().cooldownMs(0)
                .recovery(recovery(3, 1.0, 7 * DAY, 0.5)).pod("podA", "p1").build());
        s.request(new ManualRequest.Pause("p1", Duration.ofHours(2), "maintenance", "api"));
        s.step();
        EventRecord pause = pauses().get(0);
        assertEquals(7_200_000L, ((Number) pause.params().get("durationMs")).longValue());
        assertEquals(T0.plus(Duration.ofHours(2)), store.profiles.get("p1").pausedUntil());
    }
}
