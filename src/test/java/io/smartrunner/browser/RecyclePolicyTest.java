package io.smartrunner.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.BrowserSettings.Recycle;
import org.junit.jupiter.api.Test;

/** browser.recycle's decision: each limit, its reason, and 0 = off. */
class RecyclePolicyTest {
    private static final long MIB = 1024 * 1024;

    private static BrowserUse use(int sessions, long ageMs, long rssMb) {
        return new BrowserUse(4242L, ageMs, sessions, rssMb < 0 ? -1 : rssMb * MIB);
    }

    @Test
    void offKeepsEveryBrowserHoweverUsed() {
        RecyclePolicy off = new RecyclePolicy(Recycle.OFF);
        assertNull(off.reason(use(1_000_000, 365L * 86_400_000, 64_000)));
        assertFalse(off.needsRss());
    }

    @Test
    void afterSessionsRecyclesOnceThatManyWereServed() {
        RecyclePolicy p = new RecyclePolicy(new Recycle(50, 0, 0));
        assertNull(p.reason(use(49, 0, -1)));
        assertEquals("recycle after 50 sessions", p.reason(use(50, 0, -1)));
    }

    @Test
    void afterMsRecyclesByAge() {
        RecyclePolicy p = new RecyclePolicy(new Recycle(0, 7_200_000, 0));
        assertNull(p.reason(use(3, 7_199_999, -1)));
        assertEquals("recycle after 7200000 ms (age 7200345 ms)", p.reason(use(3, 7_200_345, -1)));
    }

    @Test
    void maxRssRecyclesOnlyAboveTheLimitAndOnlyWhenMeasured() {
        RecyclePolicy p = new RecyclePolicy(new Recycle(0, 0, 800));
        assertTrue(p.needsRss());
        assertNull(p.reason(use(3, 0, 800)), "at the limit: kept");
        assertEquals("rss 812 MB > maxRssMb 800", p.reason(use(3, 0, 812)));
        assertNull(p.reason(use(3, 0, -1)), "not measurable (a remote browser): kept");
    }

    @Test
    void noBrowserOpenNothingToRecycle() {
        assertNull(new RecyclePolicy(new Recycle(1, 1, 1)).reason(null));
    }
}
