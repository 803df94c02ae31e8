package io.smartrunner.browser;

import io.smartrunner.browser.cdp.BrowserEndpoint;
import io.smartrunner.config.ProfileConfig;

/**
 * {@code browser.provider: none}: there is no browser. Opening does nothing (sessions get no
 * {@code {cdpUrl}}), closing and stopping do nothing, no profile's browser is ever open.
 */
enum NoBrowser implements BrowserProvider {
    INSTANCE;

    @Override
    public BrowserEndpoint open(ProfileConfig profile) {
        return BrowserEndpoint.NONE;
    }

    @Override
    public void close(ProfileConfig profile) {
    }

    @Override
    public void forceStop(ProfileConfig profile) {
    }

    @Override
    public BrowserEndpoint current(String profileId) {
        return null;
    }

    @Override
    public BrowserStatus status(String profileId) {
        return BrowserStatus.CLOSED;
    }

    @Override
    public void close() {
    }
}
