package io.smartrunner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smartrunner.config.HttpSettings;
import io.smartrunner.event.Redactor;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.time.TimeSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GET /api/profiles pages and filters, and GET /api/summary, on the real HTTP server over a fleet
 * of 2 500 profiles in 5 pods: profile i is paused when i % 10 == 0, else running when i % 10 == 1,
 * else needs recovery when i % 10 == 2, else idle; its error streak is i % 3.
 */
class ProfilesPagingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FLEET = 2500;

    @TempDir
    Path dir;
    private RunnerHttpServer server;
    private final List<ProfileState> fleet = new ArrayList<>();

    private static ProfileState profile(int i) {
        boolean paused = i % 10 == 0;
        Instant at = Instant.parse("2026-12-03T12:00:00.123456Z").plusMillis(i);
        return new ProfileState("Prof-%04d".formatted(i), "pod" + (i % 5), i % 3, i % 10 == 1, i % 10 == 2, paused,
                paused ? Instant.parse("2030-01-01T00:00:00Z") : null, i % 4 == 0 ? null : "s-" + i,
                i % 3 == 0 ? "exit \"" + i + "\" é" : null, i % 2 == 0 ? at : null, i % 5 == 0 ? null : at.plusSeconds(2),
                i % 7, paused ? at : null);
    }

    @BeforeEach
    void start() throws Exception {
        IntStream.range(0, FLEET).forEach(i -> fleet.add(profile(i)));
        FleetControl control = new StubFleet() {
            @Override
            public CompletableFuture<List<ProfileState>> profiles() {
                return CompletableFuture.completedFuture(List.copyOf(fleet));
            }
        };
        Path log = Files.createFile(dir.resolve("events.jsonl"));
        ApiParts api = new ApiParts(control, ApiToken.configuredOrGenerated("paging-token", dir, p -> { }), log, dir, null,
                new NewEvents(), new Redactor(Set.of()), TimeSource.system(),
                id -> id.endsWith("3") ? Map.of("state", "open", "pid", 42) : null);
        server = RunnerHttpServer.start(new HttpSettings("127.0.0.1", 0, null), api, null);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String pathAndQuery) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + pathAndQuery)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode ok(String pathAndQuery) throws Exception {
        HttpResponse<String> r = get(pathAndQuery);
        assertEquals(200, r.statusCode(), pathAndQuery + ": " + r.body());
        return JSON.readTree(r.body());
    }

    private static List<String> ids(JsonNode profiles) {
        List<String> ids = new ArrayList<>();
        profiles.forEach(p -> ids.add(p.get("profileId").asText()));
        return ids;
    }

    @Test
    void withoutAQueryTheWholeFleetIsAnsweredAsBeforeNeverAFirstPage() throws Exception {
        JsonNode all = ok("/api/profiles");
        assertTrue(all.isArray(), "the same bare array as before pagination");
        assertEquals(FLEET, all.size());
        assertEquals(fleet.stream().map(ProfileState::profileId).toList(), ids(all), "in configuration order");
    }

    @Test
    void theWholeListingSaysOfEachProfileWhatItsPageSays() throws Exception {
        JsonNode all = ok("/api/profiles");
        List<JsonNode> paged = new ArrayList<>();
        JsonNode page = ok("/api/profiles?limit=1000");
        page.get("profiles").forEach(paged::add);
        while (!page.get("next").isNull()) {
            page = ok("/api/profiles?limit=1000&after=" + page.get("next").asText());
            page.get("profiles").forEach(paged::add);
        }
        assertEquals(paged.size(), all.size());
        for (int i = 0; i < paged.size(); i++) {
            assertEquals(paged.get(i), all.get(i), "profile " + i + ": streamed and paged alike");
        }
        assertEquals("open", all.get(3).get("browser").get("state").asText(), "the browser, as a page shows it");
    }

    @Test
    void followingNextWalksTheWholeFleetOnceInConfigurationOrder() throws Exception {
        JsonNode first = ok("/api/profiles?limit=1000");
        assertEquals(FLEET, first.get("total").asInt());
        assertEquals(0, first.get("offset").asInt());
        assertEquals(1000, first.get("limit").asInt());
        List<String> seen = new ArrayList<>(ids(first.get("profiles")));
        JsonNode page = first;
        int pages = 1;
        while (!page.get("next").isNull()) {
            page = ok("/api/profiles?limit=1000&after=" + page.get("next").asText());
            assertEquals(seen.size(), page.get("offset").asInt(), "where this page starts among the matches");
            seen.addAll(ids(page.get("profiles")));
            pages++;
        }
        assertEquals(3, pages);
        assertEquals(fleet.stream().map(ProfileState::profileId).toList(), seen, "each profile once, in order");
        assertEquals(100, ok("/api/profiles?pod=pod1").get("profiles").size(), "100 a page by default");
    }

    @Test
    void filtersByPodStateAndPartOfTheIdAndCountTheirTotal() throws Exception {
        JsonNode paused = ok("/api/profiles?pod=pod0&state=paused&limit=1000");
        assertEquals(250, paused.get("total").asInt(), "i % 10 == 0 are all in pod0");
        paused.get("profiles").forEach(p -> assertTrue(p.get("flags").get("paused").asBoolean(), p.toString()));
        assertEquals(0, ok("/api/profiles?pod=pod1&state=paused").get("total").asInt());
        JsonNode running = ok("/api/profiles?state=running&limit=5");
        assertEquals(250, running.get("total").asInt());
        assertEquals(List.of("Prof-0001", "Prof-0011", "Prof-0021", "Prof-0031", "Prof-0041"), ids(running.get("profiles")));
        assertEquals("Prof-0041", running.get("next").asText());
        assertEquals(250, ok("/api/profiles?state=needs-recovery").get("total").asInt());
        assertEquals(1750, ok("/api/profiles?state=idle").get("total").asInt(), "the states add up to the fleet");
        assertEquals(1666, ok("/api/profiles?state=failing").get("total").asInt(), "error streak above 0");
        JsonNode text = ok("/api/profiles?q=prof-012&limit=1000");
        assertEquals(List.of("Prof-0120", "Prof-0121", "Prof-0122", "Prof-0123", "Prof-0124", "Prof-0125", "Prof-0126",
                "Prof-0127", "Prof-0128", "Prof-0129"), ids(text.get("profiles")), "part of the id, any case");
        assertTrue(text.get("next").isNull(), "the last page");
    }

    @Test
    void anOffsetJumpsToAnyPageAndTheLastPageHasNoNext() throws Exception {
        JsonNode page = ok("/api/profiles?offset=2450&limit=100");
        assertEquals(2450, page.get("offset").asInt());
        assertEquals(50, page.get("profiles").size());
        assertEquals("Prof-2450", page.get("profiles").get(0).get("profileId").asText());
        assertTrue(page.get("next").isNull());
        JsonNode filtered = ok("/api/profiles?pod=pod3&offset=10&limit=2");
        assertEquals(List.of("Prof-0053", "Prof-0058"), ids(filtered.get("profiles")), "the 11th and 12th of pod3");
        assertEquals(0, ok("/api/profiles?offset=99999").get("profiles").size(), "past the end: an empty page");
    }

    @Test
    void aBadParameterIsA400NamingItAndWhatWasExpected() throws Exception {
        List<String[]> cases = List.of(
                new String[] {"limit=0", "limit: expected an integer from 1 to 1000, got \"0\""},
                new String[] {"limit=1001", "limit: expected an integer from 1 to 1000"},
                new String[] {"limit=ten", "limit: expected an integer"},
                new String[] {"offset=-1", "offset: expected an integer from 0"},
                new String[] {"state=broken", "state: expected one of running, paused, needs-recovery, idle, failing, got \"broken\""},
                new String[] {"pod=.hidden", "pod: expected [A-Za-z0-9]"},
                new String[] {"q=a%20b", "q: expected part of a profile id"},
                new String[] {"after=Ghost-1", "after: no profile Ghost-1"},
                new String[] {"after=Prof-0001&offset=3", "after: give either after (a cursor) or offset, not both"},
                new String[] {"page=2", "query: unknown parameter \"page\""},
                new String[] {"limit=1&limit=2", "query: limit given twice"},
                // were taken as the default (empty) or as 5 (a sign): a number is digits
                new String[] {"limit=", "limit: expected an integer from 1 to 1000, got \"\""},
                new String[] {"offset=", "offset: expected an integer from 0"},
                new String[] {"limit=%2B5", "limit: expected an integer from 1 to 1000, got \"+5\""});
        for (String[] c : cases) {
            HttpResponse<String> r = get("/api/profiles?" + c[0]);
            assertEquals(400, r.statusCode(), c[0] + ": " + r.body());
            String error = JSON.readTree(r.body()).get("error").asText();
            assertTrue(error.startsWith(c[1]), c[0] + " -> " + error);
            assertFalse(error.contains("\n"), "one line");
        }
        assertEquals(400, get("/api/summary?pod=pod1").statusCode(), "the summary takes no parameter");
        // nor do these (reviewer R22: a 200 that ignored the query, though http-api.md promises a 400)
        for (String path : List.of("/api/pods?pod=nosuch", "/api/report?pod=nosuch", "/api/runners?pod=nosuch",
                "/api/profiles/Prof-0001?pod=nosuch", "/api/profiles/Nobody?pod=nosuch")) {
            HttpResponse<String> r = get(path);
            assertEquals(400, r.statusCode(), path + ": " + r.body());
            assertTrue(JSON.readTree(r.body()).get("error").asText().startsWith("query: unknown parameter \"pod\""),
                    path + ": " + r.body());
        }
        assertEquals(200, get("/api/profiles/Prof-0001").statusCode(), "the same route without a query");
        HttpResponse<String> kind = get("/api/events?event=bogus");
        assertEquals(400, kind.statusCode(), "a misspelt kind, as the CLI's --event: " + kind.body());
        assertTrue(kind.body().contains("\\\"bogus\\\" is not an event kind, expected one of start,"), kind.body());
        assertEquals(200, get("/api/profiles?q=").statusCode(), "an empty text filter is no filter");
    }

    @Test
    void theSummaryCountsEachStateInTheFleetAndPerPod() throws Exception {
        JsonNode s = ok("/api/summary");
        assertEquals(FLEET, s.get("total").asInt());
        assertEquals(JSON.readTree("{\"running\": 250, \"paused\": 250, \"needs-recovery\": 250, \"idle\": 1750}"), s.get("states"));
        assertEquals(1666, s.get("failing").asInt());
        assertEquals(List.of("pod0", "pod1", "pod2", "pod3", "pod4"), s.get("pods").findValuesAsText("pod"), "in order");
        JsonNode pod0 = s.get("pods").get(0);
        assertEquals(500, pod0.get("total").asInt());
        assertEquals(250, pod0.get("states").get("paused").asInt(), "every paused profile is in pod0");
        assertEquals(0, s.get("pods").get(1).get("states").get("paused").asInt());
        assertFalse(s.toString().contains("Prof-"), "counts only, no profile");
    }
}
