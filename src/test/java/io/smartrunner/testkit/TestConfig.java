package io.smartrunner.testkit;

import io.smartrunner.config.BrowserSettings;
import io.smartrunner.config.HttpSettings;
import io.smartrunner.config.PodConfig;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.RecoverySettings;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.config.RunnerSettings;
import io.smartrunner.config.SessionSettings;
import io.smartrunner.config.StepConfig;
import io.smartrunner.config.VerifyConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Configurations built in code, by name: a test sets only what it is about and reads like its
 * specification, e.g. {@code TestConfig.builder().maxErrorStreak(3).retryBackoffMs(5).steps("a", "b")
 * .pod("podA", "p1").build()}. Defaults (what a test does not set): concurrency 8 globally and per
 * pod, session command {@code w} with a 600 s timeout, no idle timeout and no cooldown; streak 3
 * pauses for 24 h; 5 recovery steps at most, 30 s apart, 60 s each, 4 at once, no steps, no verify;
 * no browser provider; data dir {@code d}.
 */
public final class TestConfig {
    private TestConfig() {
    }

    public static Builder builder() {
        return new Builder();
    }

    /** One configuration; {@link #build()}, or just its {@link #sessionSettings()} or {@link #recoverySettings()}. */
    public static final class Builder {
        private int globalLimit = 8;
        private int podLimit = 8;
        private Path dataDir = Path.of("d");
        private long startJitterMs;
        private final Map<String, List<String>> pods = new LinkedHashMap<>();

        private List<String> command = List.of("w");
        private long timeoutMs = 600_000;
        private long idleTimeoutMs;
        private long cooldownMs;
        private SessionSettings session;

        private int maxErrorStreak = 3;
        private long pauseDurationMs = 86_400_000;
        private int maxRecoverySteps = 5;
        private long retryBackoffMs = 30_000;
        private long stepTimeoutMs = 60_000;
        private int recoveryConcurrency = 4;
        private List<String> steps = List.of();
        private VerifyConfig verify = new VerifyConfig.None();
        private RecoverySettings recovery;

        private Builder() {
        }

        /** {@code runner.concurrency}: sessions at once across all pods. */
        public Builder globalLimit(int sessions) {
            this.globalLimit = sessions;
            return this;
        }

        /** Every pod's {@code concurrency}. */
        public Builder podLimit(int sessions) {
            this.podLimit = sessions;
            return this;
        }

        /** {@code runner.startJitterMs} [0 here: sessions start at the first step]. */
        public Builder startJitterMs(long ms) {
            this.startJitterMs = ms;
            return this;
        }

        /** {@code runner.dataDir}; the event log is {@code events.jsonl} in it. */
        public Builder dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        /** A pod and its profiles (each with this builder's session settings); call once per pod. */
        public Builder pod(String name, String... profileIds) {
            return pod(name, List.of(profileIds));
        }

        public Builder pod(String name, List<String> profileIds) {
            pods.put(name, List.copyOf(profileIds));
            return this;
        }

        /** Several pods at once, in the map's order. */
        public Builder pods(Map<String, List<String>> podsToProfiles) {
            podsToProfiles.forEach(this::pod);
            return this;
        }

        /** {@code session.command}. */
        public Builder command(String... argv) {
            return command(List.of(argv));
        }

        public Builder command(List<String> argv) {
            this.command = List.copyOf(argv);
            return this;
        }

        /** {@code session.timeoutMs}. */
        public Builder timeoutMs(long ms) {
            this.timeoutMs = ms;
            return this;
        }

        /** {@code session.idleTimeoutMs} (0: none). */
        public Builder idleTimeoutMs(long ms) {
            this.idleTimeoutMs = ms;
            return this;
        }

        /** {@code session.cooldownMs}. */
        public Builder cooldownMs(long ms) {
            this.cooldownMs = ms;
            return this;
        }

        /** Session settings made elsewhere; the session setters above are then ignored. */
        public Builder session(SessionSettings settings) {
            this.session = settings;
            return this;
        }

        /** {@code recovery.maxErrorStreak}. */
        public Builder maxErrorStreak(int failures) {
            this.maxErrorStreak = failures;
            return this;
        }

        /** {@code recovery.pauseDurationMs}. */
        public Builder pauseDurationMs(long ms) {
            this.pauseDurationMs = ms;
            return this;
        }

        /** {@code recovery.maxRecoverySteps}. */
        public Builder maxRecoverySteps(int steps) {
            this.maxRecoverySteps = steps;
            return this;
        }

        /** {@code recovery.retryBackoffMs}. */
        public Builder retryBackoffMs(long ms) {
            this.retryBackoffMs = ms;
            return this;
        }

        /** {@code recovery.stepTimeoutMs}. */
        public Builder stepTimeoutMs(long ms) {
            this.stepTimeoutMs = ms;
            return this;
        }

        /** {@code recovery.concurrency}: ladders at once. */
        public Builder recoveryConcurrency(int ladders) {
            this.recoveryConcurrency = ladders;
            return this;
        }

        /** {@code recovery.steps}: command steps of these names, each running {@code /bin/true}. */
        public Builder steps(String... names) {
            return steps(List.of(names));
        }

        public Builder steps(List<String> names) {
            this.steps = List.copyOf(names);
            return this;
        }

        /** {@code recovery.verify}. */
        public Builder verify(VerifyConfig check) {
            this.verify = check;
            return this;
        }

        /** Recovery settings made elsewhere; the recovery setters above are then ignored. */
        public Builder recovery(RecoverySettings settings) {
            this.recovery = settings;
            return this;
        }

        public SessionSettings sessionSettings() {
            if (session != null) {
                return session;
            }
            SessionSettings d = SessionSettings.defaults();
            return new SessionSettings(command, Map.of(), null, timeoutMs, idleTimeoutMs, cooldownMs, 200,
                    d.logMaxBytes(), d.logKeepFiles(), d.stderrTailBytes());
        }

        public RecoverySettings recoverySettings() {
            if (recovery != null) {
                return recovery;
            }
            List<StepConfig> stepConfigs = steps.stream()
                    .map(n -> (StepConfig) new StepConfig.Command(n, List.of("/bin/true")))
                    .toList();
            return new RecoverySettings(maxRecoverySteps, retryBackoffMs, maxErrorStreak, pauseDurationMs, 1.0,
                    7 * 86_400_000L, stepTimeoutMs, recoveryConcurrency, stepConfigs, verify);
        }

        public RunnerConfig build() {
            SessionSettings s = sessionSettings();
            List<PodConfig> podConfigs = new ArrayList<>();
            pods.forEach((pod, ids) -> podConfigs.add(new PodConfig(pod, podLimit,
                    ids.stream().map(id -> new ProfileConfig(id, pod, "http://127.0.0.1/home", s, null, null))
                            .toList())));
            RunnerSettings r = new RunnerSettings(globalLimit, dataDir, dataDir.resolve("events.jsonl"),
                    RunnerSettings.FsyncPolicy.NEVER, 1000, startJitterMs, RunnerSettings.SqliteSynchronous.NORMAL);
            return new RunnerConfig(Path.of("test.json"), r, s, recoverySettings(), noBrowser(),
                    HttpSettings.defaults(), podConfigs, Set.of());
        }
    }

    /** {@code "browser": {"provider": "none"}}: engine tests run sessions without browsers. */
    public static BrowserSettings noBrowser() {
        BrowserSettings d = BrowserSettings.defaults();
        return new BrowserSettings(BrowserSettings.Provider.NONE, d.chromium(), d.adspower(), d.closeOnPause(),
                d.closeOnExit(), d.startTimeoutMs());
    }
}
