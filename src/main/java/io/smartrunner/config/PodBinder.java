package io.smartrunner.config;

import io.smartrunner.config.BrowserSettings.Provider;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Binds {@code pods}: names, ids and AdsPower user ids unique, session overrides merged top level →
 * pod → profile.
 */
final class PodBinder {
    static final List<String> POD_KEYS = List.of("name", "concurrency", "session", "profiles", "breaker", "runOn");
    static final List<String> PROFILE_KEYS = List.of("id", "homepage", "session", "verifyExpression",
            "adspowerUserId", "runOn");
    static final String ADSPOWER_USER_ID_PATTERN = "[A-Za-z0-9_-]{1,64}";
    static final int MAX_CONCURRENCY = 10_000;

    private final Map<String, String> podPaths = new HashMap<>();
    private final Map<String, String> profilePaths = new HashMap<>();
    private final Map<String, String> adspowerUserIdPaths = new HashMap<>();
    private final Provider provider;
    private final CommandCheck commands;

    private final BreakerSettings breaker;

    private PodBinder(Provider provider, CommandCheck commands, BreakerSettings breaker) {
        this.provider = provider;
        this.commands = commands;
        this.breaker = breaker;
    }

    /**
     * @param globalConcurrency the default pod concurrency
     * @param session           the effective top-level session settings
     * @param provider          {@code browser.provider}: with {@code adspower} every profile gets an
     *                          AdsPower user id
     * @param commands          checks each profile's programs at load
     * @param topCommand        {@code $.session.command}, where a profile's command comes from unless overridden
     */
    static List<PodConfig> bind(JsonCursor pods, int globalConcurrency, SessionSettings session,
                                Provider provider, CommandCheck commands, JsonCursor topCommand) {
        return bind(pods, globalConcurrency, session, provider, commands, topCommand, BreakerSettings.defaults());
    }

    /** @param breaker the top-level breaker, which a pod's {@code breaker} block overrides field by field */
    static List<PodConfig> bind(JsonCursor pods, int globalConcurrency, SessionSettings session,
                                Provider provider, CommandCheck commands, JsonCursor topCommand,
                                BreakerSettings breaker) {
        PodBinder binder = new PodBinder(provider, commands, breaker);
        List<PodConfig> bound = new ArrayList<>();
        for (JsonCursor pod : pods.elements("an array of pods")) {
            bound.add(binder.pod(pod, globalConcurrency, session, topCommand));
        }
        return bound;
    }

    private PodConfig pod(JsonCursor pod, int globalConcurrency, SessionSettings topSession, JsonCursor topCommand) {
        if (!pod.isObject()) {
            throw pod.typeError("a pod object {\"name\", \"profiles\"}");
        }
        pod.object(POD_KEYS);
        String name = uniqueName(pod.get("name"), "pod name", podPaths);
        int concurrency = pod.get("concurrency").integer(globalConcurrency, 1, MAX_CONCURRENCY, Quantity.COUNT);
        SessionSettings session = SessionBinder.bind(pod.get("session"), topSession);
        List<String> podRunOn = RunnerNames.runOn(pod.get("runOn"), List.of());
        List<ProfileConfig> profiles = new ArrayList<>();
        for (JsonCursor profile : pod.get("profiles").elements("an array of profiles")) {
            profiles.add(profile(profile, name, session, CommandCheck.origin(pod.get("session"), topCommand),
                    podRunOn));
        }
        JsonCursor podBreaker = pod.get("breaker");
        return new PodConfig(name, concurrency, profiles,
                podBreaker.isPresent() ? BreakerBinder.bind(podBreaker, breaker) : null);
    }

    private ProfileConfig profile(JsonCursor profile, String pod, SessionSettings podSession, JsonCursor podCommand,
                                  List<String> podRunOn) {
        if (!profile.isObject()) {
            throw profile.typeError("a profile object {\"id\", \"homepage\"}");
        }
        profile.object(PROFILE_KEYS);
        String id = uniqueName(profile.get("id"), "profile id", profilePaths);
        JsonCursor homepageValue = profile.get("homepage");
        String homepage = homepageValue.text(null);
        if (homepage != null) {
            StepBinder.requireHttpUrl(homepageValue, homepage);
        }
        SessionSettings session = SessionBinder.bind(profile.get("session"), podSession);
        commands.profile(id, session, CommandCheck.origin(profile.get("session"), podCommand));
        return new ProfileConfig(id, pod, homepage, session, verifyExpression(profile.get("verifyExpression")),
                adspowerUserId(profile, id), RunnerNames.runOn(profile.get("runOn"), podRunOn));
    }

    private static String verifyExpression(JsonCursor value) {
        String expression = value.text(null);
        if (expression != null && expression.isBlank()) {
            throw value.fail(value.shown() + " is empty",
                    "a JavaScript expression, truthy when the page is healthy, e.g. \"!!document.title\"");
        }
        return expression;
    }

    /** The one given, else the profile id when the provider is AdsPower, else null; unique. */
    private String adspowerUserId(JsonCursor profile, String id) {
        JsonCursor value = profile.get("adspowerUserId");
        String userId = value.text(null);
        if (userId != null && !userId.matches(ADSPOWER_USER_ID_PATTERN)) {
            throw value.fail(value.shown() + " is not a valid AdsPower user_id",
                    "an AdsPower user_id matching " + ADSPOWER_USER_ID_PATTERN);
        }
        if (userId == null && provider == Provider.ADSPOWER) {
            value = profile.get("id");
            if (!id.matches(ADSPOWER_USER_ID_PATTERN)) {
                throw value.fail(value.shown() + " is not a valid AdsPower user_id and no adspowerUserId is given",
                        "an \"adspowerUserId\" matching " + ADSPOWER_USER_ID_PATTERN);
            }
            userId = id;
        }
        String earlier = userId == null ? null : adspowerUserIdPaths.putIfAbsent(userId, value.path());
        if (earlier != null) {
            throw value.fail("duplicate AdsPower user_id " + JsonCursor.quote(userId) + " (also at " + earlier + ")",
                    "each AdsPower user_id once");
        }
        return userId;
    }

    private static String uniqueName(JsonCursor value, String what, Map<String, String> seen) {
        String expected = ProfileId.expected(what);
        String written = value.written();
        if (written != null && written.contains("${env:")) {
            // a ${env:...} value is a secret, masked wherever it appears; a name keys every event, page
            // and metric, so it cannot be (reviewer R16: a pod named so was shown in clear everywhere)
            throw value.fail("a " + what + " may not come from an environment variable (" + written + "): it is shown"
                    + " in every event, page and metric, while values from ${env:...} are secrets, masked", expected
                    + ", written in the file");
        }
        String name = value.requiredText(expected);
        if (!ProfileId.isValid(name)) {
            throw value.fail(value.shown() + " is not a valid " + what, expected);
        }
        String earlier = seen.putIfAbsent(name, value.path());
        if (earlier != null) {
            throw value.fail("duplicate " + what + " " + JsonCursor.quote(name) + " (also at " + earlier + ")",
                    "each " + what + " once");
        }
        return name;
    }
}
