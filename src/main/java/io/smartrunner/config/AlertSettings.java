package io.smartrunner.config;

import java.net.URI;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code alerts} block: webhook alerts. Without webhooks (the default) alerts are off.
 *
 * @param webhooks       where every alert is POSTed as JSON, each webhook in turn [none = alerts off]
 * @param on             which rules send alerts [pause, exhausted, failureRate, spawn]
 * @param failureRate    the fleet rule's settings [{@link FailureRate#defaults()}]
 * @param queueSize      most alerts waiting for delivery; when full, the oldest waiting alert is
 *                       dropped (and counted) [1000]; 1..100000
 * @param retries        retries of one delivery after no answer, a timeout, HTTP 5xx or 429 (other
 *                       answers are final) [5]; 0..20
 * @param retryBackoffMs wait before the first retry; each next one waits twice as long, at most
 *                       {@link #MAX_BACKOFF_MS} or retryBackoffMs if larger [1000]; 1..600000
 * @param timeoutMs      one delivery attempt, connecting included, at most [5000]; 1..600000
 */
public record AlertSettings(
        List<Webhook> webhooks,
        Set<Trigger> on,
        FailureRate failureRate,
        int queueSize,
        int retries,
        long retryBackoffMs,
        long timeoutMs) {

    public static final int DEFAULT_QUEUE_SIZE = 1000;
    public static final int DEFAULT_RETRIES = 5;
    public static final long DEFAULT_RETRY_BACKOFF_MS = 1000;
    public static final long DEFAULT_TIMEOUT_MS = 5000;
    /** Cap of the doubling backoff (unless retryBackoffMs itself is larger). */
    public static final long MAX_BACKOFF_MS = 300_000;

    public AlertSettings {
        webhooks = List.copyOf(webhooks);
        on = Set.copyOf(on);
    }

    public static AlertSettings defaults() {
        return new AlertSettings(List.of(), EnumSet.allOf(Trigger.class), FailureRate.defaults(), DEFAULT_QUEUE_SIZE,
                DEFAULT_RETRIES, DEFAULT_RETRY_BACKOFF_MS, DEFAULT_TIMEOUT_MS);
    }

    /** Whether any alert can be sent at all. */
    public boolean enabled() {
        return !webhooks.isEmpty() && !on.isEmpty();
    }

    /** A rule that sends alerts; {@link #wireName()} is its name in {@code on} and in the alert's {@code alert} field. */
    public enum Trigger {
        /** Every {@code pause} event (automatic or by hand). */
        PAUSE("pause"),
        /** Every recovery episode that ended {@code exhausted}. */
        EXHAUSTED("exhausted"),
        /** Too many of the fleet's sessions failing within a window. */
        FAILURE_RATE("failureRate"),
        /** Sessions cannot be started (reason {@code spawn}): one alert per episode, fleet-wide. */
        SPAWN("spawn");

        private final String wireName;

        Trigger(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    /**
     * One webhook receiver, e.g. a Slack incoming webhook.
     *
     * @param url     absolute http(s) URL, without user info. A secret: Slack's carry their token in
     *                the path, so only {@link #origin()} is ever printed
     * @param headers extra request headers, e.g. {@code "Authorization": "${env:ALERT_TOKEN}"} [none];
     *                their values are secrets and never printed
     */
    public record Webhook(String url, Map<String, String> headers) {
        public Webhook {
            headers = Map.copyOf(headers);
        }

        /** {@code scheme://host[:port]}: all of the URL that diagnostics may show. */
        public String origin() {
            URI uri = URI.create(url);
            return uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getHost()
                    + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
        }

        @Override
        public String toString() {
            return "Webhook[url=" + origin() + "/***, headers=" + headers.keySet() + "]";
        }
    }

    /**
     * The {@code alerts.failureRate} block: one alert when more than {@code thresholdPercent} % of
     * the sessions that ended within the last {@code windowMs} failed, counting only when at least
     * {@code minSessions} ended. Then no alert for {@code cooldownMs}; if the rate is still (or
     * again) above the threshold after that, one more alert, and so on.
     *
     * @param thresholdPercent alert when the failed share is above this [50]; 0..99
     * @param windowMs         the sliding window [300000 = 5 min]; 1000..86400000
     * @param minSessions      fewer ended sessions in the window never alert [10]; 1..1000000
     * @param cooldownMs       least time between two failure-rate alerts [900000 = 15 min]; 0..604800000
     */
    public record FailureRate(int thresholdPercent, long windowMs, int minSessions, long cooldownMs) {
        public static final int DEFAULT_THRESHOLD_PERCENT = 50;
        public static final long DEFAULT_WINDOW_MS = 300_000;
        public static final int DEFAULT_MIN_SESSIONS = 10;
        public static final long DEFAULT_COOLDOWN_MS = 900_000;

        public static FailureRate defaults() {
            return new FailureRate(DEFAULT_THRESHOLD_PERCENT, DEFAULT_WINDOW_MS, DEFAULT_MIN_SESSIONS,
                    DEFAULT_COOLDOWN_MS);
        }
    }
}
