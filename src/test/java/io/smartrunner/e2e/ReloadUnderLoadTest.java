package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventRecord;
import io.smartrunner.testkit.CliProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reloads through the API while 8 sessions at a time come and go: each reload's summary is
 * exactly the difference of the files, no removed profile starts after its reload was answered,
 * every session ends exactly once, and the runner stops cleanly.
 */
@Tag("e2e")
class ReloadUnderLoadTest {
    private static final String TOKEN = "reload-test-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private void writeConfig(Path cfg, Set<String> ids) throws IOException {
        String profiles = ids.stream().map(id -> "{\"id\": \"" + id + "\"}").collect(Collectors.joining(", "));
        Files.writeString(cfg, """
                {"runner": {"startJitterMs": 0, "globalConcurrency": 8}, "http": {"port": 0, "token": "%s"},
                 "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sh", "-c", "sleep 0.0$(($$ %% 9)); exit $(($$ %% 5 == 0))"], "cooldownMs": 0},
                 "recovery": {"maxErrorStreak": 1000},
                 "pods": [{"name": "podA", "concurrency": 8, "profiles": [%s]}]}""".formatted(TOKEN, profiles));
    }

    private List<EventRecord> events() {
        return EventLogReader.readAll(dir.resolve("logs/events.jsonl"));
    }

    @Test
    void reloadsUnderLoadAddAndRemoveProfilesWithNothingLost() throws Exception {
        Path cfg = dir.resolve("fleet.json");
        Random random = new Random(42);
        Set<String> current = new TreeSet<>();
        for (int i = 0; i < 12; i++) {
            current.add("p" + i);
        }
        writeConfig(cfg, current);
        CliProcess runner = CliProcess.start(dir, "run", "-c", cfg.toString());
        URI reload = URI.create("http://127.0.0.1:" + runner.httpPort() + "/api/reload");
        HttpClient http = HttpClient.newHttpClient();
        CliProcess.await("sessions are running", 20_000, () -> events().stream().filter(e -> e.event().equals("finish")).count() > 20);

        /* when each reload was answered (log length then) and which profiles were configured from then on */
        List<Long> answeredAt = new ArrayList<>();
        List<Long> sentAt = new ArrayList<>();
        List<Set<String>> configured = new ArrayList<>();
        int next = 12;
        for (int round = 0; round < 8; round++) {
            Set<String> wanted = new TreeSet<>(current);
            List<String> pick = new ArrayList<>(current);
            for (int r = 0; r < 3; r++) {
                wanted.remove(pick.get(random.nextInt(pick.size())));
            }
            for (int a = 0; a < 2 + random.nextInt(2); a++) {
                wanted.add("p" + next++);
            }
            writeConfig(cfg, wanted);
            sentAt.add(Files.size(dir.resolve("logs/events.jsonl")));
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(reload)
                    .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            answeredAt.add(Files.size(dir.resolve("logs/events.jsonl")));
            assertEquals(200, answer.statusCode(), answer.body());
            JsonNode summary = JSON.readTree(answer.body());
            assertEquals(difference(wanted, current), strings(summary.get("added")), "added in round " + round);
            assertEquals(difference(current, wanted), strings(summary.get("removed")), "removed in round " + round);
            configured.add(wanted);
            current = wanted;
            Set<String> added = strings(summary.get("added"));
            CliProcess.await("the added profiles run", 20_000, () -> events().stream()
                    .filter(e -> e.event().equals("start")).map(EventRecord::profileId).collect(Collectors.toSet())
                    .containsAll(added));
        }
        // the stop, too, comes under load: a slow machine takes longer to get there, not fewer sessions
        CliProcess.await("more than 100 sessions started", 60_000, () -> events().stream()
                .filter(e -> e.event().equals("start")).count() > 100);
        runner.process.destroy();
        assertTrue(runner.process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, runner.process.exitValue(), runner.err());

        List<EventRecord> log = events();
        Map<String, Integer> ends = new HashMap<>();
        Set<String> started = new HashSet<>();
        for (EventRecord e : log) {
            if (e.event().equals("start")) {
                assertTrue(started.add(e.sessionId()), "one start per session");
            } else if (e.event().equals("finish") || e.event().equals("error")) {
                ends.merge(e.sessionId(), 1, Integer::sum);
            }
        }
        assertEquals(started, ends.keySet(), "every started session ended");
        assertTrue(ends.values().stream().allMatch(n -> n == 1), "and exactly once");
        assertTrue(started.size() > 100, "under load: " + started.size() + " sessions");

        // no profile starts after the reload that removed it was answered
        EventLogReader reader = new EventLogReader(dir.resolve("logs/events.jsonl"));
        for (int round = 0; round < answeredAt.size(); round++) {
            Set<String> allowed = configured.get(round);
            long from = answeredAt.get(round);
            long to = round + 1 < sentAt.size() ? sentAt.get(round + 1) : Long.MAX_VALUE;
            EventLogReader.Page page = reader.pageAfter(from, 1_000_000, e -> e.event().equals("start"));
            for (int i = 0; i < page.events().size(); i++) {
                if (page.ends().get(i) <= to) {
                    String id = page.events().get(i).profileId();
                    assertTrue(allowed.contains(id), id + " started after round " + round + " removed it");
                }
            }
        }
    }

    private static Set<String> difference(Set<String> a, Set<String> b) {
        Set<String> d = new TreeSet<>(a);
        d.removeAll(b);
        return d;
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> out = new TreeSet<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
