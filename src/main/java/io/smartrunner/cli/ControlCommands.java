package io.smartrunner.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.smartrunner.SmartRunnerException;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.engine.ManualRequest;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.store.DataDirLock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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

    /**
     * One profile's request, or the same request for several (the ids given, or every profile of
     * {@code --pod} as the config file has them), each sent to whichever owns that profile's state
     * right now.
     */
    abstract static class ProfileCommand implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        // no converter: picocli reports a positional its converter refuses as "Unmatched argument"
        @Parameters(arity = "0..*", paramLabel = "PROFILE", description = "the profile's id; several ids: each of them")
        List<String> profileIds = new ArrayList<>();

        @Option(names = "--pod", paramLabel = "POD", converter = IdArgument.class,
                description = "every profile of this pod in the config file, instead of ids")
        String pod;

        abstract ManualRequest request(RunnerConfig cfg, String profileId);

        @Override
        public Integer call() {
            profileIds.forEach(id -> IdArgument.requireValid("PROFILE", id)); // before anything is read
            RunnerConfig cfg = config.loadToInspect();
            if (!profileIds.isEmpty()) {
                request(cfg, profileIds.get(0)); // the options first (a bad --for is wrong whatever the ids)
            }
            List<String> ids = targets(cfg); // an id the file does not have: exit 2, for one id too (reviewer R10)
            if (pod == null && ids.size() == 1) {
                return one(cfg, request(cfg, ids.get(0)));
            }
            List<ManualRequest> requests = ids.stream().map(id -> request(cfg, id)).toList();
            return several(cfg, requests);
        }

        private int one(RunnerConfig cfg, ManualRequest request) {
            try (DataDirLock lock = DataDirLock.tryAcquire(cfg.runner().dataDir(), cfg.runner().eventLog())) {
                if (lock != null) {
                    System.out.println(line(request, OfflineControl.apply(cfg, lock, request)));
                    return 0;
                }
            }
            System.out.println(throughRunner(new RunnerApiClient(cfg), request));
            return 0;
        }

        /**
         * Every profile is tried: a refusal (already paused, not paused…) is said on stderr and the
         * others go on; the exit is 1 if any was refused. A problem that is not one profile's (no
         * runner API, the store) ends the command; the lines already printed were applied.
         */
        private int several(RunnerConfig cfg, List<ManualRequest> requests) {
            int refused = 0;
            try (DataDirLock lock = DataDirLock.tryAcquire(cfg.runner().dataDir(), cfg.runner().eventLog())) {
                if (lock != null) {
                    int[] said = {0, 0, 0}; // answered, refused, queued: each line as it is done
                    try {
                        OfflineControl.applyAll(cfg, lock, requests, r -> {
                            said[0]++;
                            int notDone = say(r.outcome() == null ? null : line(r.request(), r.outcome()), r.refusal());
                            said[r.queued() ? 2 : 1] += notDone;
                        });
                    } catch (SmartRunnerException e) {
                        if (said[0] > 0) {
                            System.err.println("smart-runner: done for " + (said[0] - said[1] - said[2]) + " of "
                                    + requests.size()
                                    + " profile(s) before this failure (their lines above); run the command again for"
                                    + " the others");
                        }
                        throw e;
                    }
                    return summary(requests.size(), said[1], said[2]);
                }
            }
            RunnerApiClient api = new RunnerApiClient(cfg);
            if (pod != null && !(requests.get(0) instanceof ManualRequest.RunNow)) {
                return throughPodRoute(api, requests);
            }
            int queued = 0;
            for (ManualRequest request : requests) {
                try {
                    refused += say(throughRunner(api, request), null);
                } catch (ControlRefused e) {
                    int notDone = say(null, e.getMessage());
                    if (e.queued()) {
                        queued += notDone;
                    } else {
                        refused += notDone;
                    }
                }
            }
            return summary(requests.size(), refused, queued);
        }

        /**
         * A whole pod through the runner's pod route: one request, the runner hands every profile's
         * control to its loop at once (a thousand profiles took 2.7 s one request at a time, 0.2 s so).
         * The pod is the runner's as it has it; a profile of the file it does not have (no reload
         * since the file changed) is said refused, as one at a time.
         */
        private int throughPodRoute(RunnerApiClient api, List<ManualRequest> requests) {
            ManualRequest first = requests.get(0);
            JsonNode answer;
            try {
                answer = api.post("/api/pods/" + pod + "/profiles/" + apiAction(first), apiBody(first));
            } catch (SmartRunnerException e) {
                if (e.exitCode() == UsageError.EXIT && e.getMessage().equals("no pod " + pod)) { // its 404
                    throw new SmartRunnerException("the running runner has no pod " + pod + " (the file changed since it"
                            + " read it? 'smart-runner reload' tells it); nothing was done");
                }
                throw e;
            }
            // the hold first: a profile that was not paused is then no refusal, the pod was what was asked for
            boolean holdLifted = first instanceof ManualRequest.Unpause && liftHold(api);
            Set<String> answered = new HashSet<>();
            int refused = 0;
            for (JsonNode s : answer.path("done")) {
                String id = s.path("profileId").asText();
                answered.add(id);
                refused += say(describe(id, s.path("flags").path("paused").asBoolean(), s.path("pausedUntil").asText(),
                        s.path("errorStreak").asInt()) + " (" + told(api) + ")", null);
            }
            for (JsonNode r : answer.path("refused")) {
                String id = r.path("profileId").asText();
                answered.add(id);
                boolean notPaused = r.path("error").asText().equals(id + " is not paused");
                refused += holdLifted && notPaused ? say(id + ": not paused, nothing to do", null)
                        : say(null, r.path("error").asText());
            }
            int queued = 0;
            for (JsonNode q : answer.path("queued")) {
                String id = q.path("profileId").asText();
                answered.add(id);
                queued += say(null, queued(api, id, q.path("queued").asText()));
            }
            for (ManualRequest request : requests) {
                if (answered.add(request.profileId())) {
                    refused += say(null, request.profileId() + ": the running runner has no profile " + request.profileId()
                            + " in pod " + pod + " (the file changed since it read it? 'smart-runner reload' tells it)");
                }
            }
            return summary(answered.size(), refused, queued);
        }

        /**
         * {@code unpause --pod} also lets a pod held by an exit code mapped to {@code config} start
         * sessions again: there was no other way from the CLI, and the profiles' unpause alone left
         * it held without a word. Lifting it is what was asked for: its profiles that were not
         * paused are then no refusal (reviewer O: "held no longer", then exit 1 for "2 refused").
         */
        private boolean liftHold(RunnerApiClient api) {
            try {
                api.post("/api/pods/" + pod + "/unpause", Map.of());
                say("pod " + pod + ": held no longer, its sessions start again (" + told(api) + ")", null);
                return true;
            } catch (ControlRefused notHeld) {
                return false; // 409: the pod was not held, the usual case
            }
        }

        /** The profiles asked for: the ids given (each configured, else nothing is done) or the pod's. */
        private List<String> targets(RunnerConfig cfg) {
            if (pod != null && !profileIds.isEmpty()) {
                throw new SmartRunnerException("give profile ids or --pod, not both", null, UsageError.EXIT);
            }
            if (pod == null && profileIds.isEmpty()) {
                throw new SmartRunnerException("expected a profile id (or several), or --pod POD", null, UsageError.EXIT);
            }
            Map<String, String> podOf = new LinkedHashMap<>();
            cfg.profiles().forEach(p -> podOf.put(p.id(), p.pod()));
            if (pod != null) {
                List<String> ids = podOf.entrySet().stream().filter(e -> e.getValue().equals(pod)).map(Map.Entry::getKey).toList();
                if (ids.isEmpty()) {
                    throw new SmartRunnerException("--pod: no pod " + pod + " in " + cfg.source() + ", expected one of "
                            + new LinkedHashSet<>(podOf.values()), null, UsageError.EXIT);
                }
                return ids;
            }
            for (String id : profileIds) {
                if (!podOf.containsKey(id)) {
                    throw new SmartRunnerException("no profile " + id + " in " + cfg.source() + " (nothing was done)",
                            null, UsageError.EXIT);
                }
            }
            return List.copyOf(new LinkedHashSet<>(profileIds));
        }

        /** @return 1 for a refusal (said on stderr), 0 for a done one (its line on stdout) */
        private static int say(String done, String refusal) {
            if (refusal != null) {
                System.err.println("smart-runner: " + refusal);
                return 1;
            }
            System.out.println(done);
            return 0;
        }

        /**
         * The last line: how many were done, refused, and queued for their holders (exit 1 while any
         * is not in effect; a queued one will be, once its holder runs: R5 read "400 refused" for 400
         * controls each applied later).
         */
        private int summary(int asked, int refused, int queued) {
            String of = pod != null ? " of pod " + pod : "";
            System.err.println("smart-runner: done for " + (asked - refused - queued) + " of " + asked + " profile(s)" + of
                    + (refused > 0 ? "; " + refused + " refused (said above)" : "")
                    + (queued > 0 ? "; " + queued + " queued for the runner that holds each, applied when it (or the"
                            + " next holder) runs (said above)" : ""));
            return refused + queued > 0 ? 1 : 0;
        }

        /** The request through the runner's API: the line that says what it did. */
        private static String throughRunner(RunnerApiClient api, ManualRequest request) {
            String profileId = request.profileId();
            JsonNode s;
            try {
                s = api.post("/api/profiles/" + profileId + "/" + apiAction(request), apiBody(request));
            } catch (ControlRefused e) {
                if (e.exitCode() != UsageError.EXIT) {
                    throw e;
                }
                // the file has it (checked before): the runner does not, a refusal (exit 1), as for several ids
                throw new ControlRefused(profileId + ": the running runner has no profile " + profileId
                        + " (the file changed since it read it? 'smart-runner reload' tells it)");
            }
            if (s.has("queued")) {
                // 202 (cluster mode): relayed to the runner holding the profile, which has not applied it.
                // Exit 1, as offline: the change is not in effect yet, though it will be (a script must not assume it is)
                throw ControlRefused.queued(queued(api, profileId, s.get("queued").asText()));
            }
            return request instanceof ManualRequest.RunNow ? profileId + ": starts as soon as a slot is free (" + told(api) + ")"
                    : describe(profileId, s.path("flags").path("paused").asBoolean(), s.path("pausedUntil").asText(),
                    s.path("errorStreak").asInt()) + " (" + told(api) + ")";
        }

        private static String told(RunnerApiClient api) {
            return "told the running runner at " + api.address();
        }

        private static String queued(RunnerApiClient api, String profileId, String why) {
            return profileId + ": " + told(api) + ", which relayed it to the runner holding " + profileId
                    + "; not applied yet, it stays queued: " + why;
        }

        private static String line(ManualRequest request, OfflineControl.Outcome o) {
            String profileId = request.profileId();
            ProfileState s = o.state();
            return (request instanceof ManualRequest.RunNow ? profileId + ": starts as soon as a slot is free"
                    : s == null ? profileId + ": done" // relayed, and its row gone since (a reload removed it)
                    : describe(profileId, s.paused(), String.valueOf(s.pausedUntil()), s.errorStreak())) + " (" + o.how() + ")";
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

    @Command(name = "pause", description = "Pause a profile by hand (or several, or every profile of --pod): no session starts until it is unpaused or the time is up.")
    static final class Pause extends ProfileCommand {
        @Option(names = "--for", paramLabel = "DURATION",
                description = "how long: 90s, 30m, 2h, 1d or milliseconds (default: recovery.pauseDurationMs)")
        String duration;

        @Option(names = "--reason", paramLabel = "TEXT", defaultValue = "paused by hand", description = "why (in the event)")
        String reason;

        @Override
        ManualRequest request(RunnerConfig cfg, String profileId) {
            if (reason.length() > ManualRequest.Pause.MAX_REASON_CHARS) {
                // the same bound with or without a running runner (its API refused it, the store took it)
                throw new SmartRunnerException("--reason: " + reason.length() + " characters, expected at most "
                        + ManualRequest.Pause.MAX_REASON_CHARS, null, 2);
            }
            return new ManualRequest.Pause(profileId,
                    duration == null ? Duration.ofMillis(cfg.recovery().pauseDurationMs()) : parse(duration), reason, BY);
        }
    }

    @Command(name = "unpause", description = "End a profile's pause now (or several's, or those of --pod); its error streak starts again from 0.")
    static final class Unpause extends ProfileCommand {
        @Override
        ManualRequest request(RunnerConfig cfg, String profileId) {
            return new ManualRequest.Unpause(profileId, BY);
        }
    }

    @Command(name = "reset", description = "Set a profile's error streak back to 0 (or several's, or those of --pod); a pause stays.")
    static final class Reset extends ProfileCommand {
        @Override
        ManualRequest request(RunnerConfig cfg, String profileId) {
            return new ManualRequest.ResetStreak(profileId, BY);
        }
    }

    @Command(name = "run-now", description = "Start a session of a profile (or several, or those of --pod) as soon as a slot is free, skipping its cooldown (needs a running runner: this data dir's, or in cluster mode the one holding the profile).")
    static final class RunNow extends ProfileCommand {
        @Override
        ManualRequest request(RunnerConfig cfg, String profileId) {
            return new ManualRequest.RunNow(profileId, BY);
        }
    }

    @Command(name = "reload", description = "Make the running runner read its configuration file again (like SIGHUP).")
    static final class Reload implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Override
        public Integer call() {
            RunnerConfig cfg;
            try {
                cfg = config.load(); // a broken file is refused here, with its one-line error
            } catch (io.smartrunner.config.ConfigException refused) {
                // which runner (if any) the file would reach is not known from a broken file: what is known is
                // that nothing was sent, so whichever runs keeps its configuration (reviewers R19, R20)
                throw new io.smartrunner.config.ConfigException("reload refused, nothing was sent to a runner: "
                        + refused.getMessage());
            }
            try (DataDirLock lock = DataDirLock.tryAcquire(cfg.runner().dataDir(), cfg.runner().eventLog())) {
                if (lock != null) {
                    throw new SmartRunnerException(config.file + " is valid, but no runner is running ("
                            + cfg.runner().dataDir() + " is not locked); 'smart-runner run' will use it");
                }
            }
            // the runner refuses before reloading when it reads another file (a runner before session 49
            // ignores the parameter: the check after the answer below still says so)
            JsonNode s = new RunnerApiClient(cfg).post("/api/reload?file=" + java.net.URLEncoder.encode(
                    config.file.toAbsolutePath().normalize().toString(), java.nio.charset.StandardCharsets.UTF_8), Map.of());
            String changes = "added " + firstIds(s.path("added")) + ", removed " + firstIds(s.path("removed"))
                    + ", changed " + firstIds(s.path("changed"))
                    + (s.path("applied").isEmpty() ? "" : ", applied " + s.path("applied"));
            String read = s.path("config").isTextual() ? s.path("config").asText() : null;
            if (read != null && !io.smartrunner.FileIdentity.same(Path.of(read), config.file)) {
                throw new SmartRunnerException("the running runner reloaded its own config " + read + " (" + changes
                        + "), not " + config.file + "; to run " + config.file + " restart the runner with it");
            }
            System.out.println("reloaded " + (read != null ? read : config.file) + ": " + changes
                    + (s.path("restartNeeded").asBoolean() ? "; " + restartNeededFor(s)
                    + " take(s) effect after a restart" : ""));
            return 0;
        }

        /**
         * A list of profile ids as the answer gives it, cut after {@link #IDS_SHOWN} with the rest's
         * count: a reload of a large fleet printed every id on one line (reviewer R22: 980 of them;
         * the reload event names 50, the runner's stderr counts them).
         */
        static String firstIds(JsonNode ids) {
            if (!ids.isArray() || ids.size() <= IDS_SHOWN) {
                return ids.toString();
            }
            com.fasterxml.jackson.databind.node.ArrayNode first = com.fasterxml.jackson.databind.node.JsonNodeFactory
                    .instance.arrayNode();
            for (int i = 0; i < IDS_SHOWN; i++) {
                first.add(ids.get(i));
            }
            return first + " and " + (ids.size() - IDS_SHOWN) + " more";
        }

        static final int IDS_SHOWN = 20;

        /** The settings the runner named, or its blocks in general (a runner before session 35 names none). */
        private static String restartNeededFor(JsonNode s) {
            List<String> named = new ArrayList<>();
            s.path("restartNeededFor").forEach(n -> named.add(n.asText()));
            return named.isEmpty() ? "changes to the runner, recovery, browser, http, alerts or breaker blocks"
                    : String.join(", ", named);
        }
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)?");

    static Duration parse(String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new SmartRunnerException("--for: expected a duration such as 90s, 30m, 2h, 1d or milliseconds, got \""
                    + text + "\"", null, 2);
        }
        if (m.group(1).replaceFirst("^0+", "").length() > 12) {
            // a well-formed number too big for any unit's year: the range, not the format, is wrong
            throw new SmartRunnerException("--for: expected a duration from 1 ms to 365 days, got \"" + text + "\"", null, 2);
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
