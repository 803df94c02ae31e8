package io.smartrunner.browser;

import io.smartrunner.config.BrowserSettings.Recycle;

/**
 * {@code browser.recycle}: whether a profile's browser, about to serve another session, should
 * be replaced by a fresh one first. Pure; the first limit reached gives the reason.
 */
public final class RecyclePolicy {
    private static final long MIB = 1024 * 1024;
    private final Recycle limits;

    public RecyclePolicy(Recycle limits) {
        this.limits = limits;
    }

    /** Whether the decision needs the browser's memory measured (a /proc scan). */
    public boolean needsRss() {
        return limits.maxRssMb() > 0;
    }

    /** Why to recycle the browser {@code use} describes, or null to keep it (or when none is open). */
    public String reason(BrowserUse use) {
        if (use == null) {
            return null;
        }
        if (limits.afterSessions() > 0 && use.sessions() >= limits.afterSessions()) {
            return "recycle after " + limits.afterSessions() + " sessions";
        }
        if (limits.afterMs() > 0 && use.ageMs() >= limits.afterMs()) {
            return "recycle after " + limits.afterMs() + " ms (age " + use.ageMs() + " ms)";
        }
        if (limits.maxRssMb() > 0 && use.rssBytes() > limits.maxRssMb() * MIB) {
            return "rss " + use.rssBytes() / MIB + " MB > maxRssMb " + limits.maxRssMb();
        }
        return null;
    }
}
