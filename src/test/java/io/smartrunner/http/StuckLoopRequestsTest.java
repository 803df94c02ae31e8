package io.smartrunner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.breaker.PodStatus;
import io.smartrunner.config.HttpSettings;
import io.smartrunner.event.Redactor;
import io.smartrunner.testkit.Await;
import io.smartrunner.time.TimeSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stuck engine loop and a flood of requests that wait for it (the dashboard polls /api/pods every
 * 2 s): at most {@link ApiHandler#LOOP_WAITERS} wait, the rest are told at once, and {@code /healthz}
 * keeps a thread. Before, 60 such requests took every thread of the pool for 10 s.
 */
class StuckLoopRequestsTest {
    private static final int FLOOD = 60;
    @TempDir
    Path dir;

    @Test
    void requestsBeyondTheWaitersAreRefusedAtOnceAndHealthStillAnswers() throws Exception {
        CompletableFuture<List<PodStatus>> stuck = new CompletableFuture<>();
        FleetControl fleet = new StubFleet() {
            @Override
            public CompletableFuture<List<PodStatus>> pods() {
                return stuck;
            }
        };
        ApiParts api = new ApiParts(fleet, ApiToken.configuredOrGenerated("stuck-loop-test-token", dir, p -> { }),
                Files.createFile(dir.resolve("events.jsonl")), dir, null, new NewEvents(), new Redactor(Set.of()),
                TimeSource.system(), null);
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try (RunnerHttpServer server = RunnerHttpServer.start(new HttpSettings("127.0.0.1", 0, null), api, null)) {
            URI pods = URI.create("http://127.0.0.1:" + server.port() + "/api/pods");
            List<CompletableFuture<HttpResponse<String>>> flood = new ArrayList<>();
            for (int i = 0; i < FLOOD; i++) {
                flood.add(client.sendAsync(HttpRequest.newBuilder(pods).build(), HttpResponse.BodyHandlers.ofString()));
            }
            Await.until((FLOOD - ApiHandler.LOOP_WAITERS) + " requests refused while the loop is stuck",
                    Duration.ofSeconds(30), () -> flood.stream().filter(CompletableFuture::isDone).count()
                            == FLOOD - ApiHandler.LOOP_WAITERS);
            for (CompletableFuture<HttpResponse<String>> f : flood) {
                if (f.isDone()) {
                    assertEquals(503, f.join().statusCode());
                    assertEquals("{\"error\":\"the runner is busy: 8 requests already wait for its engine loop;"
                            + " nothing was done, try again\"}", f.join().body());
                }
            }
            HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + server.port() + "/healthz")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), "while " + ApiHandler.LOOP_WAITERS + " requests still wait");

            stuck.complete(List.of()); // the loop turns again: the waiting ones are answered
            long answered = flood.stream().map(CompletableFuture::join).filter(r -> r.statusCode() == 200).count();
            assertEquals(ApiHandler.LOOP_WAITERS, answered);
            assertTrue(client.send(HttpRequest.newBuilder(pods).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode() == 200, "and the permits were given back");
        }
    }

    /**
     * Reviewer R14: a change refused as "busy" had been handed to the loop first, and was carried
     * out all the same (a retry was then a 409, or a second reset). Only the changes that got a
     * waiter's place reach the loop now.
     */
    @Test
    void aChangeRefusedAsBusyNeverReachesTheLoop() throws Exception {
        CompletableFuture<io.smartrunner.engine.ManualReply> stuck = new CompletableFuture<>();
        java.util.concurrent.atomic.AtomicInteger reachedTheLoop = new java.util.concurrent.atomic.AtomicInteger();
        FleetControl fleet = new StubFleet() {
            @Override
            public CompletableFuture<io.smartrunner.engine.ManualReply> request(io.smartrunner.engine.ManualRequest r) {
                reachedTheLoop.incrementAndGet();
                return stuck;
            }
        };
        String token = "stuck-loop-test-token";
        ApiParts api = new ApiParts(fleet, ApiToken.configuredOrGenerated(token, dir, p -> { }),
                Files.createFile(dir.resolve("events.jsonl")), dir, null, new NewEvents(), new Redactor(Set.of()),
                TimeSource.system(), null);
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try (RunnerHttpServer server = RunnerHttpServer.start(new HttpSettings("127.0.0.1", 0, null), api, null)) {
            List<CompletableFuture<HttpResponse<String>>> flood = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                flood.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                        + "/api/profiles/p" + i + "/reset")).header("Authorization", "Bearer " + token)
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()));
            }
            Await.until("22 changes refused while the loop is stuck", Duration.ofSeconds(30),
                    () -> flood.stream().filter(CompletableFuture::isDone).count() == 30 - ApiHandler.LOOP_WAITERS);

            assertEquals(ApiHandler.LOOP_WAITERS, reachedTheLoop.get(), "only those that wait reached the loop");
            for (CompletableFuture<HttpResponse<String>> f : flood) {
                if (f.isDone()) {
                    assertEquals(503, f.join().statusCode());
                    assertTrue(f.join().body().contains("nothing was done, try again"), f.join().body());
                }
            }
            stuck.complete(new io.smartrunner.engine.ManualReply(io.smartrunner.engine.ManualReply.Outcome.DONE,
                    io.smartrunner.profile.ProfileState.fresh("p0", "podA"), null));
            assertEquals(ApiHandler.LOOP_WAITERS, flood.stream().map(CompletableFuture::join)
                    .filter(r -> r.statusCode() == 200).count());
        }
    }
}
