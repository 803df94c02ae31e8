package io.smartrunner.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.smartrunner.browser.cdp.BrowserEndpoint;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.SessionSettings;
import org.junit.jupiter.api.Test;

/** browser.provider none as a provider: nothing opens, nothing is ever open, nothing to close. */
class NoBrowserTest {
    private final ProfileConfig p1 = new ProfileConfig("p1", "podA", null, SessionSettings.defaults(), null, null);

    @Test
    void openingGivesNoUrlsAndLeavesNoBrowserOpen() {
        BrowserProvider none = BrowserProvider.none();
        BrowserEndpoint opened = none.open(p1);
        assertNull(opened.browserWebSocket(), "a session gets no {cdpUrl}");
        assertNull(opened.httpBase());
        assertNull(none.current("p1"));
        assertEquals(BrowserStatus.CLOSED, none.status("p1"));
        none.close(p1);
        none.forceStop(p1);
        none.close();
        assertSame(none, BrowserProvider.none());
    }
}
