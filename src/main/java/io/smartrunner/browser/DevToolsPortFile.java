package io.smartrunner.browser;

import io.smartrunner.SmartRunnerException;
import io.smartrunner.process.RunningProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Waits for Chromium to write {@code DevToolsActivePort} (port, then the browser target path).
 * Chromium offers no other signal that DevTools is listening, so this polls the file.
 */
final class DevToolsPortFile {
    private static final long POLL_MS = 50;

    private DevToolsPortFile() {
    }

    static String await(Path file, RunningProcess browser, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (browser.onExit().isDone()) {
                throw new SmartRunnerException("Chromium exited at start (" + browser.onExit().join() + "): "
                        + browser.stderrTail(400).strip().replace('\n', ' '));
            }
            try {
                String text = Files.exists(file) ? Files.readString(file) : "";
                if (text.split("\n").length >= 2) {
                    return text;
                }
                TimeUnit.MILLISECONDS.sleep(POLL_MS);
            } catch (IOException e) {
                // written as we read it: try again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SmartRunnerException("interrupted while waiting for Chromium to start");
            }
        }
        throw new SmartRunnerException("Chromium did not open DevTools within " + timeout.toMillis()
                + " ms (browser.startTimeoutMs)");
    }
}
