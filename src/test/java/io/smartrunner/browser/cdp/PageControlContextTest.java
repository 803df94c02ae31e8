package io.smartrunner.browser.cdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A page that has no execution context yet (a browser that just opened, a navigation that just
 * committed) answers Runtime.evaluate with "-32000 Cannot find default execution context": the
 * evaluation waits for the context, within the deadline, instead of failing the step.
 * Regression: reopenProfile / restartProfile were recorded failed on that answer.
 */
class PageControlContextTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final AtomicInteger evaluations = new AtomicInteger();
    private volatile int contextlessAnswers;
    private TestWebSocketServer page;
    private HttpServer http;
    private BrowserEndpoint endpoint;

    @BeforeEach
    void setUp() throws IOException {
        page = new TestWebSocketServer(this::answer);
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        String pageWs = page.uri().toString().replace("/devtools/browser/test", "/devtools/page/P1");
        http.createContext("/json/list", ex -> {
            byte[] body = ("[{\"id\":\"P1\",\"type\":\"page\",\"url\":\"http://a.test/\",\"title\":\"a\","
                    + "\"webSocketDebuggerUrl\":\"" + pageWs + "\"}]").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        http.start();
        endpoint = new BrowserEndpoint("http://127.0.0.1:" + http.getAddress().getPort(), page.uri().toString());
    }

    @AfterEach
    void tearDown() throws IOException {
        http.stop(0);
        page.close();
    }

    /** The page: no context for its first {@code contextlessAnswers} evaluations, then "complete" (or true). */
    private void answer(TestWebSocketServer.Connection c, String text) throws IOException {
        JsonNode command = JSON.readTree(text);
        ObjectNode reply = JSON.createObjectNode().put("id", command.get("id").intValue());
        if (!"Runtime.evaluate".equals(command.path("method").textValue())) {
            throw new IOException("unscripted " + text);
        }
        if (evaluations.incrementAndGet() <= contextlessAnswers) {
            reply.putObject("error").put("code", -32000).put("message", "Cannot find default execution context");
        } else {
            ObjectNode result = reply.putObject("result").putObject("result");
            if (command.path("params").path("expression").textValue().startsWith("!!(")) {
                result.put("type", "boolean").put("value", true);
            } else {
                result.put("type", "string").put("value", "complete");
            }
        }
        c.send(reply.toString());
    }

    @Test
    void anEvaluationBeforeThePageHasItsContextWaitsForIt() {
        contextlessAnswers = 3;
        try (PageControl control = PageControl.open(endpoint, Duration.ofSeconds(10))) {
            assertEquals("complete", control.evaluate("document.readyState"));
            assertTrue(control.truthy("document.readyState === 'complete'"));
        }
        assertEquals(5, evaluations.get(), "three answers without a context, then two with");
    }

    @Test
    void aPageThatNeverGetsAContextFailsWithThatErrorAtTheDeadlineNotBefore() {
        contextlessAnswers = Integer.MAX_VALUE;
        long t0 = System.nanoTime();
        try (PageControl control = PageControl.open(endpoint, Duration.ofMillis(600))) {
            CdpException e = assertThrows(CdpException.class, () -> control.evaluate("document.readyState"));
            assertEquals("Runtime.evaluate: -32000 Cannot find default execution context", e.getMessage());
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 300 && ms < 5_000, "retried until the budget was spent: " + ms + " ms");
        assertTrue(evaluations.get() >= 3, "retried: " + evaluations.get());
    }
}
