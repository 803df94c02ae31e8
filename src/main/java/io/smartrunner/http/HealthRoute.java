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
import java.util.function.Function;

/**
 * {@code GET /healthz} (liveness) and {@code GET /readyz} (readiness), HEAD too: 200 {@code {"status":"ok"}},
 * or 503 {@code {"status":"failing","reasons":[...]}}. No token and no Host check, so probes and
 * load balancers can ask; the reasons say what is wrong, not what is configured.
 */
final class HealthRoute implements HttpHandler {
    private final Function<RunnerHealth, Verdict> question;
    private final RunnerHealth health;
    private final boolean withNotes;

    private HealthRoute(RunnerHealth health, Function<RunnerHealth, Verdict> question, boolean withNotes) {
        this.health = health;
        this.question = question;
        this.withNotes = withNotes;
    }

    /** @param health null = no engine (tools serving the demo site): always ok */
    static HealthRoute liveness(RunnerHealth health) {
        return new HealthRoute(health, RunnerHealth::liveness, false);
    }

    static HealthRoute readiness(RunnerHealth health) {
        // notes (e.g. new sessions held for host pressure) do not make the runner unready: it is able to work
        return new HealthRoute(health, RunnerHealth::readiness, true);
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        if (!path.equals("/healthz") && !path.equals("/readyz")) {
            RunnerHttpServer.send(ex, 404, "text/plain", "not found");
            return;
        }
        // load balancers probe with HEAD: the same status, without the body
        boolean head = ex.getRequestMethod().equals("HEAD");
        if (!head && !ex.getRequestMethod().equals("GET")) {
            ex.getResponseHeaders().set("Allow", "GET, HEAD");
            RunnerHttpServer.send(ex, 405, "text/plain", "use GET");
            return;
        }
        Verdict verdict = health == null ? Verdict.OK : question.apply(health);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        List<String> notes = withNotes && health != null ? health.notes() : List.of();
        int status = verdict.ok() ? 200 : 503;
        if (head) {
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(status, -1);
            ex.close();
            return;
        }
        RunnerHttpServer.send(ex, status, "application/json", json(verdict, notes));
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
        try {
            return ApiHandler.JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
