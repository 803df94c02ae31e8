package io.smartrunner.browser.cdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client against a scripted browser on a real WebSocket (see {@link #answer}). */
class CdpClientTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REPLY = Duration.ofSeconds(30);
    private static final Duration FOREVER = Duration.ofMinutes(10);

    private final List<Integer> receivedIds = new CopyOnWriteArrayList<>();
    private TestWebSocketServer server;
    private CdpClient client;

    @BeforeEach
    void setUp() throws IOException {
        server = new TestWebSocketServer(this::answer);
        client = CdpClient.connect(server.uri(), Duration.ofSeconds(10));
    }

    @AfterEach
    void tearDown() throws IOException {
        client.close();
        server.close();
    }

    /** The scripted browser: what each test method makes the server do. */
    private void answer(TestWebSocketServer.Connection c, String text) throws IOException {
        JsonNode command = JSON.readTree(text);
        int id = command.get("id").intValue();
        receivedIds.add(id);
        ObjectNode reply = JSON.createObjectNode().put("id", id);
        switch (command.get("method").textValue()) {
            case "Test.echo" -> {
                reply.putObject("result").put("sessionId", command.path("sessionId").textValue())
                        .put("hasParams", command.has("params")).set("params", command.path("params"));
                c.send(reply.toString());
            }
            case "Runtime.evaluate" -> {
                reply.putObject("error").put("code", -32000).put("message", "Cannot find context");
                c.send(reply.toString());
            }
            case "Test.fragmented" -> {
                reply.putObject("result").put("text", command.path("params").path("text").textValue());
                c.sendFragmented(reply.toString(), 3);
            }
            case "Test.emit" -> {
                ObjectNode event = JSON.createObjectNode().put("method", command.path("params").path("event").textValue());
                event.set("params", command.path("params").path("payload"));
                if (command.has("sessionId")) {
                    event.set("sessionId", command.get("sessionId"));
                }
                c.send(event.toString());
                reply.putObject("result");
                c.send(reply.toString());
            }
            case "Test.silent" -> { }
            case "Test.closeSocket" -> c.sendClose(1001);
            case "Test.dropSocket" -> c.drop();
            default -> throw new IOException("unscripted " + text);
        }
    }

    @Test
    void commandGetsItsResultUnderIncreasingIds() throws Exception {
        JsonNode first = client.send("Test.echo", Map.of("expression", "1+1"), REPLY).get(30, TimeUnit.SECONDS);
        JsonNode second = client.send("Test.echo", null, REPLY).get(30, TimeUnit.SECONDS);

        assertEquals("1+1", first.path("params").path("expression").textValue());
        assertTrue(first.path("hasParams").booleanValue());
        assertFalse(second.path("hasParams").booleanValue(), "no params sent when none given: " + second);
        assertTrue(receivedIds.get(1) > receivedIds.get(0), "ids " + receivedIds);
        assertFalse(server.handshakes.get(0).containsKey("origin"), "Chromium 111+ refuses an Origin header");
    }

    @Test
    void errorReplyFailsTheCommandWithCodeAndMessage() {
        CdpException e = failure(client.send("Runtime.evaluate", Map.of("expression", "x"), REPLY));

        assertEquals("Runtime.evaluate: -32000 Cannot find context", e.getMessage());
        assertEquals(0, client.pendingCount());
    }

    @Test
    void unansweredCommandTimesOutAndLeavesNothingPending() {
        CdpException e = failure(client.send("Test.silent", null, Duration.ofMillis(200)));

        assertEquals("Test.silent: timed out after 200 ms", e.getMessage());
        assertEquals(0, client.pendingCount());
    }

    @Test
    void eventsReachSubscribersInOrderUntilUnsubscribed() throws Exception {
        BlockingQueue<JsonNode> unsubscribed = new LinkedBlockingQueue<>();
        BlockingQueue<JsonNode> subscribed = new LinkedBlockingQueue<>();
        AutoCloseable handle = client.on("Page.loadEventFired", unsubscribed::add);
        client.on("Page.loadEventFired", subscribed::add);

        emit("Page.loadEventFired", 1, null);
        assertEquals(1, next(subscribed).path("n").intValue());
        assertEquals(1, next(unsubscribed).path("n").intValue());
        handle.close();
        emit("Page.loadEventFired", 2, null);

        assertEquals(2, next(subscribed).path("n").intValue());
        // listeners of one event run in subscription order: had it still been subscribed, it would have it by now
        assertTrue(unsubscribed.isEmpty(), "unsubscribed listener got " + unsubscribed);
    }

    @Test
    void listenerThatThrowsDoesNotStopTheReaderOrTheOtherListeners() throws Exception {
        BlockingQueue<JsonNode> seen = new LinkedBlockingQueue<>();
        client.on("Page.frameNavigated", params -> {
            throw new IllegalStateException("listener failure thrown on purpose by the test");
        });
        client.on("Page.frameNavigated", seen::add);

        emit("Page.frameNavigated", 1, null);
        emit("Page.frameNavigated", 2, null);

        assertEquals(1, next(seen).path("n").intValue());
        assertEquals(2, next(seen).path("n").intValue());
        assertEquals("still", client.send("Test.echo", Map.of("alive", "still"), REPLY)
                .get(30, TimeUnit.SECONDS).path("params").path("alive").textValue());
    }

    @Test
    void replyInFragmentsIsReassembledBeforeParsing() throws Exception {
        // multi-byte characters, so fragment boundaries fall inside characters too
        String text = "héllo wörld € 😀 ".repeat(20_000);

        JsonNode result = client.send("Test.fragmented", Map.of("text", text), REPLY).get(30, TimeUnit.SECONDS);

        assertEquals(text, result.path("text").textValue());
    }

    @Test
    void concurrentSendsFromManyThreadsAreAllAnswered() throws Exception {
        int threads = 8;
        int perThread = 100;
        // big enough that a write is still in flight when the next thread sends: the JDK allows one at a time
        String padding = "x".repeat(32 * 1024);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<List<CompletableFuture<JsonNode>>>> batches = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int base = t * perThread;
                batches.add(pool.submit(() -> {
                    start.await();
                    List<CompletableFuture<JsonNode>> replies = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        replies.add(client.send("Test.echo", Map.of("n", base + i, "padding", padding), REPLY));
                    }
                    return replies;
                }));
            }
            start.countDown();
            for (int t = 0; t < threads; t++) {
                List<CompletableFuture<JsonNode>> replies = batches.get(t).get(60, TimeUnit.SECONDS);
                for (int i = 0; i < perThread; i++) {
                    assertEquals(t * perThread + i, replies.get(i).get(60, TimeUnit.SECONDS).path("params").path("n").intValue());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(threads * perThread, new HashSet<>(receivedIds).size(), "every id distinct");
        assertEquals(0, client.pendingCount());
    }

    @Test
    void browserClosingMidCommandFailsEveryPendingCommandAtOnce() throws Exception {
        CompletableFuture<JsonNode> waiting = client.send("Test.silent", null, FOREVER);
        CompletableFuture<JsonNode> closing = client.send("Test.closeSocket", null, FOREVER);

        assertEquals("Test.silent: connection closed: closed by the browser (1001)", failure(waiting).getMessage());
        assertEquals("Test.closeSocket: connection closed: closed by the browser (1001)", failure(closing).getMessage());
        assertNull(client.closed().get(10, TimeUnit.SECONDS));
        assertEquals(0, client.pendingCount());
        assertEquals("Test.echo: connection closed: closed by the browser (1001)",
                failure(client.send("Test.echo", null, FOREVER)).getMessage());
    }

    @Test
    void browserVanishingWithoutCloseFrameFailsPendingCommands() throws Exception {
        CompletableFuture<JsonNode> waiting = client.send("Test.silent", null, FOREVER);
        client.send("Test.dropSocket", null, FOREVER);

        String message = failure(waiting).getMessage();

        assertEquals("Test.silent: connection closed: lost without a close frame (1006)", message);
        assertNull(client.closed().get(10, TimeUnit.SECONDS));
        assertEquals(0, client.pendingCount());
    }

    @Test
    void closeIsIdempotentAndFailsPendingAndLaterCommands() throws Exception {
        CompletableFuture<JsonNode> waiting = client.send("Test.silent", null, FOREVER);

        client.close();
        client.close();

        assertEquals("Test.silent: connection closed: closed by the client", failure(waiting).getMessage());
        assertNull(client.closed().get(10, TimeUnit.SECONDS));
        assertEquals("Page.navigate: connection closed: closed by the client",
                failure(client.send("Page.navigate", Map.of("url", "about:blank"), REPLY)).getMessage());
    }

    @Test
    void sessionCommandsCarryTheSessionIdAndSessionEventsReachOnlyTheirSubscribers() throws Exception {
        BlockingQueue<JsonNode> session = new LinkedBlockingQueue<>();
        BlockingQueue<JsonNode> root = new LinkedBlockingQueue<>();
        client.onSession("S1", "Page.loadEventFired", session::add);
        client.on("Page.loadEventFired", root::add);

        JsonNode echoed = client.send("Test.echo", Map.of(), "S1", REPLY).get(30, TimeUnit.SECONDS);
        emit("Page.loadEventFired", 1, "S1");
        emit("Page.loadEventFired", 2, null);

        assertEquals("S1", echoed.path("sessionId").textValue());
        assertEquals(1, next(session).path("n").intValue());
        assertEquals(2, next(root).path("n").intValue());
        assertTrue(root.isEmpty() && session.isEmpty(), "root " + root + ", session " + session);
    }

    @Test
    void connectingWhereNothingListensFailsWithConnectionRefused() throws IOException {
        int port;
        try (var probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        URI url = URI.create("ws://127.0.0.1:" + port + "/devtools/browser/x");

        CdpException e = assertThrows(CdpException.class, () -> CdpClient.connect(url, Duration.ofSeconds(10)));

        assertEquals("connect " + url + ": connection refused", e.getMessage());
    }

    private void emit(String event, int n, String sessionId) throws Exception {
        Map<String, Object> params = Map.of("event", event, "payload", Map.of("n", n));
        client.send("Test.emit", params, sessionId, REPLY).get(30, TimeUnit.SECONDS);
    }

    private static JsonNode next(BlockingQueue<JsonNode> queue) throws InterruptedException {
        JsonNode node = queue.poll(30, TimeUnit.SECONDS);
        assertTrue(node != null, "no event within 30 s");
        return node;
    }

    private static CdpException failure(CompletableFuture<?> future) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(30, TimeUnit.SECONDS));
        return assertInstanceOf(CdpException.class, e.getCause());
    }
}
