package io.smartrunner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.HttpSettings;
import io.smartrunner.event.Redactor;
import io.smartrunner.time.TimeSource;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Protocol details a security review found: the auth scheme's case, HEAD probes, Allow on 405s, the demo site's Host. */
class HttpProtocolDetailsTest {
    private static final String TOKEN = "protocol-details-token";
    @TempDir
    Path dir;
    private RunnerHttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void start() throws IOException {
        Path log = Files.createFile(dir.resolve("events.jsonl"));
        ApiParts api = new ApiParts(SlowClientFloodTest.emptyFleet(), ApiToken.configuredOrGenerated(TOKEN, dir, p -> { }),
                log, dir, null, new NewEvents(), new Redactor(Set.of()), TimeSource.system(), null);
        server = RunnerHttpServer.start(new HttpSettings("127.0.0.1", 0, null).withDemoSite(true), api, null);
    }

    /** The raw response (status line, headers, body) to one request on its own connection. */
    private String exchange(String method, String path, String host, String headers, String body) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            out.write((method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n" + headers
                    + (bytes.length > 0 ? "Content-Length: " + bytes.length + "\r\n" : "") + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private String get(String method, String path) throws IOException {
        return exchange(method, path, "127.0.0.1:" + server.port(), "", "");
    }

    private static int bodyBytes(String response) {
        return response.substring(response.indexOf("\r\n\r\n") + 4).getBytes(StandardCharsets.UTF_8).length;
    }

    private static String header(String response, String name) {
        for (String line : response.substring(0, response.indexOf("\r\n\r\n")).split("\r\n")) {
            if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                return line.substring(name.length() + 1).trim();
            }
        }
        return null;
    }

    private static int status(String response) {
        return Integer.parseInt(response.substring(9, 12));
    }

    @Test
    void theBearerSchemeIsMatchedWithoutCase() throws Exception {
        start();
        String json = "Content-Type: application/json\r\n";
        for (String scheme : new String[] {"Bearer", "bearer", "BEARER"}) {
            // past the token check, a route that does not exist: 404
            String reply = exchange("POST", "/api/no-such-route", "127.0.0.1:" + server.port(),
                    "Authorization: " + scheme + " " + TOKEN + "\r\n" + json, "{}");
            assertEquals(404, status(reply), scheme + ": " + reply);
        }
        assertEquals(401, status(exchange("POST", "/api/no-such-route", "127.0.0.1:" + server.port(),
                "Authorization: bearer wrong-token-of-some-length\r\n" + json, "{}")));
    }

    @Test
    void headProbesOfHealthAndReadinessAreAnsweredLikeGetWithoutABody() throws Exception {
        start();
        for (String path : new String[] {"/healthz", "/readyz"}) {
            String head = get("HEAD", path);
            assertEquals(200, status(head), head);
            assertTrue(head.endsWith("\r\n\r\n"), "no body: " + head);
            String get = get("GET", path);
            assertEquals(200, status(get));
            // reviewer R11: the probe's head said Content-Length: 0
            assertEquals(String.valueOf(bodyBytes(get)), header(head, "Content-Length"), head);
            assertEquals(header(get, "Content-Type"), header(head, "Content-Type"), head);
        }
        String post = get("POST", "/healthz");
        assertEquals(405, status(post));
        assertTrue(post.contains("\r\nAllow: GET, HEAD\r\n"), post);
    }

    @Test
    void apiAnswersOf405SayWhichMethodsAreAllowed() throws Exception {
        start();
        // reviewer R10: PUT /api/profiles said "GET, POST", and a POST there was a 404
        String put = get("PUT", "/api/profiles");
        assertEquals(405, status(put));
        assertTrue(put.contains("\r\nAllow: GET, HEAD\r\n"), put);
        String auth = "Authorization: Bearer " + TOKEN + "\r\nContent-Type: application/json\r\n";
        String post = exchange("POST", "/api/profiles", "127.0.0.1:" + server.port(), auth, "{}");
        assertEquals(405, status(post), post);
        assertTrue(post.contains("\r\nAllow: GET, HEAD\r\n"), post);
        String reload = get("GET", "/api/reload");
        assertEquals(405, status(reload));
        assertTrue(reload.contains("\r\nAllow: POST\r\n"), reload);
        String podAction = get("GET", "/api/pods/podA/profiles/pause");
        assertEquals(405, status(podAction), podAction);
        assertTrue(podAction.contains("\r\nAllow: POST\r\n"), podAction);
        // reviewer R11: a profile's own route with another method was a 500 (a NullPointerException)
        for (String method : List.of("POST", "PUT", "DELETE")) {
            String own = exchange(method, "/api/profiles/p1", "127.0.0.1:" + server.port(), auth, "{}");
            assertEquals(405, status(own), method + ": " + own);
            assertTrue(own.contains("\r\nAllow: GET, HEAD\r\n"), own);
        }
        String log = exchange("POST", "/api/profiles/p1/log", "127.0.0.1:" + server.port(), auth, "{}");
        assertEquals(405, status(log), log);
        assertTrue(log.contains("\r\nAllow: GET, HEAD\r\n"), log);
        String stream = get("HEAD", "/api/events/stream");
        assertEquals(405, status(stream), "a stream that never ends has no HEAD: " + stream);
        assertTrue(stream.contains("\r\nAllow: GET\r\n"), stream);
        assertEquals(404, status(get("PUT", "/api/nothing-here")));
    }

    /** Reviewer R10: HEAD of the API's reads was a 405. */
    @Test
    void headOfAnApiReadIsItsGetWithoutTheBody() throws Exception {
        start();
        String get = get("GET", "/api/summary");
        String head = get("HEAD", "/api/summary");

        assertEquals(200, status(head), head);
        assertTrue(head.endsWith("\r\n\r\n"), "no body: " + head);
        assertTrue(get.contains("\"total\":0"), get);
        assertEquals(String.valueOf(bodyBytes(get)), header(head, "Content-Length"), head);
        // the whole list is streamed (its length is not known before): a head without a length, no body
        String every = get("HEAD", "/api/profiles");
        assertEquals(200, status(every), every);
        assertTrue(every.endsWith("\r\n\r\n"), "no body: " + every);
    }

    /** Reviewer R10: a 401 named no scheme, and of two Authorization headers the first counted. */
    @Test
    void aRefusedTokenNamesTheSchemeAndTwoAuthorizationHeadersAreRefused() throws Exception {
        start();
        String json = "Content-Type: application/json\r\n";
        String none = exchange("POST", "/api/reload", "127.0.0.1:" + server.port(), json, "{}");
        assertEquals(401, status(none), none);
        assertTrue(none.contains("\r\nWWW-Authenticate: Bearer realm=\"smart-runner\"\r\n"), none);

        String two = exchange("POST", "/api/reload", "127.0.0.1:" + server.port(),
                "Authorization: Bearer " + TOKEN + "\r\nAuthorization: Bearer wrong-token-of-some-length\r\n" + json, "{}");

        assertEquals(400, status(two), two);
        assertTrue(two.endsWith("{\"error\":\"Authorization: given 2 times, expected once\"}"), two);
    }

    @Test
    void theDemoSiteAnswersOnlyAnAllowedHost() throws Exception {
        start();
        assertEquals(200, status(get("GET", "/demo/")));
        assertEquals(403, status(exchange("GET", "/demo/", "evil.example:" + server.port(), "", "")));
        String maintenance = exchange("POST", "/demo/maintenance?profile=p1", "evil.example:" + server.port(), "", "");
        assertEquals(403, status(maintenance), maintenance);
        assertNotEquals(403, status(exchange("POST", "/demo/maintenance?profile=p1", "localhost:" + server.port(),
                "", "")));
    }
}
