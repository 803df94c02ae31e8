package io.smartrunner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import io.smartrunner.event.Redactor;
import io.smartrunner.time.TimeSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.io.EofException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that leaves is no internal error: each dashboard tab closed printed "internal error
 * answering GET /api/events/stream" (Jetty's close of the exchange threw {@code EofException},
 * wrapped), once the API's own failures were said on stderr (reviewer R11).
 */
class ClientGoneTest {
    @TempDir
    Path dir;

    @Test
    void aBrokenConnectionIsTheClientGoneAndADiskErrorIsNot() {
        // as Jetty's HTTP SPI throws it when it closes an exchange whose connection is gone
        assertTrue(ClientGone.is(new RuntimeException(new IOException("org.eclipse.jetty.io.EofException"))));
        assertTrue(ClientGone.is(new RuntimeException(new IOException(new EofException("reset")))));
        assertTrue(ClientGone.is(new IOException("Broken pipe")));
        assertTrue(ClientGone.is(new IOException("Connection reset by peer")));
        assertFalse(ClientGone.is(new IOException("No space left on device")));
        assertFalse(ClientGone.is(new NullPointerException()));
    }

    @Test
    void anEventStreamWhoseClientLeftEndsWithoutALineOrA500() throws Exception {
        List<String> faults = new CopyOnWriteArrayList<>();
        ApiHandler handler = handler(faults);
        LeavingExchange ex = new LeavingExchange("GET", "/api/events/stream", new IOException("Broken pipe"));

        handler.handle(ex);

        assertEquals(List.of(), faults);
        assertEquals(List.of(200), ex.statuses, "the stream's head only, no 500 after it");
    }

    @Test
    void theRunnersOwnFailureWhileAnsweringIsSaidAndAnswered500() throws Exception {
        List<String> faults = new CopyOnWriteArrayList<>();
        ApiHandler handler = handler(faults);
        // the stream's first write fails for a reason of the machine's, not the client's
        LeavingExchange ex = new LeavingExchange("GET", "/api/events/stream", new IOException("Input/output error"));

        handler.handle(ex);

        assertEquals(1, faults.size(), faults.toString());
        assertTrue(faults.get(0).startsWith("smart-runner: internal error answering GET /api/events/stream:"
                + " java.io.IOException: Input/output error"), faults.get(0));
        assertEquals(List.of(200, 500), ex.statuses);
    }

    private ApiHandler handler(List<String> faults) throws IOException {
        Path log = Files.createFile(dir.resolve("events.jsonl"));
        ApiParts api = new ApiParts(SlowClientFloodTest.emptyFleet(), ApiToken.configuredOrGenerated(
                "client-gone-test-token", dir, p -> { }), log, dir, null, new NewEvents(), new Redactor(Set.of()),
                TimeSource.system(), null);
        return new ApiHandler(api, Set.of("127.0.0.1"), false, 10_000, faults::add);
    }

    /**
     * An exchange whose body fails at its first write with {@code writeFailure}, and whose close
     * then throws as Jetty's does for a connection gone.
     */
    private static final class LeavingExchange extends HttpExchange {
        private final Headers request = new Headers();
        private final Headers response = new Headers();
        private final String method;
        private final URI uri;
        private final IOException writeFailure;
        final List<Integer> statuses = new ArrayList<>();

        LeavingExchange(String method, String path, IOException writeFailure) {
            this.method = method;
            this.uri = URI.create(path);
            this.writeFailure = writeFailure;
            request.add("Host", "127.0.0.1");
        }

        @Override
        public Headers getRequestHeaders() {
            return request;
        }

        @Override
        public Headers getResponseHeaders() {
            return response;
        }

        @Override
        public URI getRequestURI() {
            return uri;
        }

        @Override
        public String getRequestMethod() {
            return method;
        }

        @Override
        public HttpContext getHttpContext() {
            return null;
        }

        @Override
        public void close() {
            if (writeFailure.getMessage().equals("Broken pipe")) {
                throw new RuntimeException(new IOException("org.eclipse.jetty.io.EofException"));
            }
        }

        @Override
        public InputStream getRequestBody() {
            return new ByteArrayInputStream(new byte[0]);
        }

        @Override
        public OutputStream getResponseBody() {
            return new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    throw writeFailure;
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (statuses.size() == 1) {
                        throw writeFailure;
                    }
                }
            };
        }

        @Override
        public void sendResponseHeaders(int rCode, long responseLength) {
            statuses.add(rCode);
        }

        @Override
        public InetSocketAddress getRemoteAddress() {
            return new InetSocketAddress("127.0.0.1", 40000);
        }

        @Override
        public int getResponseCode() {
            return statuses.isEmpty() ? -1 : statuses.get(statuses.size() - 1);
        }

        @Override
        public InetSocketAddress getLocalAddress() {
            return new InetSocketAddress("127.0.0.1", 7070);
        }

        @Override
        public String getProtocol() {
            return "HTTP/1.1";
        }

        @Override
        public Object getAttribute(String name) {
            return null;
        }

        @Override
        public void setAttribute(String name, Object value) {
        }

        @Override
        public void setStreams(InputStream i, OutputStream o) {
        }

        @Override
        public HttpPrincipal getPrincipal() {
            return null;
        }
    }
}
