package io.smartrunner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.BrowserSettings.Provider;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Defaults, the spec's example and the sample file. */
class ConfigDefaultsTest extends ConfigTestSupport {

    @Test
    void loadsSpecExampleAsIs() {
        RunnerConfig config = load("{\"recovery\":{\"maxRecoverySteps\":5,\"retryBackoffMs\":30000,\"maxErrorStreak\":3}}");

        assertEquals(5, config.recovery().maxRecoverySteps());
        assertEquals(30_000, config.recovery().retryBackoffMs());
        assertEquals(3, config.recovery().maxErrorStreak());
        assertEquals(RecoverySettings.DEFAULT_PAUSE_DURATION_MS, config.recovery().pauseDurationMs());
        assertEquals(List.of(), config.pods());
        assertEquals(file(), config.source());
    }

    @Test
    void emptyObjectGivesEveryDefault() {
        RunnerConfig config = load("{}");

        assertEquals(RunnerSettings.defaults(), config.runner());
        assertEquals(SessionSettings.defaults(), config.session());
        assertEquals(BrowserSettings.defaults(), config.browser());
        assertEquals(Provider.CHROMIUM, config.browser().provider());
        assertEquals(HttpSettings.defaults(), config.http());
        assertEquals(new RecoverySettings(RecoverySettings.DEFAULT_MAX_RECOVERY_STEPS,
                RecoverySettings.DEFAULT_RETRY_BACKOFF_MS, RecoverySettings.DEFAULT_MAX_ERROR_STREAK,
                RecoverySettings.DEFAULT_PAUSE_DURATION_MS, RecoverySettings.DEFAULT_PAUSE_BACKOFF_MULTIPLIER,
                RecoverySettings.DEFAULT_MAX_PAUSE_DURATION_MS, RecoverySettings.DEFAULT_STEP_TIMEOUT_MS,
                RecoverySettings.DEFAULT_CONCURRENCY,
                RecoverySettings.BROWSER_STEPS.stream().map(n -> (StepConfig) new StepConfig.Builtin(n)).toList(),
                new VerifyConfig.Browser(), RecoverySettings.DEFAULT_PAUSE_JITTER), config.recovery());
        assertEquals(List.of(), config.pods());
        assertEquals(Set.of(), config.secretValues());
    }

    /** Until session 52 a null meant the default; the schema allows none, and now it is refused (ConfigNullTest). */
    @Test
    void nullIsNoDefault() {
        assertEquals("$.session: null, expected a value (leave the key out for its default)",
                rejects("{'http': {'token': null, 'port': null}, 'session': null, 'pods': null}"));
    }

    @Test
    void keepsPathsAsGiven() {
        RunnerConfig config = load("{'runner': {'dataDir': 'var/data', 'eventLog': '/var/log/sr/events.jsonl'},"
                + " 'session': {'workingDir': 'work'}}");

        assertEquals(Path.of("var/data"), config.runner().dataDir());
        assertEquals(Path.of("/var/log/sr/events.jsonl"), config.runner().eventLog());
        assertEquals(Path.of("work"), config.session().workingDir());
    }

    @Test
    void loadsSampleConfig() throws URISyntaxException {
        Path sample = Path.of(getClass().getResource("/smart-runner-sample.json").toURI());

        RunnerConfig config = ConfigLoader.load(sample, Map.of("SR_TOKEN", "t0ken-for-the-sample"));

        assertEquals(Provider.CHROMIUM, config.browser().provider());
        assertEquals(List.of("--mute-audio"), config.browser().chromium().extraArgs());
        assertEquals("!!document.title", config.profile("k12im9s3").orElseThrow().verifyExpression());
        assertEquals("t0ken-for-the-sample", config.http().token());
        assertEquals(Set.of("t0ken-for-the-sample"), config.secretValues());
        assertEquals(7, config.recovery().steps().size());
        assertEquals(new VerifyConfig.Browser(), config.recovery().verify());
        assertEquals(List.of("k12im9s2", "k12im9s3", "z9"), config.profiles().stream().map(ProfileConfig::id).toList());
        assertEquals(4, config.pod("podA").orElseThrow().concurrency());
        assertEquals(8, config.pod("podB").orElseThrow().concurrency());
        assertEquals(120_000, config.profile("k12im9s3").orElseThrow().session().idleTimeoutMs());
        assertEquals(Map.of("DEMO_MODE", "flaky"), config.profile("k12im9s3").orElseThrow().session().env());
        assertEquals(List.of("bin/smart-runner", "demo-session", "--profile", "{profileId}"),
                config.profile("z9").orElseThrow().session().command());
    }

    @Test
    void shippedDefaultConfigIsTheBrowserDemoFleet() {
        RunnerConfig config = ConfigLoader.load(Path.of("config", "smart-runner.json"), Map.of());

        assertEquals(Provider.CHROMIUM, config.browser().provider());
        assertEquals(RecoverySettings.BROWSER_STEPS, config.recovery().steps().stream().map(StepConfig::name).toList());
        assertEquals(List.of("podA", "podB"), config.pods().stream().map(PodConfig::name).toList());
        assertTrue(config.profiles().size() <= 5, "at most five Chromiums");
        assertTrue(config.profiles().stream().allMatch(p -> p.homepage().startsWith("http://127.0.0.1:7070/demo/")));
        assertEquals(List.of("bin/smart-runner", "demo-session", "--fail", "broken"),
                config.profile("demo-b2-broken").orElseThrow().session().command());
    }

    @Test
    void shippedNoBrowserConfigRunsWithoutChromium() {
        RunnerConfig config = ConfigLoader.load(Path.of("config", "no-browser.json"), Map.of());

        assertEquals(Provider.NONE, config.browser().provider());
        assertEquals(List.of(), config.recovery().steps());
        assertEquals(Map.of("DEMO_FAILURE_RATE", "1.0"), config.profile("demo-b2-broken").orElseThrow().session().env());
    }
}
