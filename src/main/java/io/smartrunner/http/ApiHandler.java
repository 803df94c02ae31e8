package io.smartrunner.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.profile.ProfileStateJson;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code /api/profiles}, {@code /api/profiles/{id}}, and the pause/unpause mutations. Every
 * request must come with an allowed Host (DNS rebinding); mutations need the bearer token, a
 * same-origin (or absent) Origin and a JSON body. Errors are JSON: {@code {"error": "..."}}.
 */
final class ApiHandler implements HttpHandler {
    private static final Pattern MUTATION = Pattern.compile("/api/profiles/([^/]+)/(pause|unpause)");
    private static final Pattern ONE = Pattern.compile("/api/profiles/([^/]+)");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final long MAX_PAUSE_MS = 365L * 86_400_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FleetControl fleet;
    private final ApiToken token;
    private final Set<String> hosts;
    private final Set<String> origins;

    ApiHandler(FleetControl fleet, ApiToken token, Set<String> hosts) {
        this.fleet = fleet;
        this.token = token;
        this.hosts = Set.copyOf(hosts);
        this.origins = hosts.stream().map(h -> "http://" + h).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try {
            route(ex);
        } catch (ApiError e) {
            send(ex, e.status, Map.of("error", e.getMessage()));
        } catch (Exception e) {
            send(ex, 500, Map.of("error", "internal error"));
        }
    }

    private void route(HttpExchange ex) throws Exception {
        if (!hosts.contains(String.valueOf(ex.getRequestHeaders().getFirst("Host")))) {
            throw new ApiError(403, "Host not allowed");
        }
        String path = ex.getRequestURI().getRawPath();
        String method = ex.getRequestMethod();
        Matcher m = MUTATION.matcher(path);
        if (m.matches()) {
            if (!method.equals("POST")) {
                throw new ApiError(405, "use POST");
            }
            mutate(ex, validId(m.group(1)), m.group(2));
            return;
        }
        if (!method.equals("GET")) {
            throw new ApiError(405, "use GET");
        }
        List<ProfileState> all = fleet.profiles().get(5, TimeUnit.SECONDS);
        if (path.equals("/api/profiles")) {
            send(ex, 200, all.stream().map(ProfileStateJson::of).toList());
            return;
        }
        Matcher one = ONE.matcher(path);
        if (one.matches()) {
            String id = validId(one.group(1));
            send(ex, 200, ProfileStateJson.of(all.stream().filter(p -> p.profileId().equals(id)).findFirst()
                    .orElseThrow(() -> new ApiError(404, "no profile " + id))));
            return;
        }
        throw new ApiError(404, "no such route");
    }

    private void mutate(HttpExchange ex, String id, String action) throws Exception {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.startsWith("Bearer ") || !token.matches(auth.substring(7))) {
            throw new ApiError(401, "missing or wrong bearer token");
        }
        String origin = ex.getRequestHeaders().getFirst("Origin");
        if (origin != null && !origins.contains(origin)) {
            throw new ApiError(403, "Origin not allowed");
        }
        String type = String.valueOf(ex.getRequestHeaders().getFirst("Content-Type"));
        if (!type.startsWith("application/json")) {
            throw new ApiError(415, "send application/json");
        }
        JsonNode body = body(ex);
        if (fleet.profiles().get(5, TimeUnit.SECONDS).stream().noneMatch(p -> p.profileId().equals(id))) {
            throw new ApiError(404, "no profile " + id);
        }
        if (action.equals("unpause")) {
            fleet.unpause(id, "api");
        } else {
            JsonNode d = body.get("durationMs");
            if (d == null || !d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 1 || d.asLong() > MAX_PAUSE_MS) {
                throw new ApiError(400, "durationMs: expected an integer from 1 to " + MAX_PAUSE_MS);
            }
            JsonNode r = body.get("reason");
            if (r != null && !r.isTextual()) {
                throw new ApiError(400, "reason: expected a string");
            }
            fleet.pause(id, Duration.ofMillis(d.asLong()), r == null ? "paused by hand" : r.asText(), "api");
        }
        send(ex, 202, Map.of("accepted", action, "profileId", id));
    }

    private static JsonNode body(HttpExchange ex) throws IOException {
        byte[] bytes = ex.getRequestBody().readNBytes(64 * 1024);
        if (bytes.length == 0) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode n = JSON.readTree(bytes);
            if (n == null || !n.isObject()) {
                throw new ApiError(400, "body: expected a JSON object");
            }
            return n;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new ApiError(400, "body: malformed JSON at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr());
        }
    }

    private static String validId(String raw) {
        if (!ID.matcher(raw).matches()) {
            throw new ApiError(400, "profile id: expected [A-Za-z0-9._-]{1,64}");
        }
        return raw;
    }

    private static void send(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    /** A client mistake, answered with its status and a one-line JSON error. */
    private static final class ApiError extends RuntimeException {
        final int status;

        ApiError(int status, String message) {
            super(message);
            this.status = status;
        }
    }
}
