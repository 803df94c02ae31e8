package io.smartrunner.browser.cdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.smartrunner.browser.cdp.DevToolsEndpoints.Target;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The DevTools HTTP endpoints against a JDK HTTP server answering like Chromium, and against nothing. */
class DevToolsEndpointsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private HttpServer http;
    private TestWebSocketServer ws;
    private String base;

    @BeforeEach
    void setUp() throws IOException {
        ws = new TestWebSocketServer((c, text) -> c.send("{\"id\":" + JSON.readTree(text).get("id") + ",\"result\":{}}"));
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/json/version", ex -> reply(ex, 200,
                "{\"Browser\":\"Chrome/140.0\",\"webSocketDebuggerUrl\":\"" + ws.uri() + "\"}"));
        http.createContext("/json/list", ex -> reply(ex, 200, """
                [{"id":"P1","type":"page","url":"about:blank","title":"about:blank",
                  "webSocketDebuggerUrl":"ws://127.0.0.1:1/devtools/page/P1"},
                 {"id":"W1","type":"service_worker","url":"https://a.test/sw.js","title":"sw"}]"""));
        http.createContext("/json/new", ex -> {
            if (!ex.getRequestMethod().equals("PUT")) {
                reply(ex, 405, "Using unsafe HTTP verb GET to invoke /json/new. This action supports only PUT verb.");
                return;
            }
            String url = URI.create(ex.getRequestURI().toString()).getQuery(); // %XX decoded, as Chromium does
            reply(ex, 200, "{\"id\":\"P2\",\"type\":\"page\",\"url\":" + JSON.writeValueAsString(url)
                    + ",\"title\":\"\",\"webSocketDebuggerUrl\":\"ws://127.0.0.1:1/devtools/page/P2\"}");
        });
        http.createContext("/broken/", ex -> reply(ex, 500, "boom\nsecond line"));
        http.createContext("/garbled/", ex -> reply(ex, 200, "{\"webSocketDebuggerUrl\": "));
        http.createContext("/empty/", ex -> reply(ex, 200, "{}"));
        http.start();
        base = "http://127.0.0.1:" + http.getAddress().getPort();
    }

    @AfterEach
    void tearDown() throws IOException {
        http.stop(0);
        ws.close();
    }

    @Test
    void browserWebSocketUrlFromJsonVersionConnects() throws Exception {
        String url = DevToolsEndpoints.browserWebSocketUrl(base + "/", TIMEOUT);

        assertEquals(ws.uri().toString(), url);
        try (CdpClient client = CdpClient.connect(URI.create(url), TIMEOUT)) {
            assertEquals("{}", client.send("Browser.getVersion", null, TIMEOUT).get(10, TimeUnit.SECONDS).toString());
        }
    }

    @Test
    void targetsFromJsonListKeepOrderAndMissingFieldsAreNull() {
        List<Target> targets = DevToolsEndpoints.targets(base, TIMEOUT);

        assertEquals(List.of(
                new Target("P1", "page", "about:blank", "about:blank", "ws://127.0.0.1:1/devtools/page/P1"),
                new Target("W1", "service_worker", "https://a.test/sw.js", "sw", null)), targets);
    }

    @Test
    void newPageUsesPutWithTheUrlEncoded() {
        String url = "https://shop.test/a b?q=x&r=é+1#top";

        Target page = DevToolsEndpoints.newPage(base, url, TIMEOUT);

        assertEquals(new Target("P2", "page", url, "", "ws://127.0.0.1:1/devtools/page/P2"), page);
    }

    @Test
    void statusOtherThan200NamesRequestStatusAndBody() {
        CdpException e = assertThrows(CdpException.class, () -> DevToolsEndpoints.targets(base + "/broken", TIMEOUT));

        assertEquals("GET " + base + "/broken/json/list: answered 500: boom second line", e.getMessage());
    }

    @Test
    void badJsonOrMissingUrlIsAClearFailure() {
        CdpException garbled = assertThrows(CdpException.class,
                () -> DevToolsEndpoints.browserWebSocketUrl(base + "/garbled", TIMEOUT));
        CdpException empty = assertThrows(CdpException.class,
                () -> DevToolsEndpoints.browserWebSocketUrl(base + "/empty", TIMEOUT));

        assertTrue(garbled.getMessage().startsWith("GET " + base + "/garbled/json/version: bad JSON ("), garbled.getMessage());
        assertEquals(-1, garbled.getMessage().indexOf('\n'), "one line");
        assertEquals("GET " + base + "/empty/json/version: no webSocketDebuggerUrl in the reply", empty.getMessage());
    }

    @Test
    void nothingListeningIsConnectionRefused() throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        String nowhere = "http://127.0.0.1:" + port;

        CdpException e = assertThrows(CdpException.class, () -> DevToolsEndpoints.browserWebSocketUrl(nowhere, TIMEOUT));

        assertEquals("GET " + nowhere + "/json/version: connection refused", e.getMessage());
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }
}
