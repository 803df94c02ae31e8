package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smartrunner.testkit.CliProcess;
import io.smartrunner.testkit.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real runner processes on one PostgreSQL, one labelled {@code adspower}: the three profiles
 * pinned to that label wait (and {@code runners} says so) while only the unlabelled runner is up,
 * then run on the labelled runner only; the unpinned ones run on both.
 */
@Tag("e2e")
class ClusterPlacementE2ETest {
    private static final String PASSWORD_VAR = "SR_PG_PASSWORD";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> PINNED = Set.of("a1", "a2", "a3");
    private static final List<String> UNPINNED = List.of("p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9");

    @TempDir
    Path dir;
    private final List<CliProcess> started = new ArrayList<>();

    private Path config(String name, String labels, String url) throws IOException {
        Path home = Files.createDirectories(dir.resolve(name));
        StringBuilder profiles = new StringBuilder();
        for (String p : new TreeSet<>(PINNED)) {
            profiles.append(profiles.length() == 0 ? "" : ", ").append("{\"id\": \"").append(p)
                    .append("\", \"runOn\": [\"adspower\"]}");
        }
        for (String p : UNPINNED) {
            profiles.append(", {\"id\": \"").append(p).append("\"}");
        }
        return Files.writeString(home.resolve("fleet.json"), """
                {"runner": {"startJitterMs": 0, "name": "%s", "labels": %s, "globalConcurrency": 3},
                 "http": {"port": 0}, "browser": {"provider": "none"},
                 "store": {"kind": "postgres", "url": "%s", "user": "postgres", "password": "${env:%s}"},
                 "cluster": {"leaseTtlMs": 6000, "renewEveryMs": 500, "renewDeadlineMs": 5000},
                 "session": {"command": ["/bin/sh", "-c", "sleep 0.3"], "cooldownMs": 200, "stopGraceMs": 500},
                 "pods": [{"name": "pod", "concurrency": 12, "profiles": [%s]}]}
                """.formatted(name, labels, url, PASSWORD_VAR, profiles));
    }

    private CliProcess start(Path cfg) throws IOException {
        CliProcess p = CliProcess.start(cfg.getParent(), Map.of(PASSWORD_VAR, PostgresServer.PASSWORD),
                "run", "-c", cfg.toString());
        started.add(p);
        return p;
    }

    /** {@code smart-runner runners --json} for this config: the database's runners and the waiting profiles. */
    private JsonNode runners(Path cfg) throws Exception {
        CliProcess p = CliProcess.start(dir, Map.of(PASSWORD_VAR, PostgresServer.PASSWORD),
                "runners", "-c", cfg.toString(), "--json");
        assertTrue(p.process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.process.exitValue(), p.err());
        return JSON.readTree(p.out());
    }

    /** Profiles with a start event in this runner's log. */
    private Set<String> startedOn(String runner) throws IOException {
        Path log = dir.resolve(runner).resolve("logs/events.jsonl");
        Set<String> out = new TreeSet<>();
        if (Files.exists(log)) {
            for (String line : Files.readAllLines(log)) {
                if (line.startsWith("{")) {
                    JsonNode e = JSON.readTree(line);
                    if ("start".equals(e.path("event").asText())) {
                        out.add(e.path("profileId").asText());
                    }
                }
            }
        }
        return out;
    }

    private boolean ran(String runner, java.util.Collection<String> profiles) {
        try {
            return startedOn(runner).containsAll(profiles);
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void pinnedProfilesWaitForAndRunOnlyOnTheLabelledRunnerAndUnpinnedOnesSpread() throws Exception {
        String url = PostgresServer.shared().newDatabase("e2e_placement");
        try {
            Path plainCfg = config("plain", "[]", url);
            CliProcess plain = start(plainCfg);
            CliProcess.await("plain ran every unpinned profile", 120_000, () -> ran("plain", UNPINNED));
            JsonNode view = runners(plainCfg);
            assertEquals(3, view.path("waitingCount").asInt(), view.toString());
            assertEquals("waiting for a live runner labelled adspower", view.path("waiting").path(0).path("why").asText());

            CliProcess ads = start(config("ads", "[\"adspower\"]", url));
            CliProcess.await("ads ran every pinned profile and some unpinned one", 120_000, () -> {
                try {
                    Set<String> on = startedOn("ads");
                    return on.containsAll(PINNED) && on.stream().anyMatch(UNPINNED::contains);
                } catch (IOException e) {
                    return false;
                }
            });
            Set<String> onPlain = startedOn("plain");
            onPlain.retainAll(PINNED);
            assertEquals(Set.of(), onPlain, "a runner without the label never starts a pinned profile");
            JsonNode after = runners(plainCfg);
            assertEquals(0, after.path("waitingCount").asInt(), after.toString());

            for (CliProcess p : List.of(plain, ads)) {
                p.process.destroy();
                assertTrue(p.process.waitFor(60, TimeUnit.SECONDS));
            }
            onPlain = startedOn("plain");
            onPlain.retainAll(PINNED);
            assertEquals(Set.of(), onPlain);
        } finally {
            for (CliProcess p : started) {
                p.process.destroyForcibly();
            }
        }
    }
}
