package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smartrunner.testkit.CliProcess;
import io.smartrunner.testkit.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real runner processes on one PostgreSQL share a pod of six profiles with concurrency 2: from
 * the stamps the session children write themselves, at no instant do more than 2 sessions of the
 * pod run across both runners, and both runners run sessions.
 */
@Tag("e2e")
class PodSlotsE2ETest {
    private static final String PASSWORD_VAR = "SR_PG_PASSWORD";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> PROFILES = IntStream.rangeClosed(1, 6).mapToObj(i -> "p" + i).toList();
    /** Writes a start stamp, runs 0.6 s, writes an end stamp (also when stopped: SIGTERM is trapped). */
    private static final String CHILD = "f=\"$STAMPS\"; s=\"$RUNNER $SR_SESSION_ID\";"
            + " echo \"start $s $(date +%s%N)\" >> \"$f\";"
            + " trap 'echo \"end $s $(date +%s%N)\" >> \"$f\"; exit 143' TERM;"
            + " sleep 0.6 & wait $!; echo \"end $s $(date +%s%N)\" >> \"$f\"";

    @TempDir
    Path dir;

    private Path config(String name, String url, Path stamps) throws IOException {
        Path home = Files.createDirectories(dir.resolve(name));
        StringBuilder profiles = new StringBuilder();
        for (String p : PROFILES) {
            profiles.append(profiles.length() == 0 ? "" : ", ").append("{\"id\": \"").append(p).append("\"}");
        }
        return Files.writeString(home.resolve("fleet.json"), """
                {"runner": {"startJitterMs": 0, "name": "%s", "globalConcurrency": 4},
                 "http": {"port": 0}, "browser": {"provider": "none"},
                 "store": {"kind": "postgres", "url": "%s", "user": "postgres", "password": "${env:%s}"},
                 "cluster": {"leaseTtlMs": 6000, "renewEveryMs": 500, "renewDeadlineMs": 5000},
                 "session": {"command": ["/bin/sh", "-c", %s], "cooldownMs": 100, "stopGraceMs": 500,
                             "env": {"STAMPS": "%s", "RUNNER": "%s"}},
                 "pods": [{"name": "pod", "concurrency": 2, "profiles": [%s]}]}
                """.formatted(name, url, PASSWORD_VAR, JSON.writeValueAsString(CHILD), stamps, name, profiles));
    }

    /** Session id → [runner, start ns, end ns (Long.MAX_VALUE while none)]. */
    private static Map<String, Object[]> stamps(Path file) throws IOException {
        Map<String, Object[]> out = new HashMap<>();
        if (!Files.exists(file)) {
            return out;
        }
        for (String line : Files.readAllLines(file)) {
            String[] f = line.split(" ");
            if (f.length < 4) {
                continue;
            }
            Object[] s = out.computeIfAbsent(f[2], k -> new Object[] {f[1], 0L, Long.MAX_VALUE});
            s["start".equals(f[0]) ? 1 : 2] = Long.parseLong(f[3]);
        }
        return out;
    }

    /** The most sessions open at one instant (an end and a start at the same nanosecond: the end first). */
    private static int mostAtOnce(Map<String, Object[]> sessions) {
        List<long[]> edges = new ArrayList<>();
        for (Object[] s : sessions.values()) {
            edges.add(new long[] {(Long) s[1], +1});
            edges.add(new long[] {(Long) s[2], -1});
        }
        edges.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        int open = 0;
        int most = 0;
        for (long[] e : edges) {
            open += (int) e[1];
            most = Math.max(most, open);
        }
        return most;
    }

    private static long ranOn(Map<String, Object[]> sessions, String runner) {
        return sessions.values().stream().filter(s -> runner.equals(s[0]) && (Long) s[2] != Long.MAX_VALUE).count();
    }

    @Test
    void aPodsConcurrencyHoldsAcrossTwoRunners() throws Exception {
        String url = PostgresServer.shared().newDatabase("e2e_pod_slots");
        Path stampFile = dir.resolve("stamps.txt");
        List<CliProcess> runners = new ArrayList<>();
        try {
            for (String name : List.of("alpha", "beta")) {
                Path cfg = config(name, url, stampFile);
                runners.add(CliProcess.start(cfg.getParent(), Map.of(PASSWORD_VAR, PostgresServer.PASSWORD),
                        "run", "-c", cfg.toString()));
            }
            CliProcess.await("both runners ran sessions of the pod, 24 in all", 120_000, () -> {
                try {
                    Map<String, Object[]> s = stamps(stampFile);
                    return ranOn(s, "alpha") >= 3 && ranOn(s, "beta") >= 3 && s.size() >= 24;
                } catch (IOException e) {
                    return false;
                }
            });
            for (CliProcess r : runners) {
                r.process.destroy();
                assertTrue(r.process.waitFor(60, TimeUnit.SECONDS), "stops on SIGTERM");
                assertEquals(0, r.process.exitValue(), r.err());
            }
            Map<String, Object[]> sessions = stamps(stampFile);
            int most = mostAtOnce(sessions);
            assertTrue(most <= 2, "at one instant " + most + " sessions of a pod with concurrency 2 ran: "
                    + Files.readString(stampFile));
            assertEquals(2, most, "the pod's concurrency is used, not only one slot");
        } finally {
            for (CliProcess p : runners) {
                p.process.destroyForcibly();
            }
        }
    }
}
