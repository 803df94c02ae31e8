package io.smartrunner.config;

import io.smartrunner.config.BrowserSettings.AdsPower;
import io.smartrunner.config.BrowserSettings.Chromium;
import io.smartrunner.config.BrowserSettings.Recycle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Binds the {@code browser} block; both provider blocks are validated whichever provider is chosen. */
final class BrowserBinder {
    static final List<String> KEYS = List.of("provider", "chromium", "adspower", "closeOnPause", "closeOnExit",
            "startTimeoutMs", "recycle");
    static final List<String> RECYCLE_KEYS = List.of("afterSessions", "afterMs", "maxRssMb");
    static final int MAX_RECYCLE_SESSIONS = 1_000_000;
    static final long MAX_RECYCLE_MS = 365L * 24 * 3600 * 1000;
    static final long MAX_RSS_MB = 1L << 20;
    static final List<String> CHROMIUM_KEYS = List.of("binary", "headless", "extraArgs");
    static final List<String> ADSPOWER_KEYS = List.of("baseUrl", "apiKey", "requestsPerSecond", "retries",
            "stopPollTimeoutMs");
    /** Switches the chromium provider sets per profile itself. */
    static final List<String> RESERVED_SWITCHES = List.of("--user-data-dir", "--remote-debugging-port");
    static final long MAX_TIMEOUT_MS = 600_000;
    static final double MIN_REQUESTS_PER_SECOND = 0.1;
    static final double MAX_REQUESTS_PER_SECOND = 50.0;
    static final int MAX_RETRIES = 10;

    private BrowserBinder() {
    }

    /** @param context receives a literal {@code apiKey} as a secret too */
    static BrowserSettings bind(JsonCursor block, BindContext context) {
        block.object(KEYS);
        BrowserSettings defaults = BrowserSettings.defaults();
        BrowserSettings.Provider provider = block.get("provider").choice(defaults.provider());
        return new BrowserSettings(
                provider,
                chromium(block.get("chromium").object(CHROMIUM_KEYS)),
                adspower(block.get("adspower").object(ADSPOWER_KEYS), context),
                block.get("closeOnPause").flag(defaults.closeOnPause()),
                block.get("closeOnExit").flag(defaults.closeOnExit()),
                block.get("startTimeoutMs").integer(defaults.startTimeoutMs(), 1, MAX_TIMEOUT_MS, Quantity.MILLIS),
                recycle(block.get("recycle").object(RECYCLE_KEYS), provider));
    }

    private static Recycle recycle(JsonCursor block, BrowserSettings.Provider provider) {
        JsonCursor rss = block.get("maxRssMb");
        long maxRssMb = rss.integer(0, 0, MAX_RSS_MB, Quantity.COUNT);
        if (maxRssMb > 0 && provider == BrowserSettings.Provider.ADSPOWER) {
            throw rss.fail("maxRssMb is " + maxRssMb + " but AdsPower's browser processes are not the runner's "
                    + "to measure", "0 (off) with browser.provider adspower, or afterSessions/afterMs");
        }
        return new Recycle(
                (int) block.get("afterSessions").integer(0, 0, MAX_RECYCLE_SESSIONS, Quantity.COUNT),
                block.get("afterMs").integer(0, 0, MAX_RECYCLE_MS, Quantity.MILLIS),
                maxRssMb);
    }

    private static Chromium chromium(JsonCursor block) {
        Chromium defaults = Chromium.defaults();
        JsonCursor binaryValue = block.get("binary");
        Path binary = binaryValue.filePath(defaults.binary());
        if (binary != null && !binary.isAbsolute()) {
            throw binaryValue.fail(binaryValue.shown() + " is not an absolute path",
                    "the absolute path of the Chromium executable, e.g. \"/usr/bin/chromium\", or no binary to "
                            + "auto-detect it");
        }
        return new Chromium(binary, block.get("headless").flag(defaults.headless()),
                extraArgs(block.get("extraArgs")));
    }

    private static List<String> extraArgs(JsonCursor value) {
        String expected = "a Chromium switch starting with \"--\", e.g. \"--lang=en-US\"";
        List<String> args = new ArrayList<>();
        for (JsonCursor element : value.elements("an array of Chromium switches, e.g. [\"--lang=en-US\"]")) {
            String arg = element.requiredText(expected);
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw element.fail(element.shown() + " is not a switch", expected);
            }
            String name = arg.split("=", 2)[0];
            if (RESERVED_SWITCHES.contains(name)) {
                throw element.fail(name + " is set per profile by the chromium provider", "other switches");
            }
            args.add(arg);
        }
        return args;
    }

    private static AdsPower adspower(JsonCursor block, BindContext context) {
        AdsPower defaults = AdsPower.defaults();
        JsonCursor baseUrlValue = block.get("baseUrl");
        String baseUrl = baseUrlValue.text(defaults.baseUrl());
        StepBinder.requireHttpUrl(baseUrlValue, baseUrl, "e.g. \"" + AdsPower.DEFAULT_BASE_URL + "\"");
        JsonCursor apiKeyValue = block.get("apiKey");
        String apiKey = apiKeyValue.text(defaults.apiKey());
        if (apiKey != null && apiKey.isBlank()) {
            throw apiKeyValue.fail("the apiKey is empty",
                    "a non-empty Local API key, e.g. \"${env:ADSPOWER_API_KEY}\", or no apiKey");
        }
        if (apiKey != null) {
            // given literally it is still a secret: keep it out of logs and events as well
            context.secrets().add(apiKey);
        }
        return new AdsPower(
                baseUrl.replaceAll("/+$", ""),
                apiKey,
                block.get("requestsPerSecond").number(defaults.requestsPerSecond(), MIN_REQUESTS_PER_SECOND,
                        MAX_REQUESTS_PER_SECOND),
                block.get("retries").integer(defaults.retries(), 0, MAX_RETRIES, Quantity.COUNT),
                block.get("stopPollTimeoutMs").integer(defaults.stopPollTimeoutMs(), 1, MAX_TIMEOUT_MS,
                        Quantity.MILLIS));
    }
}
