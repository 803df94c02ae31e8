package io.smartrunner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.HttpSettings;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Requests refused before any route sees them (by Jetty, or a dot segment by the router) answer
 * in the API's form: one line of JSON naming what was wrong, not an HTML page. Sent as raw bytes:
 * an HTTP client would clean them up.
 */
class MalformedRequestTest {
    private static final String DOT = "request path: a dot segment (. or ..) is refused; name the path without it";

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/api/profiles/..%2F..%2Fetc%2Fpasswd/log | 400 | request path: Ambiguous URI path separator (an encoded / or . or an empty segment is refused)",
        "/api/profiles/%zz                        | 400 | request: refused by the HTTP parser (the usual cause: a bad %-escape such as %zz, or %00, in the path)",
        "/api/profiles/a%00b                      | 400 | request: refused by the HTTP parser (the usual cause: a bad %-escape such as %zz, or %00, in the path)",
        "/api/./summary                           | 400 | " + DOT,
        "/api/profiles/../summary                 | 400 | " + DOT,
        "/api/summary/.                           | 400 | " + DOT,
        "/../../etc/passwd                        | 400 | " + DOT,
        "/demo/../../etc/passwd                   | 400 | " + DOT,
        "/./app.js                                | 400 | " + DOT,
    })
    void aPathJettyRefusesIsAOneLineJsonError(String path, int status, String error) throws Exception {
        try (RunnerHttpServer server = RunnerHttpServer.start(new HttpSettings("127.0.0.1", 0, null))) {
            String reply = exchange(server.port(), "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");

            assertReply(reply, status, error);
        }
    }

    @Test
    void headersTooLargeAreAOneLineJsonError() throws Exception {
        try (RunnerHttpServer server = RunnerHttpServer.start(new HttpSettings("127.0.0.1", 0, null))) {
            String reply = exchange(server.port(), "GET /api/profiles HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: "
                    + "a".repeat(100_000) + "\r\nConnection: close\r\n\r\n");

            assertReply(reply, 431, "Request Header Fields Too Large");
        }
    }

    private static void assertReply(String reply, int status, String error) {
        int split = reply.indexOf("\r\n\r\n");
        String head = reply.substring(0, split);
        String body = reply.substring(split + 4);
        assertTrue(head.startsWith("HTTP/1.1 " + status + " "), head);
        assertTrue(head.toLowerCase().contains("content-type: application/json"), head);
        assertEquals("{\"error\":\"" + error + "\"}", body.strip(), reply);
    }

    private static String exchange(int port, String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (java.io.IOException e) {
                // a server that refuses early may close before it has read everything: its reply is still there
            }
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            in.transferTo(reply);
            return reply.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
