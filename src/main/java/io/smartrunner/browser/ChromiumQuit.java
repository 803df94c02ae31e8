package io.smartrunner.browser;

import io.smartrunner.browser.cdp.BrowserEndpoint;
import io.smartrunner.browser.cdp.CdpClient;
import io.smartrunner.browser.cdp.CdpException;
import io.smartrunner.process.RunningProcess;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Asks a Chromium to quit the way a user would (CDP {@code Browser.close}) and waits for its main process to exit. */
final class ChromiumQuit {
    private ChromiumQuit() {
    }

    /**
     * @throws CdpException when it cannot be asked (a stopped browser is not), or its main process
     *                      does not exit within {@code exitWithin}
     */
    static void ask(BrowserEndpoint endpoint, RunningProcess process, Duration cdpTimeout, Duration exitWithin,
                    String profileId) {
        if (process.signalStopped()) {
            // a stopped browser accepts the connection and never answers: asking would cost the
            // whole CDP timeout (at a runner's stop, for each such browser) before the force
            throw new CdpException("the browser of " + profileId + " is stopped (SIGSTOP): it cannot be asked to close");
        }
        try (CdpClient browser = CdpClient.connect(URI.create(endpoint.browserWebSocket()), cdpTimeout)) {
            browser.send("Browser.close", Map.of(), cdpTimeout).get(cdpTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new CdpException("closing the browser of " + profileId + " failed: " + BrowserChecks.oneLine(e), e);
        }
        try {
            process.onExit().get(exitWithin.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new CdpException("the browser of " + profileId + " did not exit after Browser.close", e);
        }
    }
}
