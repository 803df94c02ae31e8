package io.smartrunner.browser;

import io.smartrunner.browser.cdp.BrowserEndpoint;
import io.smartrunner.browser.cdp.DevToolsEndpoints;
import io.smartrunner.process.ProcessTable.TaggedProcess;
import io.smartrunner.process.ProcessTable;
import io.smartrunner.process.RunTag;
import io.smartrunner.process.RunningProcess;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;

/**
 * A profile's Chromium that a previous runner of this data dir left running ({@code
 * browser.closeOnExit: false}). It is adopted only when it provably is that browser: exactly one
 * live browser run tagged with this data dir's runner id and the profile, whose leader is alive,
 * and whose DevTools endpoint, as the profile's {@code DevToolsActivePort} names it, answers with
 * the browser id written in that file (a port reused by anything else does not know it).
 * Otherwise whatever is left of the profile's browsers is stopped, so a fresh one starts clean.
 * Each profile is looked at once per runner: what it leaves after that is this runner's own.
 * Thread-safe.
 */
final class LeftBrowser {
    private static final Duration STOP_GRACE = Duration.ofMillis(500);
    private final ProcessTable table;
    private final String runnerId;
    private final Duration cdpTimeout;
    private final Set<String> checked = ConcurrentHashMap.newKeySet();

    /** What was adopted: the running tree, its run id and where it answers. */
    record Adopted(RunningProcess process, String runId, BrowserEndpoint endpoint) {
    }

    LeftBrowser(ProcessTable table, String runnerId, Duration cdpTimeout) {
        this.table = table;
        this.runnerId = runnerId;
        this.cdpTimeout = cdpTimeout;
    }

    /**
     * The first time it is asked about a profile: adopts its browser left running with
     * {@code dir} as its user-data-dir (opening a page at {@code startUrl} if it has none), or
     * stops what is left of it.
     *
     * @param stopped told the main pid of each browser left that could not be adopted and was stopped
     * @return empty when nothing was left, what was left could not be adopted (and is stopped), or
     *         the profile was looked at before
     */
    Optional<Adopted> takeOver(String profileId, Path dir, String startUrl, LongConsumer stopped) {
        if (!checked.add(profileId)) {
            return Optional.empty();
        }
        Map<String, TaggedProcess> runs = ProcessTable.mainProcesses(table.tagged(runnerId).stream()
                .filter(p -> p.sessionId() != null && RunTag.of(p.sessionId()) == RunTag.BROWSER
                        && profileId.equals(p.profileId())).toList());
        if (runs.isEmpty()) {
            return Optional.empty();
        }
        if (runs.size() == 1) {
            Optional<Adopted> adopted = adopt(runs.keySet().iterator().next(), dir, startUrl);
            if (adopted.isPresent()) {
                return adopted;
            }
        }
        table.stopSessions(runs.entrySet().stream().map(r -> new ProcessTable.SessionToStop(r.getValue().pid(),
                r.getValue().startTicks(), r.getKey())).toList(), STOP_GRACE);
        runs.values().forEach(r -> stopped.accept(r.pid()));
        return Optional.empty();
    }

    private Optional<Adopted> adopt(String runId, Path dir, String startUrl) {
        Optional<BrowserEndpoint> named = DevToolsPortFile.read(dir.resolve("DevToolsActivePort"));
        if (named.isEmpty() || !answersWithPage(named.get(), startUrl)) {
            return Optional.empty();
        }
        return table.adopt(runnerId, runId).map(process -> new Adopted(process, runId, named.get()));
    }

    /**
     * The endpoint answers with the browser id the file names (so it is the browser that wrote
     * it) and has a page for sessions, opened at {@code startUrl} if there was none.
     */
    private boolean answersWithPage(BrowserEndpoint endpoint, String startUrl) {
        try {
            String answered = DevToolsEndpoints.browserWebSocketUrl(endpoint.httpBase(), cdpTimeout);
            if (!URI.create(endpoint.browserWebSocket()).getPath().equals(URI.create(answered).getPath())) {
                return false;
            }
            if (DevToolsEndpoints.targets(endpoint.httpBase(), cdpTimeout).stream()
                    .noneMatch(t -> "page".equals(t.type()))) {
                DevToolsEndpoints.newPage(endpoint.httpBase(), startUrl, cdpTimeout);
            }
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
