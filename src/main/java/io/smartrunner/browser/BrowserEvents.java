package io.smartrunner.browser;

/**
 * Told about every browser start, close, replacement, recycle and crash, on whichever thread the
 * provider noticed it (a launch thread, a recovery worker, a process reaper). The engine passes
 * one that posts to its loop's inbox, so the loop stays the only writer of the event log.
 */
@FunctionalInterface
public interface BrowserEvents {
    BrowserEvents NONE = event -> { };

    void accept(BrowserEvent event);
}
