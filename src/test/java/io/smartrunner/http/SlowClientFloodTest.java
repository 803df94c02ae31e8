package io.smartrunner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.smartrunner.config.HttpSettings;
import io.smartrunner.event.Redactor;
import io.smartrunner.time.TimeSource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow and idle clients against the real server over real sockets: half-sent requests neither take
 * the API and {@code /healthz} down nor stay open past the request timeout, and event streams
 * outlive it.
 */
@Tag("long")
class SlowClientFloodTest {
    private static final String TOKEN = "flood-test-token";
    private static final long REQUEST_TIMEOUT_MS = 6_000;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Socket> sockets = new ArrayList<>();
    @TempDir
    Path dir;
    private RunnerHttpServer server;

    @AfterEach
    void close() {
        sockets.forEach(s -> {
            try {
                s.close();
            } catch (IOException ignored) {
                // already closed by the server
            }
        });
        if (server != null) {
            server.close();
        }
    }

    private RunnerHttpServer start(HttpSettings settings) throws IOException {
        Path log = Files.createFile(dir.resolve("events.jsonl"));
        ApiParts api = new ApiParts(emptyFleet(), ApiToken.configuredOrGenerated(TOKEN, dir, p -> { }), log, dir,
                null, new NewEvents(), new Redactor(Set.of()), TimeSource.system(), null);
        server = RunnerHttpServer.start(settings.withRequestTimeoutMs(REQUEST_TIMEOUT_MS), api, null);
        return server;
    }

    private HttpResponse<String> get(String host, String path, boolean token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + host + ":" + server.port() + path))
                .timeout(Duration.ofSeconds(5));
        if (token) {
            b.header("Authorization", "Bearer " + TOKEN);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private Socket halfRequest(InetAddress from, InetAddress to) throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        if (from != null) {
            s.bind(new InetSocketAddress(from, 0));
        }
        s.connect(new InetSocketAddress(to, server.port()), 5_000);
        OutputStream out = s.getOutputStream();
        out.write("GET /api/profiles HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return s;
    }

    /**
     * A whole {@code GET /healthz} on a connection that stays open (keep-alive) after the answer, so
     * the server has surely counted it.
     *
     * @return the answer's start, or "" when the server closed the connection without one
     */
    private String healthOnKeptConnection(InetAddress lan) throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.bind(new InetSocketAddress(lan, 0));
        s.connect(new InetSocketAddress(lan, server.port()), 5_000);
        s.setSoTimeout((int) REQUEST_TIMEOUT_MS / 2);
        s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        StringBuilder answer = new StringBuilder();
        InputStream in = s.getInputStream();
        try {
            while (!answer.toString().endsWith("}")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                answer.append((char) b);
            }
        } catch (SocketException e) {
            // reset: no answer
        }
        return answer.toString();
    }

    /** Blocks until the server closes the socket (EOF or reset); false when it stays open past the wait. */
    private static boolean closedByServer(Socket s, long waitMs) throws IOException {
        s.setSoTimeout((int) waitMs);
        InputStream in = s.getInputStream();
        try {
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset
        }
    }

    @Test
    void twoHundredHalfSentRequestsNeitherBlockTheApiNorStayOpen() throws Exception {
        start(new HttpSettings("127.0.0.1", 0, null));
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        for (int i = 0; i < 200; i++) {
            halfRequest(null, loopback);
        }
        HttpResponse<String> health = get("127.0.0.1", "/healthz", false);
        assertEquals(200, health.statusCode(), health.body());
        HttpResponse<String> profiles = get("127.0.0.1", "/api/profiles", false);
        assertEquals(200, profiles.statusCode(), profiles.body());
        for (Socket s : sockets) {
            assertTrue(closedByServer(s, 4 * REQUEST_TIMEOUT_MS), "a half-sent request stays open");
        }
        assertEquals(200, get("127.0.0.1", "/healthz", false).statusCode());
    }

    @Test
    void aClientTricklingItsHeadersIsClosedAfterTheRequestTimeout() throws Exception {
        start(new HttpSettings("127.0.0.1", 0, null));
        Socket s = halfRequest(null, InetAddress.getByName("127.0.0.1"));
        s.setSoTimeout(1_000);
        OutputStream out = s.getOutputStream();
        long deadline = System.nanoTime() + Duration.ofMillis(4 * REQUEST_TIMEOUT_MS).toNanos();
        boolean closed = false;
        // one header byte a second: never idle, but the request as a whole never arrives
        while (!closed && System.nanoTime() - deadline < 0) {
            try {
                out.write('X');
                out.flush();
                closed = s.getInputStream().read() < 0;
            } catch (SocketTimeoutException e) {
                // still open: send the next byte
            } catch (SocketException e) {
                closed = true;
            }
        }
        assertTrue(closed, "a trickling request is held open past the request timeout");
    }

    @Test
    void anEventStreamOutlivesTheRequestTimeout() throws Exception {
        start(new HttpSettings("127.0.0.1", 0, null));
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout((int) (4 * REQUEST_TIMEOUT_MS));
            s.getOutputStream().write(("GET /api/events/stream HTTP/1.1\r\nHost: 127.0.0.1:" + server.port()
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            assertTrue(in.readLine().startsWith("HTTP/1.1 200"));
            long opened = System.nanoTime();
            int keepAlives = 0;
            // keep-alives until the stream has been open for longer than the request timeout
            while (System.nanoTime() - opened < Duration.ofMillis(REQUEST_TIMEOUT_MS + 1_000).toNanos()) {
                String line = in.readLine();
                assertTrue(line != null, "the stream was closed after " + keepAlives + " keep-alive(s)");
                keepAlives += line.contains(": keep-alive") ? 1 : 0;
            }
            assertTrue(keepAlives >= 1);
        }
    }

    @Test
    void oneRemoteClientCannotTakeEveryConnectionButLoopbackStillGetsIn() throws Exception {
        InetAddress lan = nonLoopbackAddress();
        assumeTrue(lan != null, "no non-loopback IPv4 address on this machine");
        HttpSettings settings = new HttpSettings("0.0.0.0", 0, TOKEN, List.of(), false,
                HttpSettings.DEFAULT_LIVENESS_TIMEOUT_MS, REQUEST_TIMEOUT_MS, 512, 4);
        start(settings);
        for (int i = 0; i < 4; i++) {
            assertTrue(healthOnKeptConnection(lan).startsWith("HTTP/1.1 200"));
        }
        String fifth = healthOnKeptConnection(lan);
        assertTrue(fifth.isEmpty(), "a fifth connection from one address was served: " + fifth);
        for (int i = 0; i < 10; i++) {
            halfRequest(null, InetAddress.getByName("127.0.0.1"));
        }
        assertEquals(200, get("127.0.0.1", "/healthz", false).statusCode());
    }

    private static InetAddress nonLoopbackAddress() throws SocketException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address) {
                        return a;
                    }
                }
            }
        }
        return null;
    }

    static FleetControl emptyFleet() {
        return new StubFleet();
    }
}

