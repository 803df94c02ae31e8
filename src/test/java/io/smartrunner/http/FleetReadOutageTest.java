package io.smartrunner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smartrunner.config.HttpSettings;
import io.smartrunner.event.EventFilter;
import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.Redactor;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.store.StoreException;
import io.smartrunner.time.TimeSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: during a database outage GET /api/profiles answered 500 "internal error: StoreException";
 * every read the cluster database answers is a 503 with the database's one line, as /api/runners was.
 */
class FleetReadOutageTest {
    private static final String TOKEN = "fleet-outage-token";
    private static final String DOWN = "PostgreSQL at 127.0.0.1:5432: cannot connect (connection refused)";

    @TempDir
    Path dir;

    /** A fleet whose database is out of reach, as FleetView and FleetMode's event pages are then. */
    private static final class DatabaseDown extends StubFleet implements EventPages {
        @Override
        public CompletableFuture<List<ProfileState>> profiles() {
            throw new StoreException(DOWN, null); // RecentFleetProfiles reads on the caller's thread
        }

        @Override
        public Map<String, Object> runners() {
            throw new StoreException(DOWN, null);
        }

        @Override
        public EventLogReader.Page pageAfter(long after, int limit, EventFilter filter) {
            throw new StoreException(DOWN, null);
        }

        @Override
        public EventLogReader.Page pageBefore(long before, int limit, EventFilter filter) {
            throw new StoreException(DOWN, null);
        }

        @Override
        public long end() {
            throw new StoreException(DOWN, null);
        }
    }

    @Test
    void fleetReadsAre503WithTheDatabasesLineWhileItIsDown() throws Exception {
        DatabaseDown down = new DatabaseDown();
        Path log = Files.createFile(dir.resolve("events.jsonl"));
        ApiParts api = new ApiParts(down, ApiToken.configuredOrGenerated(TOKEN, dir, p -> { }), log, dir, null,
                new NewEvents(), new Redactor(Set.of()), TimeSource.system(), null, down);
        try (RunnerHttpServer server = RunnerHttpServer.start(new HttpSettings("127.0.0.1", 0, null), api, null)) {
            for (String path : List.of("/api/profiles", "/api/profiles?limit=10", "/api/summary", "/api/profiles/p1",
                    "/api/runners", "/api/events", "/api/events/stream")) {
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + server.port() + path))
                        .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + TOKEN).GET().build(),
                        HttpResponse.BodyHandlers.ofString());

                assertEquals(503, r.statusCode(), path + ": " + r.body());
                assertEquals("{\"error\":\"" + DOWN + "\"}", r.body(), path);
            }
        }
    }
}
