package io.smartrunner.browser;

/**
 * A profile's browser as the dashboard shows it.
 *
 * @param open whether the provider holds it open now
 * @param pid  the local browser's process id, or null (closed, or a remote provider such as AdsPower)
 */
public record BrowserStatus(boolean open, Long pid) {
    public static final BrowserStatus CLOSED = new BrowserStatus(false, null);
}
