package io.smartrunner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.HttpSettings;
import io.smartrunner.event.Redactor;
import io.smartrunner.time.TimeSource;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Host allowlist for wildcard and IPv6 binds (once only the literal bind address passed), and
 * reads that need the token beyond loopback.
 */
class AllowedHostsTest {
    private static final String TOKEN = "hosts-test-token";
    @TempDir
    Path dir;
    private RunnerHttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void start(HttpSettings settings) throws IOException {
        Path log = Files.createFile(dir.resolve("events.jsonl"));
        ApiParts api = new ApiParts(SlowClientFloodTest.emptyFleet(), ApiToken.configuredOrGenerated(TOKEN, dir, p -> { }),
                log, dir, null, new NewEvents(), new Redactor(Set.of()), TimeSource.system(), null);
        server = RunnerHttpServer.start(settings, api, () -> "smartrunner_ready 1.0\n");
    }

    /** A raw GET to {@code connectTo}, with the Host header as given. */
    private int status(String connectTo, String path, String host, boolean token) throws IOException {
        try (Socket s = new Socket(InetAddress.getByName(connectTo), server.port())) {
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n"
                    + (token ? "Authorization: Bearer " + TOKEN + "\r\n" : "") + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String raw = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return Integer.parseInt(raw.substring(9, 12));
        }
    }

    @Test
    void aWildcardBindAcceptsLocalhostLoopbackAndConfiguredNamesAndReadsNeedTheToken() throws Exception {
        start(new HttpSettings("0.0.0.0", 0, TOKEN).withAllowedHosts(List.of("runner.lan", "Proxy.Example:443")));
        int port = server.port();
        for (String host : List.of("localhost:" + port, "127.0.0.1:" + port, "0.0.0.0:" + port, "runner.lan:" + port,
                "RUNNER.LAN:" + port, "proxy.example:443")) {
            assertEquals(200, status("127.0.0.1", "/api/profiles", host, true), host);
        }
        assertEquals(403, status("127.0.0.1", "/api/profiles", "evil.example:" + port, true));
        assertEquals(403, status("127.0.0.1", "/api/profiles", "runner.lan:1", true));
        assertEquals(401, status("127.0.0.1", "/api/profiles", "localhost:" + port, false));
        assertEquals(401, status("127.0.0.1", "/metrics", "localhost:" + port, false));
        assertEquals(200, status("127.0.0.1", "/metrics", "localhost:" + port, true));
        assertEquals(200, status("127.0.0.1", "/healthz", "anything", false), "probes need neither token nor Host");
    }

    @Test
    void anIpv6LoopbackBindAcceptsItsBracketedAddressAndReadsStayOpen() throws Exception {
        start(new HttpSettings("::1", 0, null));
        int port = server.port();
        assertEquals(200, status("::1", "/api/profiles", "[::1]:" + port, false));
        assertEquals(200, status("::1", "/api/profiles", "localhost:" + port, false));
        int unbracketed = status("::1", "/api/profiles", "::1:" + port, false);
        assertTrue(unbracketed == 400 || unbracketed == 403, "an unbracketed IPv6 Host is refused: " + unbracketed);
    }

    @Test
    void theMachinesHostNameIsAllowedOnlyBeyondLoopback() throws Exception {
        String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip().toLowerCase();
        Set<String> wildcard = HostAllowlist.of(new HttpSettings("0.0.0.0", 0, TOKEN), InetAddress.getByName("0.0.0.0"), 7070);
        assertTrue(wildcard.contains(name + ":7070"), wildcard.toString());
        Set<String> loopback = HostAllowlist.of(new HttpSettings("127.0.0.1", 0, null),
                InetAddress.getByName("127.0.0.1"), 7070);
        assertEquals(Set.of("127.0.0.1:7070", "localhost:7070", "[::1]:7070"), loopback);
        assertFalse(loopback.contains(name + ":7070") && !name.equals("localhost"));
    }
}
