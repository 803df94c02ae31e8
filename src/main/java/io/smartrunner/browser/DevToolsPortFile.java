package io.smartrunner.browser;

import io.smartrunner.SmartRunnerException;
import io.smartrunner.browser.cdp.BrowserEndpoint;
import io.smartrunner.process.RunningProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Waits for Chromium to write {@code DevToolsActivePort} (port, then the browser target path).
 * Chromium offers no other signal that DevTools is listening, so this polls the file.
 */
final class DevToolsPortFile {
    private static final long POLL_MS = 50;

    private DevToolsPortFile() {
    }

    /** The endpoint the file names (DevTools on 127.0.0.1), or empty when it is missing or incomplete. */
    static Optional<BrowserEndpoint> read(Path file) {
        String[] lines;
        try {
            lines = Files.readString(file).split("\n");
        } catch (IOException e) {
            return Optional.empty(); // missing, or written as we read it
        }
        if (lines.length < 2 || !lines[0].trim().matches("\\d{1,5}") || !lines[1].startsWith("/devtools/")) {
            return Optional.empty();
        }
        String hostPort = "127.0.0.1:" + lines[0].trim();
        return Optional.of(new BrowserEndpoint("http://" + hostPort, "ws://" + hostPort + lines[1].trim()));
    }

    static BrowserEndpoint await(Path file, RunningProcess browser, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (browser.onExit().isDone()) {
                throw new SmartRunnerException("Chromium exited at start (" + browser.onExit().join() + "): "
                        + browser.stderrTail(400).strip().replace('\n', ' '));
            }
            Optional<BrowserEndpoint> endpoint = read(file);
            if (endpoint.isPresent()) {
                return endpoint.get();
            }
            try {
                TimeUnit.MILLISECONDS.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SmartRunnerException("interrupted while waiting for Chromium to start");
            }
        }
        throw new SmartRunnerException("Chromium did not open DevTools within " + timeout.toMillis()
                + " ms (browser.startTimeoutMs)");
    }
}
