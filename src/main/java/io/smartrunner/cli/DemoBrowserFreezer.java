package io.smartrunner.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The demo worker's "frozen browser": SIGSTOP to every process of its profile's Chromium, found
 * by the tags the runner gives them (its runner id, a {@code browser-<profile>-} run id).
 */
final class DemoBrowserFreezer {
    private DemoBrowserFreezer() {
    }

    static int freeze(String profile) throws InterruptedException {
        String runner = System.getenv("SR_RUNNER_ID");
        List<String> pids = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String env = new String(Files.readAllBytes(p.resolve("environ")), StandardCharsets.ISO_8859_1);
                    if (env.contains("SR_RUNNER_ID=" + runner + "\0") && env.contains("SR_SESSION_ID=browser-" + profile + "-")) {
                        pids.add(p.getFileName().toString());
                    }
                } catch (IOException vanished) {
                    // gone while we looked
                }
            }
        } catch (IOException e) {
            return 0;
        }
        if (!pids.isEmpty()) {
            List<String> kill = new ArrayList<>(List.of("kill", "-STOP"));
            kill.addAll(pids);
            try {
                new ProcessBuilder(kill).inheritIO().start().waitFor();
            } catch (IOException e) {
                return 0;
            }
        }
        return pids.size();
    }
}
