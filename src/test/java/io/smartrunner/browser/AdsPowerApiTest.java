package io.smartrunner.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.smartrunner.config.BrowserSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retries and their backoff, on a clock that only the recorded sleeps move: no real waiting. */
class AdsPowerApiTest {
    @TempDir
    Path dir;
    private final AtomicLong clock = new AtomicLong();
    private final List<Long> sleptMs = new ArrayList<>();
    private final RateLimiter.Sleeper sleeper = nanos -> {
        sleptMs.add(nanos / 1_000_000);
        clock.addAndGet(nanos);
    };

    private AdsPowerApi api(FakeAdsPower ads, String apiKey) {
        BrowserSettings.AdsPower settings = new BrowserSettings.AdsPower(ads.baseUrl() + "/", apiKey, 50, 3, 1_000);
        return new AdsPowerApi(settings, Duration.ofSeconds(30), Duration.ofSeconds(30), new RateLimiter(50, clock::get,
                sleeper), sleeper, clock::get);
    }

    @Test
    void backoffDoublesFrom200MillisecondsAndIsCapped() {
        assertEquals(List.of(200L, 400L, 800L, 1600L, 3200L, 6400L, 10_000L, 10_000L),
                List.of(0, 1, 2, 3, 4, 5, 6, 30).stream().map(AdsPowerApi::backoffMillis).toList());
    }

    @Test
    void aThrottledRequestIsRetriedAfterBackoffThenFailsSayingSo() throws Exception {
        try (FakeAdsPower ads = new FakeAdsPower(dir, "unused", Duration.ofHours(1), null, Set.of("u1"))) {
            AdsPowerApi api = api(ads, null);
            api.status(); // the one request this AdsPower lets through
            AdsPowerException e = assertThrows(AdsPowerException.class, () -> api.stop("u1"));
            assertEquals("AdsPower /api/v1/browser/stop user_id=u1: " + FakeAdsPower.TOO_MANY
                    + " (code -1) (after 3 retries)", e.getMessage());
            assertEquals(List.of(20L, 200L, 400L, 800L), sleptMs,
                    "stop waits for its slot 1/50 s after status; then the backoffs, after which the slot is free");
            assertEquals(4, ads.violations());
        }
    }

    @Test
    void anyOtherRefusalIsNotRetried() throws Exception {
        try (FakeAdsPower ads = new FakeAdsPower(dir, "unused", Duration.ZERO, "the-key", Set.of("u1"))) {
            AdsPowerException unknown = assertThrows(AdsPowerException.class, () -> api(ads, "the-key").active("x"));
            assertEquals("AdsPower /api/v1/browser/active user_id=x: Profile does not exist (code -1)",
                    unknown.getMessage());
            AdsPowerException key = assertThrows(AdsPowerException.class, () -> api(ads, "a-wrong-key").status());
            assertEquals("AdsPower /status: HTTP 401: invalid api key: Bearer ***", key.getMessage());
            assertFalse(key.unreachable());
            assertFalse(unknown.unavailable(), "an answer AdsPower gave is not AdsPower being down");
            assertFalse(key.unavailable());
            assertEquals(List.of(), sleptMs);
        }
    }

    /** Reviewer R15 F4: the tries share the call's budget, so a hung Local API fails the call, not the step. */
    @Test
    void eachRequestWaitsItsShareOfTheCallsBudgetLessTheBackoffs() {
        assertEquals(Duration.ofMillis(2300), AdsPowerApi.requestTimeout(Duration.ofMillis(7500), 2));
        assertEquals(Duration.ofSeconds(10), AdsPowerApi.requestTimeout(Duration.ofMinutes(10), 3), "at most 10 s");
        assertEquals(Duration.ofSeconds(1), AdsPowerApi.requestTimeout(Duration.ofMillis(500), 3), "at least 1 s");
    }

    /** AdsPower's message is cut to 200 characters: the key it echoes is masked first, so no part of it is left. */
    @Test
    void anEchoedKeyThatTheCutWouldSplitIsMaskedWhole() throws Exception {
        String wrong = "wrong-" + "k".repeat(170) + "-4711"; // "invalid api key: Bearer " + it passes 200
        try (FakeAdsPower ads = new FakeAdsPower(dir, "unused", Duration.ZERO, "the-key", Set.of("u1"))) {
            AdsPowerException e = assertThrows(AdsPowerException.class, () -> api(ads, wrong).status());
            assertEquals("AdsPower /status: HTTP 401: invalid api key: Bearer ***", e.getMessage());
        }
    }
}
