package io.smartrunner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.HttpSettings;
import io.smartrunner.event.Redactor;
import io.smartrunner.time.TimeSource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /api/events/stream} over real sockets: where a stream starts, and streams whose client does not read. */
class EventStreamTest {
    private static final String LINE = "{\"ts\":\"2025-01-08T10:30:00.250Z\",\"pod\":\"podA\",\"profileId\":\"%s\","
            + "\"sessionId\":\"s1\",\"event\":\"start\",\"type\":\"session\",\"params\":{},\"outcome\":null,\"durMs\":null}\n";
    private static final long REQUEST_TIMEOUT_MS = 6_000;
    private final List<Socket> sockets = new ArrayList<>();
    @TempDir
    Path dir;
    private final NewEvents newEvents = new NewEvents();
    private Path log;
    private RunnerHttpServer server;

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private void start(HttpSettings settings) throws IOException {
        log = Files.createFile(dir.resolve("events.jsonl"));
        ApiParts api = new ApiParts(SlowClientFloodTest.emptyFleet(),
                ApiToken.configuredOrGenerated("event-stream-test-token", dir, p -> { }), log, dir, null, newEvents,
                new Redactor(Set.of()), TimeSource.system(), null);
        server = RunnerHttpServer.start(settings, api, null);
    }

    private void append(String profileId) throws IOException {
        Files.writeString(log, LINE.formatted(profileId), StandardOpenOption.APPEND);
        newEvents.accept(List.of());
    }

    private Socket openStream(String query, String lastEventId) throws IOException {
        Socket s = new Socket("127.0.0.1", server.port());
        s.getOutputStream().write(("GET /api/events/stream" + query + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.port()
                + "\r\n" + (lastEventId == null ? "" : "Last-Event-ID: " + lastEventId + "\r\n") + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        return s;
    }

    /**
     * Reads lines until one contains {@code needle}; fails when the stream ends, or stays silent
     * but for keep-alives (a stream waiting on a cursor the log never reaches sends nothing else).
     */
    private static String lineWith(BufferedReader in, String needle) throws IOException {
        int keepAlives = 0;
        for (String line = in.readLine(); line != null && keepAlives < 3; line = in.readLine()) {
            if (line.contains(needle)) {
                return line;
            }
            keepAlives += line.equals(": keep-alive") ? 1 : 0;
        }
        throw new AssertionError("no line with " + needle + " before the stream ended or went quiet");
    }

    @Test
    void aCursorPastTheEndOfTheLogIsClampedSoNewEventsArrive() throws Exception {
        start(new HttpSettings("127.0.0.1", 0, null));
        append("p1");
        long end = Files.size(log);
        for (String[] cursor : new String[][] {{"?after=99999999999999", null}, {"", "99999999999999"}}) {
            try (Socket s = openStream(cursor[0], cursor[1])) {
                s.setSoTimeout(20_000); // a silent stream fails the test instead of hanging it
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                assertTrue(in.readLine().startsWith("HTTP/1.1 200"));
                lineWith(in, ": connected");
                assertEquals("", in.readLine());
                assertEquals("id: " + end, in.readLine(), "the clamped cursor, at once, for a reconnect");
                append("p2");
                assertTrue(lineWith(in, "data: ").contains("\"profileId\":\"p2\""));
            }
            end = Files.size(log);
        }
    }

    @Test
    void streamsWhoseClientsNeverReadAreClosedAndTheirSlotsFreed() throws Exception {
        start(new HttpSettings("127.0.0.1", 0, null).withRequestTimeoutMs(REQUEST_TIMEOUT_MS));
        StringBuilder backlog = new StringBuilder();
        for (int i = 0; i < 2_000; i++) {
            backlog.append(LINE.formatted("p" + i));
        }
        Files.writeString(log, backlog);
        for (int i = 0; i < EventsRoute.MAX_STREAMS; i++) {
            Socket s = new Socket();
            sockets.add(s);
            s.setReceiveBufferSize(1024); // before connect: the window it advertises stays small
            s.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()));
            s.getOutputStream().write(("GET /api/events/stream?after=0 HTTP/1.1\r\nHost: 127.0.0.1:" + server.port()
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            // the status line, so the slot is known to be taken; then it never reads again
            assertEquals("HTTP/1.1 200", new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII));
        }
        assertEquals(503, newStreamStatus(), "every slot is taken");
        int status = 503;
        // the bound is the request timeout, looked at with each keep-alive (5 s): well inside a minute
        for (long deadline = System.nanoTime() + 60_000_000_000L; status == 503 && System.nanoTime() < deadline; ) {
            Thread.sleep(250); // polling the server: there is nothing in this process to wait on
            status = newStreamStatus();
        }
        assertEquals(200, status, "no stream slot was freed from clients that never read");
    }

    private int newStreamStatus() throws IOException {
        try (Socket s = openStream("", null)) {
            s.setSoTimeout(20_000);
            InputStream in = s.getInputStream();
            return Integer.parseInt(new String(in.readNBytes(12), StandardCharsets.US_ASCII).substring(9));
        }
    }
}
