package io.smartrunner.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.smartrunner.config.BrowserSettings;
import org.junit.jupiter.api.Test;

/**
 * Reviewer R6: browsers opened as root were open to every local user. A root runner closes their
 * ports with nftables and says so; where it cannot, it says who can reach them and why.
 */
class DevToolsExposureTest {
    @Test
    void aRootRunnerWithoutAGuardSaysWhoCanReachItsBrowsersAndWhy() {
        String notice = DevToolsExposure.notice(BrowserSettings.defaults(), DevToolsGuard.none("no nft program"));
        assertEquals(BrowserSettings.Provider.CHROMIUM, BrowserSettings.defaults().provider());
        // .ci/run runs the tests as root; as another user there is nothing to say
        assertEquals(RunningAsRoot.yes(), notice != null, String.valueOf(notice));
        if (notice != null) {
            assertEquals("browsers run as root: their DevTools endpoints on 127.0.0.1 have no authentication, so any"
                    + " local user of this machine can drive them and read any file through them (no guard: no nft"
                    + " program); run the runner as an unprivileged user on a machine whose users you trust"
                    + " (docs/browsers.md, \"Who can reach the browsers\")", notice);
        }
    }

    @Test
    void noBrowsersNothingToSay() {
        BrowserSettings d = BrowserSettings.defaults();
        assertNull(DevToolsExposure.notice(new BrowserSettings(BrowserSettings.Provider.NONE, d.chromium(),
                d.adspower(), d.closeOnPause(), d.closeOnExit(), d.startTimeoutMs()), null));
    }
}
