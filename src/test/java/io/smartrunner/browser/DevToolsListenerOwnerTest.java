package io.smartrunner.browser;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.SmartRunnerException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A port the runner chose for a browser could be bound by another user before Chromium binds it;
 * the runner must not take that user's listener for its browser's DevTools (the suite runs as
 * root, .ci/run; user nobody plays the other user).
 */
class DevToolsListenerOwnerTest {
    @Test
    void aListenerOfTheRunnersOwnUserIsTaken() throws Exception {
        try (ServerSocket own = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertDoesNotThrow(() -> DevToolsPortFile.requireOwnListener(own.getLocalPort()));
        }
    }

    @Test
    void anotherUsersListenerOnEveryAddressIsRefusedNamingItsUid() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        // on IPv6's every-address socket, which takes 127.0.0.1 too: the runner's GET would reach it
        Process squatter = new ProcessBuilder("runuser", "-u", "nobody", "--", "python3", "-c",
                "import socket,sys,time\ns=socket.socket(socket.AF_INET6)\ns.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)\n"
                        + "s.bind(('::', " + port + "))\ns.listen(1)\nprint('listening', flush=True)\ntime.sleep(60)")
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(squatter.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("listening", out.readLine(), "the squatter runs as nobody");
            SmartRunnerException e = assertThrows(SmartRunnerException.class, () -> DevToolsPortFile.requireOwnListener(port));
            assertTrue(e.getMessage().startsWith("DevTools port " + port + " is held by uid 65534 (/proc/net/tcp6), not by"
                    + " this runner's browser"), e.getMessage());
        } finally {
            squatter.destroyForcibly();
            squatter.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
