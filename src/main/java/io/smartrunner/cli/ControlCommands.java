package io.smartrunner.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.smartrunner.SmartRunnerException;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.engine.ManualRequest;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.store.DataDirLock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code pause}, {@code unpause}, {@code reset}, {@code run-now}, {@code reload}: through the running
 * runner's API when a runner holds the data dir, else straight on the state store, or in cluster
 * mode through the runner elsewhere that holds the profile (see {@link OfflineControl}). Recorded
 * with {@code by: cli}.
 */
final class ControlCommands {
    private static final String BY = "cli";

    private ControlCommands() {
    }

    /** One profile's request, sent to whichever owns the state right now. */
    abstract static class ProfileCommand implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Parameters(index = "0", paramLabel = "PROFILE", converter = IdArgument.class, description = "the profile's id")
        String profileId;

        abstract ManualRequest request(RunnerConfig cfg);

        @Override
        public Integer call() {
            RunnerConfig cfg = config.loadToInspect();
            ManualRequest request = request(cfg);
            try (DataDirLock lock = DataDirLock.tryAcquire(cfg.runner().dataDir())) {
                if (lock != null) {
                    OfflineControl.Outcome o = OfflineControl.apply(cfg, lock, request);
                    ProfileState s = o.state();
                    System.out.println((request instanceof ManualRequest.RunNow ? profileId + ": starts as soon as a slot is free"
                            : s == null ? profileId + ": done" // relayed, and its row gone since (a reload removed it)
                            : describe(profileId, s.paused(), String.valueOf(s.pausedUntil()), s.errorStreak())) + " (" + o.how() + ")");
                    return 0;
                }
            }
            JsonNode s = new RunnerApiClient(cfg).post("/api/profiles/" + profileId + "/" + apiAction(request),
                    apiBody(request));
            if (s.has("queued")) {
                // 202 (cluster mode): relayed to the runner holding the profile, which has not applied it.
                // Exit 1, as offline: the change is not in effect yet, though it will be (a script must not assume it is)
                throw new SmartRunnerException(profileId + ": told the running runner, which relayed it to the runner holding "
                        + profileId + "; not applied yet, it stays " + s.get("queued").asText());
            }
            System.out.println((request instanceof ManualRequest.RunNow ? profileId + ": starts as soon as a slot is free"
                    : describe(profileId, s.path("flags").path("paused").asBoolean(), s.path("pausedUntil").asText(),
                    s.path("errorStreak").asInt())) + " (told the running runner)");
            return 0;
        }

        private static String describe(String profileId, boolean paused, String pausedUntil, int errorStreak) {
            return profileId + ": " + (paused ? "paused until " + pausedUntil : "not paused") + ", error streak " + errorStreak;
        }

        /** The API route's last segment for the request (see ApiHandler). */
        private static String apiAction(ManualRequest request) {
            return request instanceof ManualRequest.Pause ? "pause" : request instanceof ManualRequest.Unpause ? "unpause"
                    : request instanceof ManualRequest.ResetStreak ? "reset" : "run";
        }

        private static Map<String, Object> apiBody(ManualRequest request) {
            return request instanceof ManualRequest.Pause p
                    ? Map.of("durationMs", p.duration().toMillis(), "reason", p.reason()) : Map.of();
        }
    }

    @Command(name = "pause", description = "Pause a profile by hand: no session starts until it is unpaused or the time is up.")
    static final class Pause extends ProfileCommand {
        @Option(names = "--for", paramLabel = "DURATION",
                description = "how long: 90s, 30m, 2h, 1d or milliseconds (default: recovery.pauseDurationMs)")
        String duration;

        @Option(names = "--reason", paramLabel = "TEXT", defaultValue = "paused by hand", description = "why (in the event)")
        String reason;

        @Override
        ManualRequest request(RunnerConfig cfg) {
            return new ManualRequest.Pause(profileId,
                    duration == null ? Duration.ofMillis(cfg.recovery().pauseDurationMs()) : parse(duration), reason, BY);
        }
    }

    @Command(name = "unpause", description = "End a profile's pause now (its error streak starts again from 0).")
    static final class Unpause extends ProfileCommand {
        @Override
        ManualRequest request(RunnerConfig cfg) {
            return new ManualRequest.Unpause(profileId, BY);
        }
    }

    @Command(name = "reset", description = "Set a profile's error streak back to 0 (a pause stays).")
    static final class Reset extends ProfileCommand {
        @Override
        ManualRequest request(RunnerConfig cfg) {
            return new ManualRequest.ResetStreak(profileId, BY);
        }
    }

    @Command(name = "run-now", description = "Start a session of a profile as soon as a slot is free, skipping its cooldown (needs a running runner: this data dir's, or in cluster mode the one holding the profile).")
    static final class RunNow extends ProfileCommand {
        @Override
        ManualRequest request(RunnerConfig cfg) {
            return new ManualRequest.RunNow(profileId, BY);
        }
    }

    @Command(name = "reload", description = "Make the running runner read its configuration file again (like SIGHUP).")
    static final class Reload implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Override
        public Integer call() {
            RunnerConfig cfg = config.load(); // a broken file is refused here, with its one-line error
            try (DataDirLock lock = DataDirLock.tryAcquire(cfg.runner().dataDir())) {
                if (lock != null) {
                    throw new SmartRunnerException(config.file + " is valid, but no runner is running ("
                            + cfg.runner().dataDir() + " is not locked); 'smart-runner run' will use it");
                }
            }
            JsonNode s = new RunnerApiClient(cfg).post("/api/reload", Map.of());
            System.out.println("reloaded " + config.file + ": added " + s.path("added") + ", removed " + s.path("removed")
                    + ", changed " + s.path("changed") + (s.path("restartNeeded").asBoolean()
                    ? "; changes to the runner, recovery, browser, http or alerts blocks take effect after a restart" : ""));
            return 0;
        }
    }

    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)?");

    static Duration parse(String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new SmartRunnerException("--for: expected a duration such as 90s, 30m, 2h, 1d or milliseconds, got \""
                    + text + "\"", null, 2);
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2) == null ? "ms" : m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofMillis(n);
        };
        if (d.isZero() || d.compareTo(Duration.ofDays(365)) > 0) {
            throw new SmartRunnerException("--for: expected a duration from 1 ms to 365 days, got \"" + text + "\"", null, 2);
        }
        return d;
    }
}
