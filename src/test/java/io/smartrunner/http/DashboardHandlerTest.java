package io.smartrunner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The dashboard's static files over real HTTP: headers, Host allowlist, methods, and no path outside its own files. */
class DashboardHandlerTest {
    private HttpServer server;
    private int port;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        port = server.getAddress().getPort();
        server.createContext("/", new DashboardHandler(Set.of("127.0.0.1:" + port, "localhost:" + port)));
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private record Response(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** A raw request, so the test controls the request line and the Host header byte for byte. */
    private Response request(String method, String path, String host) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            String req = method + " " + path + " HTTP/1.1\r\n" + (host == null ? "" : "Host: " + host + "\r\n")
                    + "Connection: close\r\nContent-Length: 0\r\n\r\n";
            OutputStream out = s.getOutputStream();
            out.write(req.getBytes(StandardCharsets.UTF_8));
            out.flush();
            String raw = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int end = raw.indexOf("\r\n\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line : raw.substring(0, end).split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
                }
            }
            return new Response(Integer.parseInt(raw.substring(9, 12)), headers, raw.substring(end + 4));
        }
    }

    private Response get(String path) throws IOException {
        return request("GET", path, "127.0.0.1:" + port);
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = DashboardHandlerTest.class.getResourceAsStream("/web/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void servesThePageAndItsAssetsWithTheirTypesAndSecurityHeaders() throws Exception {
        Response page = get("/");
        assertEquals(200, page.status());
        assertEquals("text/html; charset=utf-8", page.header("Content-Type"));
        assertTrue(page.body().contains("<script src=\"/app.js\" defer></script>"), page.body());
        assertEquals("nosniff", page.header("X-Content-Type-Options"));
        assertEquals("DENY", page.header("X-Frame-Options"));
        String csp = page.header("Content-Security-Policy");
        assertTrue(csp.startsWith("default-src 'self';") && csp.contains("script-src 'self';")
                && csp.contains("frame-ancestors 'none'") && csp.contains("form-action 'none'"), csp);
        assertFalse(csp.contains("unsafe"), "no unsafe-inline or unsafe-eval: " + csp);
        assertEquals("text/javascript; charset=utf-8", get("/app.js").header("Content-Type"));
        assertEquals("text/css; charset=utf-8", get("/app.css").header("Content-Type"));
        assertEquals("image/svg+xml", get("/favicon.svg").header("Content-Type"));
        assertEquals(resource("app.js"), get("/app.js").body());
        assertEquals(page.body(), get("/index.html").body());
    }

    @Test
    void refusesAHostOutsideTheAllowlist() throws Exception {
        Response rebound = request("GET", "/", "127.0.0.1.evil.com");
        assertEquals(403, rebound.status());
        assertFalse(rebound.body().contains("<script"), "no page for a foreign Host");
        assertEquals(403, request("GET", "/app.js", "evil.com:" + port).status());
        assertEquals(403, request("GET", "/", null).status());
        assertEquals(200, request("GET", "/", "localhost:" + port).status());
    }

    @Test
    void onlyGetAndHeadAreAllowed() throws Exception {
        for (String method : List.of("POST", "PUT", "DELETE", "OPTIONS")) {
            Response r = request(method, "/", "127.0.0.1:" + port);
            assertEquals(405, r.status(), method);
            assertEquals("GET, HEAD", r.header("Allow"));
        }
        Response head = request("HEAD", "/app.css", "127.0.0.1:" + port);
        assertEquals(200, head.status());
        assertEquals("", head.body());
        assertEquals(String.valueOf(resource("app.css").getBytes(StandardCharsets.UTF_8).length), head.header("Content-Length"));
    }

    @Test
    void noPathReachesAFileOutsideTheDashboard() throws Exception {
        for (String path : List.of("/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd",
                "/app.js/../../../etc/passwd", "/web/index.html", "/index.html/", "//app.js", "/app.js%00.css",
                "/io/smartrunner/http/ApiHandler.class", "/db/sqlite/V1__init.sql", "/demo/index.html/../../web/app.js",
                "/nope")) {
            Response r = get(path);
            assertEquals(404, r.status(), path);
            assertFalse(r.body().contains("root:") || r.body().contains("<script") || r.body().contains("CREATE"), path);
        }
    }

    /** The CSP forbids inline code; this keeps the files honest and the page free of HTML built from data. */
    @Test
    void thePageHasNoInlineScriptStyleOrHandlersAndNeverWritesHtmlFromData() throws Exception {
        String html = resource("index.html");
        assertFalse(Pattern.compile("<script(?![^>]*\\bsrc=)", Pattern.CASE_INSENSITIVE).matcher(html).find(), "inline script");
        assertFalse(Pattern.compile("\\sstyle=|<style", Pattern.CASE_INSENSITIVE).matcher(html).find(), "inline style");
        assertFalse(Pattern.compile("\\son[a-z]+=", Pattern.CASE_INSENSITIVE).matcher(html).find(), "inline handler");
        assertFalse(Pattern.compile("https?://").matcher(html.replace("http://www.w3.org/", "")).find(), "no external fetch");
        String js = resource("app.js");
        for (String sink : List.of("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function")) {
            assertFalse(js.contains(sink), sink);
        }
        assertFalse(Pattern.compile("https?://(?!www\\.w3\\.org/2000/svg)").matcher(js).find(), "no external fetch");
    }

    /** The live feed says what each kind means in words; a kind it does not know shows its raw params. */
    @Test
    void theFeedDescribesEveryKindTheRunnerWrites() throws Exception {
        String js = resource("app.js");
        for (String kind : io.smartrunner.event.EventKinds.NAMES) {
            assertTrue(js.contains("case '" + kind + "':"), "app.js describe() has no case for " + kind);
        }
    }
}
