package io.smartrunner.cli;

import io.smartrunner.process.ProcFsProcessTable;
import io.smartrunner.process.ProcessTable.TaggedProcess;
import io.smartrunner.process.RunTag;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo worker's "frozen browser": SIGSTOP to every process of its profile's Chromium, found
 * by the tags the runner gives them (its runner id, a {@code browser-<profile>-} run id).
 */
final class DemoBrowserFreezer {
    private DemoBrowserFreezer() {
    }

    static int freeze(String profile) throws InterruptedException {
        String runner = System.getenv("SR_RUNNER_ID");
        if (runner == null) {
            return 0;
        }
        List<String> pids = new ProcFsProcessTable().tagged(runner).stream()
                .filter(p -> p.sessionId() != null && p.sessionId().startsWith(RunTag.browserPrefix(profile)))
                .map(TaggedProcess::pid).map(String::valueOf).toList();
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
