package io.smartrunner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The exit's clean-up of threads waiting in native code: a JDK HttpClient's selector thread is
 * found by the name the JDK gives it, and ends when interrupted. If a JDK changes either, this
 * fails and says so (the exit would then wait 0.3 s again, nothing worse).
 */
class NativeWaitsAtExitTest {
    @Test
    void anHttpClientsSelectorThreadIsFoundAndEnds() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        try {
            List<Thread> before = NativeWaitsAtExit.httpClientSelectors();
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<Void> answer = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/")).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertEquals(204, answer.statusCode());
            // only this client's: other tests' clients in this JVM keep theirs
            List<Thread> mine = NativeWaitsAtExit.httpClientSelectors().stream().filter(t -> !before.contains(t)).toList();
            assertEquals(1, mine.size(), "one selector thread for the new client, named as the JDK names it");
            assertTrue(mine.get(0).isAlive());

            NativeWaitsAtExit.interrupt(mine, 10_000);

            assertFalse(mine.get(0).isAlive(), "the interrupted selector thread ended");
        } finally {
            server.stop(0);
        }
    }
}
