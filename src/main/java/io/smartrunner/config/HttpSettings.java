package io.smartrunner.config;

import java.util.List;

/**
 * The {@code http} block (API and dashboard).
 *
 * @param bind               IP address to listen on, IPv6 without brackets, or localhost [127.0.0.1]
 * @param port               TCP port [7070]; 0 = any free port
 * @param token              bearer token for mutations, at least {@link #MIN_TOKEN_LENGTH} characters;
 *                           null = generated into the data dir. A secret.
 * @param allowedHosts       extra Host header values the API and dashboard accept (with or without
 *                           ":port"), on top of the defaults (see docs/operations.md)
 * @param demoSite           serve the demo site under {@code /demo/} [false]
 * @param livenessTimeoutMs  {@code /healthz} fails when the engine loop has not turned for this long [30000]
 * @param requestTimeoutMs   a connection that sends nothing for this long while a request is read
 *                           (headers or body) is closed [10000]
 * @param maxConnections     open connections in all [512]
 * @param maxConnectionsPerClient open connections from one non-loopback address [32]
 * @param readsNeedToken     reads ({@code /api/*}, {@code /metrics}) need the token on a loopback bind
 *                           too [false]: for a machine with other local users, who could otherwise read
 *                           the sessions' logs and stderr tails (beyond loopback reads always need it)
 */
public record HttpSettings(String bind, int port, String token, List<String> allowedHosts, boolean demoSite,
                           long livenessTimeoutMs, long requestTimeoutMs, int maxConnections,
                           int maxConnectionsPerClient, boolean readsNeedToken) {
    /**
     * The shortest bearer token accepted, configured or in the token file: guessable below it, and
     * a secret under the redactor's minimum would not even be masked in logs.
     */
    public static final int MIN_TOKEN_LENGTH = 16;
    public static final long DEFAULT_LIVENESS_TIMEOUT_MS = 30_000;
    public static final long DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
    public static final int DEFAULT_MAX_CONNECTIONS = 512;
    public static final int DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 32;

    public HttpSettings {
        allowedHosts = List.copyOf(allowedHosts);
    }

    /** Reads need the token only beyond loopback (the default of {@code http.readsNeedToken}). */
    public HttpSettings(String bind, int port, String token, List<String> allowedHosts, boolean demoSite,
                        long livenessTimeoutMs, long requestTimeoutMs, int maxConnections, int maxConnectionsPerClient) {
        this(bind, port, token, allowedHosts, demoSite, livenessTimeoutMs, requestTimeoutMs, maxConnections,
                maxConnectionsPerClient, false);
    }

    /** The defaults for everything but the address and token. */
    public HttpSettings(String bind, int port, String token) {
        this(bind, port, token, List.of(), false, DEFAULT_LIVENESS_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS,
                DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_CLIENT);
    }

    public static HttpSettings defaults() {
        return new HttpSettings("127.0.0.1", 7070, null);
    }

    /** {@link #bind} as the host of a URL: an IPv6 address in brackets ({@code [::1]}). */
    public String urlHost() {
        return bind.contains(":") && !bind.startsWith("[") ? "[" + bind + "]" : bind;
    }

    public HttpSettings withDemoSite(boolean on) {
        return new HttpSettings(bind, port, token, allowedHosts, on, livenessTimeoutMs, requestTimeoutMs,
                maxConnections, maxConnectionsPerClient);
    }

    public HttpSettings withRequestTimeoutMs(long ms) {
        return new HttpSettings(bind, port, token, allowedHosts, demoSite, livenessTimeoutMs, ms,
                maxConnections, maxConnectionsPerClient);
    }

    public HttpSettings withAllowedHosts(List<String> hosts) {
        return new HttpSettings(bind, port, token, hosts, demoSite, livenessTimeoutMs, requestTimeoutMs,
                maxConnections, maxConnectionsPerClient);
    }

    @Override
    public String toString() {
        return "HttpSettings[bind=" + bind + ", port=" + port + ", token=" + (token == null ? "none" : "***")
                + ", allowedHosts=" + allowedHosts + ", demoSite=" + demoSite + ", livenessTimeoutMs="
                + livenessTimeoutMs + ", requestTimeoutMs=" + requestTimeoutMs + ", maxConnections=" + maxConnections
                + ", maxConnectionsPerClient=" + maxConnectionsPerClient + "]";
    }
}
