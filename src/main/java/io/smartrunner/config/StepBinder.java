package io.smartrunner.config;

import io.smartrunner.config.BrowserSettings.Provider;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Binds {@code recovery.steps} and {@code recovery.verify}. */
final class StepBinder {
    static final List<String> STEP_KEYS = List.of("name", "command", "http");
    static final List<String> HTTP_KEYS = List.of("method", "url", "expect", "timeoutMs");
    static final List<String> VERIFY_KEYS = List.of("command");
    static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD");
    static final String NAME_PATTERN = "[A-Za-z0-9._-]{1,64}";
    private static final String STEP_EXPECTED = "a built-in step name (" + String.join(", ",
            RecoverySettings.BROWSER_STEPS) + ") or an object {\"name\", \"command\"} or {\"name\", \"http\"}";

    private StepBinder() {
    }

    static List<StepConfig> steps(JsonCursor value, Provider provider) {
        if (!value.isPresent()) {
            return provider == Provider.NONE ? List.of()
                    : RecoverySettings.BROWSER_STEPS.stream().<StepConfig>map(StepConfig.Builtin::new).toList();
        }
        List<StepConfig> steps = new ArrayList<>();
        Map<String, String> seen = new HashMap<>();
        for (JsonCursor entry : value.elements("an array of steps, cheapest first")) {
            if (!entry.isText() && !entry.isObject()) {
                throw entry.typeError(STEP_EXPECTED);
            }
            StepConfig step = entry.isText() ? builtin(entry, provider) : generic(entry);
            String earlier = seen.putIfAbsent(step.name(), entry.path());
            if (earlier != null) {
                throw entry.fail("duplicate step name " + JsonCursor.quote(step.name()) + " (also at " + earlier
                        + ")", "unique step names");
            }
            steps.add(step);
        }
        return steps;
    }

    static VerifyConfig verify(JsonCursor value, Provider provider) {
        if (!value.isPresent()) {
            return provider == Provider.NONE ? new VerifyConfig.None() : new VerifyConfig.Browser();
        }
        String expected = "\"none\", \"browser\" or {\"command\": [...]}";
        if (value.isObject()) {
            JsonCursor command = value.object(VERIFY_KEYS).get("command");
            if (!command.isPresent()) {
                throw command.fail("missing", "an argv array, e.g. [\"./check.sh\", \"{profileId}\"]");
            }
            return new VerifyConfig.Command(Argv.read(command, null));
        }
        if (!value.isText()) {
            throw value.typeError(expected);
        }
        String kind = value.text(null).toLowerCase(Locale.ROOT);
        if (kind.equals("none")) {
            return new VerifyConfig.None();
        }
        if (!kind.equals("browser")) {
            throw value.fail(value.shown() + " is not a known check", expected);
        }
        requireBrowser(value, provider, "\"browser\" verification");
        return new VerifyConfig.Browser();
    }

    private static StepConfig builtin(JsonCursor entry, Provider provider) {
        String name = entry.text(null);
        if (!RecoverySettings.BROWSER_STEPS.contains(name)) {
            throw entry.fail("unknown step " + entry.shown() + NearMiss.suggest(name, RecoverySettings.BROWSER_STEPS)
                    .map(near -> " (did you mean " + JsonCursor.quote(near) + "?)").orElse(""), STEP_EXPECTED);
        }
        requireBrowser(entry, provider, JsonCursor.quote(name));
        return new StepConfig.Builtin(name);
    }

    private static void requireBrowser(JsonCursor at, Provider provider, String what) {
        if (provider == Provider.NONE) {
            throw at.fail(what + " needs a browser provider, but browser.provider is \"none\"",
                    "browser.provider \"chromium\" or \"adspower\", or a command/http step");
        }
    }

    private static StepConfig generic(JsonCursor entry) {
        entry.object(STEP_KEYS);
        String name = name(entry.get("name"));
        JsonCursor command = entry.get("command");
        JsonCursor http = entry.get("http");
        if (command.isPresent() == http.isPresent()) {
            throw entry.fail((command.isPresent() ? "both \"command\" and \"http\" given"
                    : "no \"command\" or \"http\" given"), "exactly one of them");
        }
        return command.isPresent() ? new StepConfig.Command(name, Argv.read(command, null)) : http(name, http);
    }

    private static String name(JsonCursor value) {
        String name = value.requiredText("a step name matching " + NAME_PATTERN);
        if (!name.matches(NAME_PATTERN)) {
            throw value.fail(value.shown() + " is not a valid step name", "a name matching " + NAME_PATTERN);
        }
        return name;
    }

    private static StepConfig http(String name, JsonCursor block) {
        block.object(HTTP_KEYS);
        JsonCursor methodValue = block.get("method");
        String method = methodValue.text("GET").toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            throw methodValue.fail(methodValue.shown() + " is not a supported method", JsonCursor.oneOf(METHODS));
        }
        JsonCursor urlValue = block.get("url");
        String url = urlValue.requiredText("an http(s) URL");
        // {profileId}-style placeholders are substituted per session; check the URL around them
        if (!urlValue.keptUnset(url)) {
            requireHttpUrl(urlValue, url.replaceAll("\\{[A-Za-z]+}", "x"));
        }
        return new StepConfig.Http(name, method, url,
                block.get("expect").integer(200, 100, 599, Quantity.COUNT),
                block.get("timeoutMs").integer(0L, 0, RecoveryBinder.MAX_STEP_TIMEOUT_MS, Quantity.MILLIS));
    }

    /** Fails unless {@code url} is an absolute http or https URL with a host. */
    static void requireHttpUrl(JsonCursor at, String url) {
        requireHttpUrl(at, url, "e.g. \"http://127.0.0.1:7070/demo/\"");
    }

    /** @param expected an example of a good URL, for the message */
    static void requireHttpUrl(JsonCursor at, String url, String expected) {
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                return;
            }
        } catch (URISyntaxException e) {
            // reported below like any other unusable URL
        }
        throw at.fail(at.shown() + " is not an absolute http(s) URL", expected);
    }
}
