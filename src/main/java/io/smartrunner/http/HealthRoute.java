package io.smartrunner.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.smartrunner.health.RunnerHealth;
import io.smartrunner.health.Verdict;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code GET /healthz} (liveness) and {@code GET /readyz} (readiness), HEAD too: 200 {@code {"status":"ok"}},
 * or 503 {@code {"status":"failing","reasons":[...]}}. No token and any Host, so probes and load
 * balancers can ask; the reasons and {@code /readyz}'s notes go only to an allowed Host, since they
 * may name files (a web page in the user's browser could read them through DNS rebinding, reviewer
 * R9): any other Host gets the status alone, and a line saying where the rest is.
 */
final class HealthRoute implements HttpHandler {
    private final Function<RunnerHealth, Verdict> question;
    private final RunnerHealth health;
    private final boolean withNotes;
    /** The Host values told the reasons and notes ({@link HostAllowlist}). */
    private final Set<String> hosts;

    private HealthRoute(RunnerHealth health, Function<RunnerHealth, Verdict> question, boolean withNotes,
                        Set<String> hosts) {
        this.health = health;
        this.question = question;
        this.withNotes = withNotes;
        this.hosts = hosts;
    }

    /** @param health null = no engine (tools serving the demo site): always ok */
    static HealthRoute liveness(RunnerHealth health, Set<String> hosts) {
        return new HealthRoute(health, RunnerHealth::liveness, false, hosts);
    }

    static HealthRoute readiness(RunnerHealth health, Set<String> hosts) {
        // notes (e.g. new sessions held for host pressure) do not make the runner unready: it is able to work
        return new HealthRoute(health, RunnerHealth::readiness, true, hosts);
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        if (!path.equals("/healthz") && !path.equals("/readyz")) {
            RunnerHttpServer.send(ex, 404, "text/plain", "not found");
            return;
        }
        // load balancers probe with HEAD: the same status and head, without the body (RunnerHttpServer.send)
        if (!ex.getRequestMethod().equals("HEAD") && !ex.getRequestMethod().equals("GET")) {
            ex.getResponseHeaders().set("Allow", "GET, HEAD");
            RunnerHttpServer.send(ex, 405, "text/plain", "use GET");
            return;
        }
        Verdict verdict = health == null ? Verdict.OK : question.apply(health);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        List<String> notes = withNotes && health != null ? health.notes() : List.of();
        int status = verdict.ok() ? 200 : 503;
        if (!HostAllowlist.allows(hosts, ex.getRequestHeaders().getFirst("Host"))
                && (!verdict.ok() || !notes.isEmpty())) {
            RunnerHttpServer.send(ex, status, "application/json", statusAlone(verdict));
            return;
        }
        RunnerHttpServer.send(ex, status, "application/json", json(verdict, notes));
    }

    private static String statusAlone(Verdict verdict) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", verdict.ok() ? "ok" : "failing");
        body.put("detail", "reasons and notes are shown to a request with an allowed Host (127.0.0.1, localhost,"
                + " the bind address, http.allowedHosts)");
        return write(body);
    }

    static String json(Verdict verdict) {
        return json(verdict, List.of());
    }

    /** {@code notes}: what an operator should know although the answer is unchanged (listed only when there are some). */
    static String json(Verdict verdict, List<String> notes) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", verdict.ok() ? "ok" : "failing");
        if (!verdict.ok()) {
            body.put("reasons", verdict.reasons());
        }
        if (!notes.isEmpty()) {
            body.put("notes", notes);
        }
        return write(body);
    }

    private static String write(Map<String, Object> body) {
        try {
            return ApiHandler.JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
