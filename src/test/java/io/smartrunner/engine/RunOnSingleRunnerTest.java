package io.smartrunner.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.PodConfig;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.config.RunnerSettings;
import io.smartrunner.testkit.TestConfig;
import io.smartrunner.time.ManualTimeSource;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** runOn on SQLite: the same rule as in cluster mode, a profile pinned to labels this runner lacks never starts. */
class RunOnSingleRunnerTest {
    private final ManualTimeSource time = new ManualTimeSource(Instant.parse("2025-01-08T10:30:00Z"));
    private final FakeLauncher launcher = new FakeLauncher();
    private final List<String> diagnostics = new ArrayList<>();

    private Supervisor supervisor(RunnerConfig config) {
        Supervisor s = new Supervisor(config, new SupervisorDeps(new InMemoryStateStore(), new RecordingEventSink(),
                launcher, new FakeProcessTable(), time, new Random(7), Path.of("target/test-logs"), events -> { },
                diagnostics::add, Runnable::run, new FakeRecoveryActions(), null));
        s.start();
        return s;
    }

    /** Profiles a (any runner), b (runOn adspower), c (runOn eu, gpu) on a runner labelled {@code labels}. */
    private static RunnerConfig config(List<String> labels) {
        return config(labels, List.of("eu", "gpu"));
    }

    private static RunnerConfig config(List<String> labels, List<String> runOnOfC) {
        RunnerConfig c = TestConfig.builder().pod("podA", "a", "b", "c").build();
        List<ProfileConfig> profiles = new ArrayList<>();
        for (ProfileConfig p : c.pods().get(0).profiles()) {
            List<String> runOn = switch (p.id()) {
                case "b" -> List.of("adspower");
                case "c" -> runOnOfC;
                default -> List.of();
            };
            profiles.add(new ProfileConfig(p.id(), p.pod(), p.homepage(), p.session(), null, null, runOn));
        }
        RunnerSettings d = c.runner();
        RunnerSettings r = new RunnerSettings(d.globalConcurrency(), d.dataDir(), d.eventLog(), d.eventLogFsync(),
                d.eventLogFsyncIntervalMs(), d.startJitterMs(), d.sqliteSynchronous(), d.fileMode(),
                d.eventLogMaxBytes(), d.eventLogKeep(), d.minFreeMemoryMb(), d.maxLoadPerCore(), "one", labels);
        return new RunnerConfig(c.source(), r, c.session(), c.recovery(), c.browser(), c.http(), c.alerts(), c.store(),
                List.of(new PodConfig("podA", 8, profiles)), c.secretValues(), c.breaker(), c.cluster());
    }

    private List<String> launched() {
        return launcher.launched.stream().map(p -> p.spec.env().get("SR_PROFILE_ID")).sorted().toList();
    }

    @Test
    void aRunnerWithoutTheLabelsStartsOnlyTheUnpinnedProfileAndSaysWhy() {
        Supervisor s = supervisor(config(List.of()));
        s.step();
        assertEquals(List.of("a"), launched());
        assertEquals(1, diagnostics.stream().filter(d -> d.contains("never run on this runner")).count(), diagnostics.toString());
        String said = diagnostics.stream().filter(d -> d.contains("never run on this runner")).findFirst().orElseThrow();
        assertTrue(said.contains("b (runOn adspower)") && said.contains("c (runOn eu,gpu)"), said);
    }

    @Test
    void aReloadThatUnpinsAProfileLetsItStartHere() throws Exception {
        Supervisor s = supervisor(config(List.of()));
        s.step();
        assertEquals(List.of("a"), launched());
        var reloaded = s.requestReload(config(List.of(), List.of()));
        s.step();
        reloaded.get(5, java.util.concurrent.TimeUnit.SECONDS);
        s.step();
        assertEquals(List.of("a", "c"), launched());
        assertTrue(diagnostics.stream().anyMatch(d -> d.startsWith("1 profile(s) never run on this runner")),
                "the shorter list is said again: " + diagnostics);
    }

    @Test
    void aRunnerWithOneOfTheLabelsStartsThePinnedProfile() {
        Supervisor s = supervisor(config(List.of("gpu")));
        s.step();
        assertEquals(List.of("a", "c"), launched());
    }
}
