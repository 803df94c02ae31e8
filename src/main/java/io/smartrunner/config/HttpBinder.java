package io.smartrunner.config;

import java.util.ArrayList;
import java.util.List;

/** Binds the {@code http} block. */
final class HttpBinder {
    static final List<String> KEYS = List.of("bind", "port", "token", "allowedHosts", "demoSite",
            "livenessTimeoutMs", "requestTimeoutMs", "maxConnections", "maxConnectionsPerClient", "readsNeedToken");
    /** Above the event streams' keep-alive (5 s), so a quiet stream is never taken for a slow client. */
    static final long MIN_REQUEST_TIMEOUT_MS = 6_000;
    /** Above the loop's longest sleep (5 s). */
    static final long MIN_LIVENESS_TIMEOUT_MS = 10_000;

    private HttpBinder() {
    }

    static HttpSettings bind(JsonCursor block) {
        HttpSettings defaults = HttpSettings.defaults();
        JsonCursor bindValue = block.get("bind");
        String bind = BindAddress.read(bindValue, defaults.bind());
        int port = block.get("port").integer(defaults.port(), 0, 65_535, Quantity.COUNT);
        JsonCursor tokenValue = block.get("token");
        String token = tokenValue.text(defaults.token());
        if (token != null && !tokenValue.keptUnset(token) && token.strip().length() < HttpSettings.MIN_TOKEN_LENGTH) {
            // the length only: the value is a secret
            throw tokenValue.fail(token.isBlank() ? "the token is empty" : "the token has " + token.strip().length()
                    + " characters", "a bearer token of at least " + HttpSettings.MIN_TOKEN_LENGTH
                    + " characters, e.g. \"${env:SR_TOKEN}\"");
        }
        if (token == null && !BindAddress.isLoopback(bind)) {
            // the generated token lives in the data dir: fine for this machine, not for a network
            throw bindValue.fail(JsonCursor.quote(bind) + " is not a loopback address and no http.token is set",
                    "http.token (e.g. \"${env:SR_TOKEN}\") with a non-loopback bind, or a loopback bind such as"
                            + " \"127.0.0.1\"");
        }
        List<String> hosts = new ArrayList<>();
        for (JsonCursor host : block.get("allowedHosts").elements("an array of host names, e.g. [\"runner.lan\"]")) {
            String name = host.requiredText("a host name, e.g. \"runner.lan\" or \"runner.lan:7070\"");
            if (name.isBlank() || !name.matches("[A-Za-z0-9._:\\[\\]-]+")) {
                throw host.fail(host.shown() + " is not a host name", "a host name, e.g. \"runner.lan\" or \"[::1]\"");
            }
            hosts.add(name);
        }
        return new HttpSettings(bind, port, token, hosts, block.get("demoSite").flag(false),
                block.get("livenessTimeoutMs").integer(HttpSettings.DEFAULT_LIVENESS_TIMEOUT_MS,
                        MIN_LIVENESS_TIMEOUT_MS, 3_600_000, Quantity.MILLIS),
                block.get("requestTimeoutMs").integer(HttpSettings.DEFAULT_REQUEST_TIMEOUT_MS,
                        MIN_REQUEST_TIMEOUT_MS, 600_000, Quantity.MILLIS),
                block.get("maxConnections").integer(HttpSettings.DEFAULT_MAX_CONNECTIONS, 32, 100_000, Quantity.COUNT),
                block.get("maxConnectionsPerClient").integer(HttpSettings.DEFAULT_MAX_CONNECTIONS_PER_CLIENT, 1,
                        100_000, Quantity.COUNT),
                block.get("readsNeedToken").flag(false));
    }
}
