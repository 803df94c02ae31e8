package io.smartrunner.engine;

import io.smartrunner.config.BrowserSettings;
import io.smartrunner.config.HttpSettings;
import io.smartrunner.config.PodConfig;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.RecoverySettings;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.config.RunnerSettings;
import io.smartrunner.config.SessionSettings;
import io.smartrunner.config.VerifyConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builds configurations in code for engine tests. */
public final class TestConfigs {
    private TestConfigs() {
    }

    public static SessionSettings session(List<String> command, long timeoutMs, long idleMs, long cooldownMs) {
        SessionSettings d = SessionSettings.defaults();
        return new SessionSettings(command, Map.of(), null, timeoutMs, idleMs, cooldownMs, 200,
                d.logMaxBytes(), d.logKeepFiles(), d.stderrTailBytes());
    }

    public static RecoverySettings recovery(int maxErrorStreak, long pauseMs) {
        return new RecoverySettings(5, 30_000, maxErrorStreak, pauseMs, 1.0, 7 * 86_400_000L, 60_000, 4, List.of(),
                new VerifyConfig.None());
    }

    public static RecoverySettings ladder(int maxErrorStreak, int maxSteps, long backoffMs, long stepTimeoutMs,
                                          int concurrency, List<String> stepNames, VerifyConfig verify) {
        List<io.smartrunner.config.StepConfig> steps = stepNames.stream()
                .map(n -> (io.smartrunner.config.StepConfig) new io.smartrunner.config.StepConfig.Command(n,
                        List.of("/bin/true")))
                .toList();
        return new RecoverySettings(maxSteps, backoffMs, maxErrorStreak, 86_400_000, 1.0, 7 * 86_400_000L,
                stepTimeoutMs, concurrency, steps, verify);
    }

    /** {@code "browser": {"provider": "none"}}: engine tests run sessions without browsers. */
    public static BrowserSettings noBrowser() {
        BrowserSettings d = BrowserSettings.defaults();
        return new BrowserSettings(BrowserSettings.Provider.NONE, d.chromium(), d.adspower(), d.closeOnPause(),
                d.closeOnExit(), d.startTimeoutMs());
    }

    /** Pods named in {@code podsToProfiles}, each profile with the same session settings, no browser provider. */
    public static RunnerConfig config(int global, int podLimit, SessionSettings session, RecoverySettings recovery,
                               Map<String, List<String>> podsToProfiles, Path dataDir) {
        List<PodConfig> pods = new ArrayList<>();
        new LinkedHashMap<>(podsToProfiles).forEach((pod, ids) -> pods.add(new PodConfig(pod, podLimit,
                ids.stream().map(id -> new ProfileConfig(id, pod, "http://127.0.0.1/home", session, null, null))
                        .toList())));
        RunnerSettings r = new RunnerSettings(global, dataDir, dataDir.resolve("events.jsonl"),
                RunnerSettings.FsyncPolicy.NEVER, 1000, 0, RunnerSettings.SqliteSynchronous.NORMAL);
        return new RunnerConfig(Path.of("test.json"), r, session, recovery, noBrowser(),
                HttpSettings.defaults(), pods, Set.of());
    }
}
