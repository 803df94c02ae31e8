package io.smartrunner.config;

import java.nio.file.Path;
import java.util.List;

/**
 * The {@code browser} block: who opens, restarts and closes a profile's browser (DESIGN.md §3).
 * The {@code chromium} and {@code adspower} blocks are validated whatever the provider; only the
 * chosen provider's block is used.
 *
 * @param provider       who opens and restarts a profile's browser [chromium]; {@code none}
 *                       runs sessions without a browser (and an empty default ladder)
 * @param chromium       settings of the {@code chromium} provider [{@link Chromium#defaults()}]
 * @param adspower       settings of the {@code adspower} provider [{@link AdsPower#defaults()}]
 * @param closeOnPause   close a profile's browser when the profile is paused [true]
 * @param closeOnExit    close every browser the runner opened when it shuts down [true]; with
 *                       false they keep running and the next runner of the same data dir adopts
 *                       those that still answer (chromium), while true makes a runner stop any
 *                       browser an earlier runner left
 * @param startTimeoutMs a browser not reachable over CDP this long after being asked to start
 *                       counts as failed to start [30000]; 1..600000
 * @param recycle        when a profile's browser is replaced by a fresh one between sessions
 *                       [{@link Recycle#OFF}]
 */
public record BrowserSettings(
        Provider provider,
        Chromium chromium,
        AdsPower adspower,
        boolean closeOnPause,
        boolean closeOnExit,
        long startTimeoutMs,
        Recycle recycle) {

    public static final long DEFAULT_START_TIMEOUT_MS = 30_000;

    public enum Provider { CHROMIUM, ADSPOWER, NONE }

    /** Without recycling (the settings before {@code browser.recycle} existed). */
    public BrowserSettings(Provider provider, Chromium chromium, AdsPower adspower, boolean closeOnPause,
                           boolean closeOnExit, long startTimeoutMs) {
        this(provider, chromium, adspower, closeOnPause, closeOnExit, startTimeoutMs, Recycle.OFF);
    }

    public static BrowserSettings defaults() {
        return new BrowserSettings(Provider.CHROMIUM, Chromium.defaults(), AdsPower.defaults(), true, true,
                DEFAULT_START_TIMEOUT_MS, Recycle.OFF);
    }

    /**
     * The {@code browser.recycle} block: a profile's browser is closed and started afresh before
     * the next session once any limit is reached (never during a session). 0 turns a limit off.
     *
     * @param afterSessions after this many sessions served by one browser [0]; 0..1000000
     * @param afterMs       once the browser is this old [0]; 0..31536000000 (a year)
     * @param maxRssMb      once the resident memory of the browser's processes, summed, passes
     *                      this many MiB [0]; 0..1048576. Only for the chromium provider (AdsPower's
     *                      processes are not the runner's); refused with adspower
     */
    public record Recycle(int afterSessions, long afterMs, long maxRssMb) {
        public static final Recycle OFF = new Recycle(0, 0, 0);

        /** Whether any limit is set. */
        public boolean on() {
            return afterSessions > 0 || afterMs > 0 || maxRssMb > 0;
        }
    }

    /**
     * The {@code browser.chromium} block: the machine's Chromium, one user-data-dir and DevTools
     * port per profile (both set by the provider).
     *
     * @param binary    absolute path of the Chromium executable; null = auto-detect [null]. Its
     *                  existence is checked when the provider starts, not at load
     * @param headless  run without a window [true]
     * @param extraArgs more command-line switches, each starting with {@code --} [none]
     */
    public record Chromium(Path binary, boolean headless, List<String> extraArgs) {
        public Chromium {
            extraArgs = List.copyOf(extraArgs);
        }

        public static Chromium defaults() {
            return new Chromium(null, true, List.of());
        }
    }

    /**
     * The {@code browser.adspower} block: AdsPower's Local API over HTTP.
     *
     * @param baseUrl           the Local API's http(s) URL, without trailing slash
     *                          [http://127.0.0.1:50325]
     * @param apiKey            the Local API key, sent when set; null = none [null]. A secret,
     *                          usually {@code "${env:ADSPOWER_API_KEY}"}; never printed
     * @param requestsPerSecond most Local API requests per second, all profiles together (AdsPower
     *                          throttles) [1.0]; 0.1..50
     * @param retries           retries of a failed or throttled request [3]; 0..10
     * @param stopPollTimeoutMs how long to poll for a stopped browser to be reported closed
     *                          [30000]; 1..600000
     */
    public record AdsPower(String baseUrl, String apiKey, double requestsPerSecond, int retries,
                           long stopPollTimeoutMs) {
        public static final String DEFAULT_BASE_URL = "http://127.0.0.1:50325";
        public static final double DEFAULT_REQUESTS_PER_SECOND = 1.0;
        public static final int DEFAULT_RETRIES = 3;
        public static final long DEFAULT_STOP_POLL_TIMEOUT_MS = 30_000;

        public static AdsPower defaults() {
            return new AdsPower(DEFAULT_BASE_URL, null, DEFAULT_REQUESTS_PER_SECOND, DEFAULT_RETRIES,
                    DEFAULT_STOP_POLL_TIMEOUT_MS);
        }

        @Override
        public String toString() {
            return "AdsPower[baseUrl=" + baseUrl + ", apiKey=" + (apiKey == null ? "none" : "***")
                    + ", requestsPerSecond=" + requestsPerSecond + ", retries=" + retries
                    + ", stopPollTimeoutMs=" + stopPollTimeoutMs + "]";
        }
    }
}
