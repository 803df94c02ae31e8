package io.smartrunner.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.smartrunner.SmartRunnerException;
import io.smartrunner.config.ProfileId;
import io.smartrunner.engine.ManualReply;
import io.smartrunner.engine.ManualRequest;
import io.smartrunner.engine.ReloadSummary;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.profile.ProfileStateJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JSON API of DESIGN §2a under {@code /api/}. Every request must come with an allowed Host
 * (DNS rebinding); mutations need the bearer token, a same-origin (or absent) Origin and a JSON
 * body. Errors are JSON: {@code {"error": "..."}}, naming the field.
 *
 * <p>Over 250 lines because it is the one route table of {@code /api/} and the request checks
 * every route shares; what a route computes lives in its own class (ProfilesRoute, EventsRoute,
 * PodsRoute, SessionLogRoute, SummaryRoute).
 */
final class ApiHandler implements HttpHandler {
    static final ObjectMapper JSON = new ObjectMapper();
    /** A value inside a stream being written; no flush after it (that would be a chunk on the wire per profile). */
    private static final ObjectWriter IN_STREAM = JSON.writer().without(SerializationFeature.FLUSH_AFTER_WRITE_VALUE);
    private static final Pattern PROFILE = Pattern.compile("/api/profiles/([^/]+)(?:/([a-z]+))?");
    private static final Set<String> PROFILE_ACTIONS = Set.of("pause", "unpause", "reset", "run");
    /** The fixed GET routes ({@link #get}); a profile's own and its log match {@link #PROFILE}. */
    private static final Set<String> GET_ROUTES = Set.of("/api/profiles", "/api/summary", "/api/events",
            "/api/events/stream", "/api/report", "/api/pods", "/api/runners");
    /** The same control for every profile of a pod: POST /api/pods/{pod}/profiles/{action}. */
    private static final Pattern POD_PROFILES = Pattern.compile("/api/pods/([^/]+)/profiles/(pause|unpause|reset)");
    private static final long LOOP_ANSWER_SECONDS = 10;
    /**
     * Requests that may wait for the engine loop at once; more are answered 503 at once. A stuck
     * loop held every request that waits for it for 10 s, and 40 of them (the dashboard polls
     * /api/pods every 2 s) took every thread of the server's pool: {@code /healthz} then answered
     * after 7 s, or not at all, and the waiting requests got no answer either.
     */
    static final int LOOP_WAITERS = 8;
    /** Names the client in {@code params.by}: "cli" for the CLI, else the request is by "api". */
    static final String CLIENT_HEADER = "X-Smart-Runner-Client";

    private final ApiParts parts;
    private final Semaphore loopWaiters = new Semaphore(LOOP_WAITERS);
    private final Set<String> hosts;
    private final Set<String> origins;
    private final EventsRoute events;
    private final SessionLogRoute logs;
    private final boolean readsNeedToken;
    private final java.util.function.Consumer<String> faults;

    ApiHandler(ApiParts parts, Set<String> hosts) {
        this(parts, hosts, false, io.smartrunner.config.HttpSettings.DEFAULT_REQUEST_TIMEOUT_MS);
    }

    /**
     * @param readsNeedToken GETs need the bearer token too (the API listens beyond loopback)
     * @param stallBoundMs   an event stream whose client takes nothing for this long is closed
     */
    ApiHandler(ApiParts parts, Set<String> hosts, boolean readsNeedToken, long stallBoundMs) {
        this(parts, hosts, readsNeedToken, stallBoundMs, System.err::println);
    }

    /** @param faults where a failure of the runner's own in answering is said (stderr) */
    ApiHandler(ApiParts parts, Set<String> hosts, boolean readsNeedToken, long stallBoundMs,
               java.util.function.Consumer<String> faults) {
        this.faults = faults;
        this.readsNeedToken = readsNeedToken;
        this.parts = parts;
        this.hosts = Set.copyOf(hosts);
        this.origins = hosts.stream().map(h -> "http://" + h).collect(java.util.stream.Collectors.toUnmodifiableSet());
        this.events = new EventsRoute(parts.eventPages(), parts.newEvents(), stallBoundMs);
        this.logs = new SessionLogRoute(parts.sessionLogDir(), parts.redactor());
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try {
            route(ex);
        } catch (ApiError e) {
            if (e.allow != null) {
                ex.getResponseHeaders().set("Allow", e.allow);
            }
            send(ex, e.status, Map.of("error", e.getMessage()));
        } catch (ControlQueued e) {
            send(ex, 202, Map.of("queued", e.getMessage()));
        } catch (Exception e) {
            if (ClientGone.is(e)) {
                closeQuietly(ex); // nobody to answer, nothing wrong: the client left (closed a tab, stopped reading)
                return;
            }
            // the runner's fault, not the client's: said where an operator looks (reviewer R11: a 500 nobody saw)
            StackTraceElement[] at = e.getStackTrace();
            faults.accept("smart-runner: internal error answering " + Query.clip(ex.getRequestMethod()) + " "
                    + Query.clip(ex.getRequestURI().getRawPath()) + ": " + e + (at.length > 0 ? " at " + at[0] : ""));
            send(ex, 500, Map.of("error", "internal error: " + e.getClass().getSimpleName()));
        }
    }

    private static void closeQuietly(HttpExchange ex) {
        try {
            ex.close();
        } catch (RuntimeException alreadyGone) {
            // the connection is gone: closing it again has nothing to tell
        }
    }

    private void route(HttpExchange ex) throws Exception {
        if (!HostAllowlist.allows(hosts, ex.getRequestHeaders().getFirst("Host"))) {
            throw new ApiError(403, "Host not allowed");
        }
        String path = ex.getRequestURI().getRawPath();
        String lower = path.toLowerCase(Locale.ROOT);
        if (lower.contains("..") || lower.contains("%2e") || lower.contains("%2f") || lower.contains("%5c")
                || lower.contains("\\") || lower.contains("//")) {
            throw new ApiError(400, "path: dot segments, encoded slashes and backslashes are not allowed");
        }
        String method = ex.getRequestMethod();
        if (method.equals("POST")) {
            guardMutation(ex);
            post(ex, path);
            return;
        }
        // HEAD as GET: the server sends the head alone (reviewer R10: 405); not for the event stream, which never ends
        boolean head = method.equals("HEAD") && !path.equals("/api/events/stream");
        if (!method.equals("GET") && !head) {
            throw noRoute(Query.clip(method), path);
        }
        if (readsNeedToken) {
            requireToken(ex);
        }
        get(ex, path);
    }

    /** A 405 naming the methods the route takes, or a 404 when it is no route at all. */
    private static ApiError noRoute(String method, String path) {
        String allow = allowed(path);
        return allow == null ? new ApiError(404, "no such route: " + method + " " + Query.clip(path))
                : ApiError.methodNotAllowed("no such route: " + method + " " + Query.clip(path) + "; use "
                + allow.replace(", HEAD", "").replace(", ", " or "), allow);
    }

    /**
     * The methods {@code path} answers, for a 405's {@code Allow} (reviewer R10: {@code PUT
     * /api/profiles} said "GET, POST", and a POST there was a 404); null when it is no route at all.
     */
    static String allowed(String path) {
        Matcher profile = PROFILE.matcher(path);
        boolean profileRoute = profile.matches();
        String action = profileRoute ? profile.group(2) : null;
        boolean get = GET_ROUTES.contains(path) || profileRoute && (action == null || action.equals("log"));
        boolean post = path.equals("/api/reload") || POD_PROFILES.matcher(path).matches()
                || PodsRoute.unpausePath(path) != null || action != null && PROFILE_ACTIONS.contains(action);
        if (get) {
            return path.equals("/api/events/stream") ? "GET" : "GET, HEAD";
        }
        return post ? "POST" : null;
    }

    private void get(HttpExchange ex, String path) throws Exception {
        switch (path) {
            case "/api/profiles" -> {
                String query = ex.getRequestURI().getRawQuery();
                if (query == null || query.isEmpty()) {
                    sendEvery(ex, profiles(), everyWithRunner());
                } else {
                    send(ex, 200, ProfilesRoute.page(query, profiles(), withRunner()));
                }
            }
            case "/api/summary" -> {
                noParameters(ex);
                send(ex, 200, SummaryRoute.json(profiles()));
            }
            case "/api/events" -> {
                String page = fleetRead(() -> events.page(ex.getRequestURI().getRawQuery()));
                ex.getResponseHeaders().set("Cache-Control", "no-store");
                RunnerHttpServer.send(ex, 200, "application/json", page.getBytes(StandardCharsets.UTF_8));
            }
            case "/api/events/stream" -> fleetRead(() -> {
                events.stream(ex); // the fleet's events: where it starts is read before the answer's head
                return null;
            });
            case "/api/report" -> {
                noParameters(ex);
                send(ex, 200, parts.report().toJson(parts.time().now()));
            }
            case "/api/reload" -> throw ApiError.methodNotAllowed("use POST", "POST");
            case "/api/pods" -> {
                noParameters(ex);
                send(ex, 200, PodsRoute.json(answer(parts.fleet().pods())));
            }
            case "/api/runners" -> {
                noParameters(ex);
                send(ex, 200, runners());
            }
            default -> {
                Matcher m = PROFILE.matcher(path);
                if (!m.matches()) {
                    throw noRoute("GET", path);
                }
                if (m.group(2) == null) {
                    noParameters(ex); // before the lookup: a bad query is a 400 whether or not the profile exists
                }
                ProfileState state = profile(validId(m.group(1)));
                if (m.group(2) == null) {
                    send(ex, 200, json(state));
                } else if (m.group(2).equals("log")) {
                    // a fleet's profile moves between runners: this machine's file may be an old
                    // session's, and serving it as the profile's log would mislead
                    String elsewhere = parts.fleet().runsElsewhere(state.profileId());
                    if (elsewhere != null) {
                        throw new ApiError(409, state.profileId() + "'s sessions run on runner " + elsewhere
                                + ": its session log is on that runner's machine (GET /api/profiles/"
                                + state.profileId() + "/log on " + elsewhere + "'s API)");
                    }
                    logs.send(ex, state.profileId());
                } else if (PROFILE_ACTIONS.contains(m.group(2))) {
                    throw ApiError.methodNotAllowed("use POST", "POST");
                } else {
                    throw new ApiError(404, "no such route: GET " + Query.clip(path));
                }
            }
        }
    }

    private void post(HttpExchange ex, String path) throws Exception {
        JsonNode body = RequestBodies.object(ex);
        if (path.equals("/api/reload")) {
            RequestBodies.none(body, "reload");
            String file = new Query(ex.getRequestURI().getRawQuery(), Set.of("file")).get("file");
            if (file != null) {
                requireOwnConfig(file);
            }
            reload(ex);
            return;
        }
        noParameters(ex); // only reload takes one (file), above
        // the CLI goes through the API while a runner runs; its events say so
        String by = "cli".equals(ex.getRequestHeaders().getFirst(CLIENT_HEADER)) ? "cli" : "api";
        Matcher every = POD_PROFILES.matcher(path);
        if (every.matches()) {
            send(ex, 200, everyProfileOf(PodsRoute.validPod(every.group(1)), every.group(2), body, by));
            return;
        }
        String pod = PodsRoute.unpausePath(path);
        if (pod != null) {
            RequestBodies.none(body, "unpause");
            profileIdsOf(pod); // an unknown pod is a 404 as on the pod's other routes, not "is not held"
            send(ex, 200, PodsRoute.unpaused(pod, change(() -> awaitChange(parts.fleet().unpausePod(pod, by),
                    answerDeadline()))));
            return;
        }
        Matcher m = PROFILE.matcher(path);
        if (!m.matches() || m.group(2) == null || !PROFILE_ACTIONS.contains(m.group(2))) {
            throw noRoute("POST", path);
        }
        ManualRequest request = request(m.group(2), validId(m.group(1)), body, by);
        ManualReply reply = change(() -> awaitChange(parts.fleet().request(request), answerDeadline()));
        switch (reply.outcome()) {
            case UNKNOWN_PROFILE -> throw new ApiError(404, reply.refusal());
            case REFUSED -> throw new ApiError(409, reply.refusal());
            case UNAVAILABLE -> throw new ApiError(503, reply.refusal()); // not recorded, so not done
            case FAILED -> throw new ApiError(500, reply.refusal()); // the runner's fault, logged as internal-error
            default -> send(ex, request instanceof ManualRequest.RunNow ? 202 : 200, json(reply.state()));
        }
    }

    /**
     * Refuses any query on a route that takes none (http-api.md: unknown query parameters are a
     * 400 naming them; reviewer R22 found /api/pods, /api/report and the controls answering 200).
     */
    private static void noParameters(HttpExchange ex) {
        new Query(ex.getRequestURI().getRawQuery(), Set.of());
    }

    /** A profile route's action (one of {@link #PROFILE_ACTIONS}) as the loop's request. */
    private static ManualRequest request(String action, String id, JsonNode body, String by) {
        if (!action.equals("pause")) {
            RequestBodies.none(body, action);
        }
        return switch (action) {
            case "pause" -> RequestBodies.pause(id, body, by);
            case "unpause" -> new ManualRequest.Unpause(id, by);
            case "reset" -> new ManualRequest.ResetStreak(id, by);
            default -> new ManualRequest.RunNow(id, by);
        };
    }

    /**
     * One request per profile of the pod (as the runner has them now), all handed to the loop at
     * once, each with its own event: {@code done} (their new states), {@code refused} (each
     * profile's reason: already paused, not paused...) and {@code queued} (cluster mode: relayed to
     * a holder that has not applied it yet; the next holder will, as for one profile's 202).
     */
    private Map<String, Object> everyProfileOf(String pod, String action, JsonNode body, String by) throws Exception {
        List<String> ids = profileIdsOf(pod);
        // every request built (a bad body refused) before any is handed to the loop
        List<ManualRequest> requests = ids.stream().map(id -> request(action, id, body, by)).toList();
        List<Object> done = new ArrayList<>();
        List<Object> refused = new ArrayList<>();
        List<Object> queued = new ArrayList<>();
        change(() -> {
            List<CompletableFuture<ManualReply>> replies = parts.fleet().requestAll(requests);
            long deadline = answerDeadline(); // one wait for all of them
            for (int i = 0; i < ids.size(); i++) {
                try {
                    ManualReply reply = awaitChange(replies.get(i), deadline);
                    if (reply.outcome() == ManualReply.Outcome.DONE) {
                        done.add(json(reply.state()));
                    } else {
                        refused.add(Map.of("profileId", ids.get(i), "error", reply.refusal()));
                    }
                } catch (ControlQueued e) {
                    queued.add(Map.of("profileId", ids.get(i), "queued", e.getMessage()));
                }
            }
            return null;
        });
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("pod", pod);
        json.put("done", done);
        json.put("refused", refused);
        json.put("queued", queued);
        return json;
    }

    /**
     * {@code POST /api/reload?file=F} (the CLI's {@code reload -c F}): refused before anything is
     * read when the runner reads another file; the runner reloaded its own file, removed
     * profiles' sessions stopped, and only then the CLI said "not F" and exited 1 (reviewer R19).
     */
    private void requireOwnConfig(String file) {
        java.nio.file.Path own = parts.fleet().configFile();
        java.nio.file.Path asked;
        try {
            asked = java.nio.file.Path.of(file);
        } catch (java.nio.file.InvalidPathException e) {
            throw new ApiError(400, "file: not a path: \"" + Query.clip(file) + "\"");
        }
        if (!asked.isAbsolute()) {
            throw new ApiError(400, "file: expected an absolute path, got \"" + Query.clip(file) + "\"");
        }
        if (own != null && !io.smartrunner.FileIdentity.same(own, asked)) {
            throw new ApiError(409, "the running runner reads " + own + ", not " + Query.clip(file) + ": nothing was"
                    + " reloaded; to run " + Query.clip(file) + " restart the runner with it");
        }
    }

    private void reload(HttpExchange ex) throws Exception {
        ReloadSummary summary;
        try {
            summary = change(() -> awaitChange(parts.fleet().reload(), answerDeadline()));
        } catch (io.smartrunner.engine.ChangeNotRecorded e) {
            throw new ApiError(503, e.getMessage()); // as a pause that cannot be recorded: not the request's fault
        } catch (SmartRunnerException e) {
            throw new ApiError(400, e.getMessage());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("added", summary.added());
        body.put("removed", summary.removed());
        body.put("changed", summary.changed());
        body.put("applied", summary.applied());
        body.put("restartNeeded", summary.restartNeeded());
        body.put("restartNeededFor", summary.restartNeededFor());
        // the runner's own file, whatever file the client has: a CLI's -c may name another one
        body.put("config", summary.config() == null ? null : summary.config().toString());
        send(ex, 200, body);
    }

    private void requireToken(HttpExchange ex) {
        List<String> given = ex.getRequestHeaders().get("Authorization");
        if (given != null && given.size() > 1) {
            // which one counts would be the server's guess (the first did): refused (reviewer R10)
            throw new ApiError(400, "Authorization: given " + given.size() + " times, expected once");
        }
        if (!parts.token().presentedBy(ex)) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"smart-runner\"");
            throw new ApiError(401, "Authorization: missing or wrong bearer token");
        }
    }

    private void guardMutation(HttpExchange ex) {
        requireToken(ex);
        String origin = ex.getRequestHeaders().getFirst("Origin");
        if (origin != null && !origins.contains(origin)) {
            throw new ApiError(403, "Origin not allowed");
        }
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        if (type == null ? !withoutBody(ex) : !type.startsWith("application/json")) {
            throw new ApiError(415, "Content-Type: send application/json");
        }
    }

    /**
     * No body at all (no Content-Length, or 0, and not chunked): {@code curl -X POST} without
     * {@code -d} sends no Content-Type, and the routes without fields take no body (docs/http-api.md).
     */
    private static boolean withoutBody(HttpExchange ex) {
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        return ex.getRequestHeaders().getFirst("Transfer-Encoding") == null && (length == null || length.strip().equals("0"));
    }

    /** The spec's state object, plus its browser when there is a provider. */
    private Map<String, Object> json(ProfileState state) {
        Map<String, Object> json = ProfileStateJson.of(state);
        if (parts.browsers() != null) {
            json.put("browser", parts.browsers().apply(state.profileId()));
        }
        return json;
    }

    /** Each profile's JSON; in cluster mode with the runner it is on ({@code runner}, null when none). */
    private java.util.function.Function<ProfileState, Map<String, Object>> withRunner() {
        java.util.function.Function<String, String> on = parts.fleet().profileRunners();
        java.util.function.Predicate<String> held = parts.fleet().profilesHeld();
        return s -> {
            Map<String, Object> json = json(s);
            if (on != null) {
                json.put("runner", on.apply(s.profileId()));
            }
            if (held != null) {
                json.put("held", held.test(s.profileId()));
            }
            return json;
        };
    }

    /**
     * {@link #withRunner} written straight into the whole listing's stream: the same fields, in the
     * same order, without a map per profile ({@code ProfilesPagingTest} holds the two equal).
     */
    private ProfilesRoute.ProfileWriter everyWithRunner() {
        java.util.function.Function<String, String> on = parts.fleet().profileRunners();
        java.util.function.Predicate<String> held = parts.fleet().profilesHeld();
        java.util.function.Function<String, Map<String, Object>> browsers = parts.browsers();
        return (g, s) -> {
            g.writeStartObject();
            ProfileStateJson.write(g, s);
            if (browsers != null) {
                g.writeFieldName("browser");
                IN_STREAM.writeValue(g, browsers.apply(s.profileId()));
            }
            if (on != null) {
                g.writeStringField("runner", on.apply(s.profileId()));
            }
            if (held != null) {
                g.writeBooleanField("held", held.test(s.profileId()));
            }
            g.writeEndObject();
        };
    }

    private Map<String, Object> runners() throws Exception {
        return fleetRead(() -> parts.fleet().runners());
    }

    /** Every profile (in cluster mode, read from the database): /api/profiles, /summary, /profiles/{id}. */
    private List<ProfileState> profiles() throws Exception {
        return fleetRead(() -> answer(parts.fleet().profiles()));
    }

    /**
     * A read the cluster database answers (runners, the fleet's profiles and events): the database
     * may be out of reach, and that is a 503 with its one line, not an internal error.
     */
    private static <T> T fleetRead(Callable<T> read) throws Exception {
        try {
            return read.call();
        } catch (SmartRunnerException e) {
            throw new ApiError(503, e.getMessage());
        }
    }

    /** The pod's profiles as the runner has them now; 404 when it has none (no such pod). */
    private List<String> profileIdsOf(String pod) throws Exception {
        List<String> ids = profiles().stream().filter(p -> p.pod().equals(pod)).map(ProfileState::profileId).toList();
        if (ids.isEmpty()) {
            throw new ApiError(404, "no pod " + pod);
        }
        return ids;
    }

    private ProfileState profile(String id) throws Exception {
        return profiles().stream().filter(p -> p.profileId().equals(id)).findFirst()
                .orElseThrow(() -> new ApiError(404, "no profile " + id));
    }

    /** A read the loop answers: a 503 when it cannot wait (nothing was asked of the runner that changes anything). */
    private <T> T answer(Future<T> future) throws Exception {
        boolean waits = !future.isDone();
        if (waits && !loopWaiters.tryAcquire()) {
            throw busy();
        }
        try {
            return future.get(LOOP_ANSWER_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new ApiError(503, "the runner did not answer within " + LOOP_ANSWER_SECONDS + " s; try again");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } finally {
            if (waits) {
                loopWaiters.release();
            }
        }
    }

    /**
     * Runs {@code change} (which hands requests to the loop and waits with {@link #awaitChange})
     * holding a waiter's place taken before anything reaches the loop, so a 503 "busy" means
     * nothing was done (reviewer R14: the request was handed to the loop first, answered 503 "try
     * again", and carried out all the same: a retry was a 409, or a second reset).
     */
    private <T> T change(Callable<T> change) throws Exception {
        if (!loopWaiters.tryAcquire()) {
            throw busy();
        }
        try {
            return change.call();
        } finally {
            loopWaiters.release();
        }
    }

    private static long answerDeadline() {
        return System.nanoTime() + TimeUnit.SECONDS.toNanos(LOOP_ANSWER_SECONDS);
    }

    /**
     * One change's answer: its result, or the failure it was answered with. A change the loop has
     * not answered by {@code deadline} is still carried out when the loop comes to it: a
     * {@link ControlQueued} (202 with {@code queued}), never "try again".
     */
    private static <T> T awaitChange(Future<T> future, long deadline) throws Exception {
        try {
            return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new ControlQueued("not answered within " + LOOP_ANSWER_SECONDS + " s: the runner's engine loop has"
                    + " the request and carries it out when it comes to it; look at the state before asking again");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private static ApiError busy() {
        return new ApiError(503, "the runner is busy: " + LOOP_WAITERS
                + " requests already wait for its engine loop; nothing was done, try again");
    }

    private static String validId(String raw) {
        if (!ProfileId.isValid(raw)) {
            throw new ApiError(400, "profile id: expected " + ProfileId.PATTERN_TEXT + ", got \"" + Query.clip(raw) + "\"");
        }
        return raw;
    }

    /** GET /api/profiles without a query: every profile, streamed (chunked) as it is written. */
    private void sendEvery(HttpExchange ex, List<ProfileState> all, ProfilesRoute.ProfileWriter toJson)
            throws IOException {
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.sendResponseHeaders(200, 0);
        try (ex; java.io.OutputStream body = new java.io.BufferedOutputStream(ex.getResponseBody(), 64 * 1024)) {
            ProfilesRoute.writeAll(body, all, toJson);
        }
    }

    static void send(HttpExchange ex, int status, Object body) throws IOException {
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        RunnerHttpServer.send(ex, status, "application/json", JSON.writeValueAsBytes(body));
    }
}
