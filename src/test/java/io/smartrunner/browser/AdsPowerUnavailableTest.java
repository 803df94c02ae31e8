package io.smartrunner.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.smartrunner.config.BrowserSettings;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.SessionSettings;
import io.smartrunner.recovery.BrowserActions;
import io.smartrunner.recovery.StepContext;
import io.smartrunner.recovery.StepResult;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Reviewer R15 F4: an AdsPower Local API that accepts connections and never answers, or answers
 * HTTP 5xx after the retries, is AdsPower being down as much as a refused connection: the
 * recovery step that needs it fails as the provider's ({@code infrastructure}, the same step
 * tried again), naming AdsPower, the call and what happened, before the step's own timeout. The
 * hung API ended as "timed out after stepTimeoutMs" and the 5xx one as the step's failure, and
 * both climbed the ladder to its end.
 */
class AdsPowerUnavailableTest {
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(8);
    private final ExecutorService handlers = Executors.newCachedThreadPool();
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile String mode = "ok";
    private HttpServer server;
    private AdsPowerProvider provider;

    @AfterEach
    void tearDown() {
        released.countDown();
        if (provider != null) {
            provider.close();
        }
        server.stop(0);
        handlers.shutdownNow();
    }

    /** AdsPower's /status answers; then every request as {@link #mode} says. */
    private AdsPowerProvider provider() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/", this::answer);
        server.setExecutor(handlers);
        server.start();
        BrowserSettings d = BrowserSettings.defaults();
        provider = new AdsPowerProvider(new BrowserSettings(BrowserSettings.Provider.ADSPOWER, d.chromium(),
                new BrowserSettings.AdsPower("http://127.0.0.1:" + server.getAddress().getPort(), null, 20, 2, 30_000),
                true, true, 30_000), STEP_TIMEOUT);
        return provider;
    }

    private void answer(HttpExchange ex) throws IOException {
        try (ex) {
            switch (mode) {
                case "hang" -> released.await();
                case "500" -> send(ex, 500, "{\"code\":-1,\"msg\":\"internal\"}");
                case "busy" -> send(ex, 200, "{\"code\":-1,\"msg\":\"The browser is busy\"}");
                default -> send(ex, 200, "{\"code\":0,\"msg\":\"success\",\"data\":{\"status\":\"Inactive\"}}");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private StepResult reopen() throws Exception {
        return step("reopenProfile", 4, null);
    }

    /** Runs step {@code number}, {@code name}, of user u1's profile, whose homepage is {@code homepage}. */
    private StepResult step(String name, int number, String homepage) throws Exception {
        BrowserActions actions = new BrowserActions(provider, STEP_TIMEOUT);
        ProfileConfig p = new ProfileConfig("p1", "podA", homepage, SessionSettings.defaults(), null, "u1");
        return actions.step(name, new StepContext(p, "s-1", number, "run-1")).result()
                .get(STEP_TIMEOUT.toMillis() * 5, TimeUnit.MILLISECONDS);
    }

    @Test
    void aLocalApiThatNeverAnswersFailsTheStepAsTheProvidersBeforeTheStepTimesOut() throws Exception {
        provider();
        mode = "hang";
        long t0 = System.nanoTime();

        StepResult r = reopen();

        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(r.infrastructure(), r.toString());
        assertTrue(r.detail().matches("AdsPower /api/v1/browser/stop user_id=u1: timed out after \\d+ ms"
                + " \\(after 2 retries\\)"), r.detail());
        assertTrue(tookMs < STEP_TIMEOUT.toMillis(), "within half the step's timeout and a little: " + tookMs + " ms");
    }

    /**
     * Reviewer R17: a page step whose browser was not open (an episode resumed after a restart)
     * asked AdsPower to start it, each try waiting browser.startTimeoutMs (30 s) while the step had
     * 8: the step ran out as its own timeout, unclassed, and the ladder climbed. A step's start
     * ends within the step's budget too, as the provider's failure.
     */
    @Test
    void aPageStepThatMustStartTheBrowserOfAHungApiFailsAsTheProvidersInTime() throws Exception {
        provider();
        mode = "hang";
        long t0 = System.nanoTime();

        StepResult r = step("goToHomepage", 1, "http://127.0.0.1:1/home");

        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(r.infrastructure(), r.toString());
        assertTrue(r.detail().startsWith("AdsPower /api/v1/browser/start user_id=u1: timed out after"), r.detail());
        assertTrue(tookMs < STEP_TIMEOUT.toMillis(), "within the step's timeout: " + tookMs + " ms");
    }

    @Test
    void aLocalApiAnsweringHttp5xxAfterItsRetriesFailsTheStepAsTheProviders() throws Exception {
        provider();
        mode = "500";

        StepResult r = reopen();

        assertTrue(r.infrastructure(), r.toString());
        assertEquals("AdsPower /api/v1/browser/stop user_id=u1: HTTP 500: internal (after 2 retries)", r.detail());
    }

    @Test
    void anAnswerAdsPowerGaveIsStillTheStepsFailure() throws Exception {
        provider();
        mode = "busy";

        StepResult r = reopen();

        assertFalse(r.infrastructure(), r.toString());
        assertFalse(r.ok(), r.toString());
    }
}
