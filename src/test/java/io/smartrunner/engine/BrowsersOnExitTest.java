package io.smartrunner.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.browser.BrowserCause;
import io.smartrunner.browser.BrowserProvider;
import io.smartrunner.browser.BrowserStatus;
import io.smartrunner.browser.cdp.BrowserEndpoint;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.SessionSettings;
import io.smartrunner.profile.ProfileState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BrowsersOnExitTest {
    private static final int BROWSERS = 10;

    /** Each close waits until every close has begun: closes that run a few at a time never all begin. */
    private static final class WaitingBrowsers implements BrowserProvider {
        final CountDownLatch begun = new CountDownLatch(BROWSERS);
        final ConcurrentLinkedQueue<String> closedWithAllBegun = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> forced = new ConcurrentLinkedQueue<>();

        @Override
        public void close(ProfileConfig profile, BrowserCause cause) {
            begun.countDown();
            try {
                if (!begun.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("not every close had begun");
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            closedWithAllBegun.add(profile.id());
        }

        @Override
        public void forceStop(ProfileConfig profile, BrowserCause cause) {
            forced.add(profile.id());
        }

        @Override
        public BrowserStatus status(String profileId) {
            return new BrowserStatus(true, 1L);
        }

        @Override
        public BrowserEndpoint open(ProfileConfig profile) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close(ProfileConfig profile) {
            close(profile, BrowserCause.of(null, "test"));
        }

        @Override
        public void forceStop(ProfileConfig profile) {
            forceStop(profile, BrowserCause.of(null, "test"));
        }

        @Override
        public BrowserEndpoint current(String profileId) {
            return null;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void everyBrowserIsClosedAtOnceNotAFewAtATime() throws Exception {
        WaitingBrowsers browsers = new WaitingBrowsers();
        CountDownLatch woken = new CountDownLatch(1);
        List<String> said = new ArrayList<>();
        BrowsersOnExit onExit = new BrowsersOnExit(true, browsers, BrowsersOnExit.PARALLEL_CLOSES, woken::countDown,
                said::add);
        List<ProfileSlot> slots = new ArrayList<>();
        for (int i = 0; i < BROWSERS; i++) {
            String id = "p" + i;
            slots.add(new ProfileSlot(new ProfileConfig(id, "pod", null, SessionSettings.defaults(), null, null), i,
                    ProfileState.fresh(id, "pod"), 0));
        }
        onExit.begin(slots);
        assertTrue(woken.await(60, TimeUnit.SECONDS), "the loop is woken after the last close");
        assertTrue(onExit.done());
        assertEquals(BROWSERS, browsers.closedWithAllBegun.size(), "each close ran while all the others had begun");
        assertEquals(List.of(), List.copyOf(browsers.forced), "none fell back to a force stop");
        assertEquals(List.of(), said);
    }
}
