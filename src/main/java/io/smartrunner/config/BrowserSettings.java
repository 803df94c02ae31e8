package io.smartrunner.config;

/**
 * The {@code browser} block.
 *
 * @param provider who opens and restarts a profile's browser [none until the chromium provider
 *                 lands; see README]
 */
public record BrowserSettings(Provider provider) {
    public enum Provider { CHROMIUM, ADSPOWER, NONE }

    public static BrowserSettings defaults() {
        return new BrowserSettings(Provider.NONE);
    }
}
