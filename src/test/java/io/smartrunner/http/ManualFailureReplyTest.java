package io.smartrunner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.HttpSettings;
import io.smartrunner.engine.ManualReply;
import io.smartrunner.engine.ManualRequest;
import io.smartrunner.event.Redactor;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.time.TimeSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A manual request whose handling threw in the engine loop is answered 500, with the reason. */
class ManualFailureReplyTest {
    private static final String TOKEN = "failure-reply-token";

    @TempDir
    Path dir;

    @Test
    void aFailedRequestIsA500NotADoneAndNotAHang() throws Exception {
        FleetControl fleet = new StubFleet() {
            @Override
            public CompletableFuture<ManualReply> request(ManualRequest request) {
                return CompletableFuture.completedFuture(new ManualReply(ManualReply.Outcome.FAILED,
                        ProfileState.fresh(request.profileId(), "podA"),
                        "internal error, see the runner's log: java.lang.IllegalStateException: stop broke"));
            }
        };
        Path log = Files.createFile(dir.resolve("events.jsonl"));
        ApiParts api = new ApiParts(fleet, ApiToken.configuredOrGenerated(TOKEN, dir, p -> { }), log, dir, null,
                new NewEvents(), new Redactor(Set.of()), TimeSource.system(), null);
        try (RunnerHttpServer server = RunnerHttpServer.start(new HttpSettings("127.0.0.1", 0, null), api, null)) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + server.port() + "/api/profiles/p1/pause"))
                    .timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"durationMs\": 60000}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(500, r.statusCode(), r.body());
            assertTrue(r.body().contains("IllegalStateException: stop broke"), r.body());
        }
    }
}
