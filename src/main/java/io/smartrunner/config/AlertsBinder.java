package io.smartrunner.config;

import io.smartrunner.config.AlertSettings.FailureRate;
import io.smartrunner.config.AlertSettings.Trigger;
import io.smartrunner.config.AlertSettings.Webhook;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Binds the {@code alerts} block. A webhook URL and its header values are secrets: they join the
 * redacted values even when written literally, and messages show at most the URL's scheme and host.
 */
final class AlertsBinder {
    static final List<String> KEYS = List.of("webhooks", "on", "failureRate", "queueSize", "retries",
            "retryBackoffMs", "timeoutMs");
    static final List<String> WEBHOOK_KEYS = List.of("url", "headers");
    static final List<String> FAILURE_RATE_KEYS = List.of("thresholdPercent", "windowMs", "minSessions", "cooldownMs");
    static final List<String> TRIGGERS = Arrays.stream(Trigger.values()).map(Trigger::wireName).toList();
    /** Set by the sender itself. */
    static final List<String> RESERVED_HEADERS = List.of("content-type");
    static final int MAX_QUEUE_SIZE = 100_000;
    static final int MAX_RETRIES = 20;
    static final long MAX_MS = 600_000;
    static final long MIN_WINDOW_MS = 1000;
    static final long MAX_WINDOW_MS = 86_400_000;
    static final long MAX_COOLDOWN_MS = 7 * 86_400_000L;
    static final int MAX_MIN_SESSIONS = 1_000_000;
    private static final String URL_EXAMPLE = "e.g. \"${env:SLACK_WEBHOOK_URL}\" or \"https://hooks.example.com/alerts\"";

    private AlertsBinder() {
    }

    static AlertSettings bind(JsonCursor block, BindContext context) {
        block.object(KEYS);
        AlertSettings defaults = AlertSettings.defaults();
        return new AlertSettings(
                webhooks(block.get("webhooks"), context),
                triggers(block.get("on"), defaults.on()),
                failureRate(block.get("failureRate").object(FAILURE_RATE_KEYS)),
                block.get("queueSize").integer(defaults.queueSize(), 1, MAX_QUEUE_SIZE, Quantity.COUNT),
                block.get("retries").integer(defaults.retries(), 0, MAX_RETRIES, Quantity.COUNT),
                block.get("retryBackoffMs").integer(defaults.retryBackoffMs(), 1, MAX_MS, Quantity.MILLIS),
                block.get("timeoutMs").integer(defaults.timeoutMs(), 1, MAX_MS, Quantity.MILLIS));
    }

    private static List<Webhook> webhooks(JsonCursor value, BindContext context) {
        List<Webhook> webhooks = new ArrayList<>();
        for (JsonCursor entry : value.elements("an array of webhooks, e.g. [{\"url\": \"${env:SLACK_WEBHOOK_URL}\"}]")) {
            if (entry.isText()) {
                // not shown: it is probably the URL, a secret
                throw entry.fail("a string", "a webhook object, e.g. {\"url\": \"${env:SLACK_WEBHOOK_URL}\"}");
            }
            if (!entry.isObject()) {
                throw entry.typeError("a webhook object, e.g. {\"url\": \"${env:SLACK_WEBHOOK_URL}\"}");
            }
            entry.object(WEBHOOK_KEYS);
            JsonCursor urlValue = entry.get("url");
            String url = urlValue.requiredText("an http(s) URL, " + URL_EXAMPLE);
            if (!urlValue.keptUnset(url)) {
                requireWebhookUrl(urlValue, url);
            }
            context.secrets().add(url);
            webhooks.add(new Webhook(url, headers(entry.get("headers"), context)));
        }
        return webhooks;
    }

    private static void requireWebhookUrl(JsonCursor at, String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            uri = null;
        }
        String scheme = uri == null || uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri == null || !(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw at.fail(shownUrl(at) + " is not an absolute http(s) URL", URL_EXAMPLE);
        }
        if (uri.getRawUserInfo() != null) {
            throw at.fail(shownUrl(at) + " has credentials in it",
                    "a URL without user info; send credentials as a header, e.g. \"headers\": "
                            + "{\"Authorization\": \"${env:ALERT_TOKEN}\"}");
        }
    }

    /**
     * The raw value as far as it may be shown: a {@code ${env:...}} template whole (the message
     * never shows what it resolved to), a literal URL only up to its host.
     */
    static String shownUrl(JsonCursor at) {
        String raw = at.shown();
        if (raw.contains("${")) {
            return raw;
        }
        int schemeEnd = raw.indexOf("://");
        int hostStart = schemeEnd < 0 ? 1 : schemeEnd + 3;
        int hostEnd = hostStart;
        while (hostEnd < raw.length() - 1 && "/?#".indexOf(raw.charAt(hostEnd)) < 0) {
            hostEnd++;
        }
        // user info (name:password@) is never shown; the closing quote of the JSON string is the last character
        int shownEnd = raw.substring(hostStart, hostEnd).contains("@") ? hostStart : hostEnd;
        return shownEnd >= raw.length() - 1 ? raw : raw.substring(0, shownEnd) + "...\"";
    }

    private static Map<String, String> headers(JsonCursor value, BindContext context) {
        Map<String, String> headers = new LinkedHashMap<>();
        value.entries("an object of header names to values, e.g. {\"Authorization\": \"${env:ALERT_TOKEN}\"}")
                .forEach((name, header) -> {
                    if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                        throw header.fail(name + " is set by the sender (application/json)", "other headers");
                    }
                    String text = header.requiredText("a header value string");
                    try {
                        HttpRequest.newBuilder().header(name, text);
                    } catch (IllegalArgumentException e) {
                        // the JDK refuses restricted names (Host, Connection, ...) and malformed names or values
                        throw header.fail("not a header the sender can set (restricted or malformed name, or a "
                                + "control character in the value)", "an ordinary HTTP header such as Authorization");
                    }
                    if (!text.isEmpty()) {
                        context.secrets().add(text);
                    }
                    headers.put(name, text);
                });
        return headers;
    }

    private static Set<Trigger> triggers(JsonCursor value, Set<Trigger> fallback) {
        if (!value.isPresent()) {
            return fallback;
        }
        String expected = "an array of rule names, any of " + JsonCursor.oneOf(TRIGGERS).substring("one of ".length());
        Set<Trigger> on = EnumSet.noneOf(Trigger.class);
        for (JsonCursor element : value.elements(expected)) {
            String name = element.requiredText(JsonCursor.oneOf(TRIGGERS));
            Trigger trigger = Arrays.stream(Trigger.values()).filter(t -> t.wireName().equals(name)).findFirst()
                    .orElseThrow(() -> element.fail(element.shown() + " is not a known rule" + NearMiss.suggest(name,
                            TRIGGERS).map(near -> " (did you mean " + JsonCursor.quote(near) + "?)").orElse(""),
                            JsonCursor.oneOf(TRIGGERS)));
            on.add(trigger);
        }
        return on;
    }

    private static FailureRate failureRate(JsonCursor block) {
        FailureRate defaults = FailureRate.defaults();
        return new FailureRate(
                block.get("thresholdPercent").integer(defaults.thresholdPercent(), 0, 99, Quantity.COUNT),
                block.get("windowMs").integer(defaults.windowMs(), MIN_WINDOW_MS, MAX_WINDOW_MS, Quantity.MILLIS),
                block.get("minSessions").integer(defaults.minSessions(), 1, MAX_MIN_SESSIONS, Quantity.COUNT),
                block.get("cooldownMs").integer(defaults.cooldownMs(), 0, MAX_COOLDOWN_MS, Quantity.MILLIS));
    }
}
