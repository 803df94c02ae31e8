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

    /**
     * Reviewer R11: two browsers were given the same port; the second Chromium fell back to
     * [::1] and the profile was handed the first one's browser, a listener of the same user. Only
     * the profile's own Chromium's sockets are taken, and one must be on 127.0.0.1.
     */
    @Test
    void aListenerOfAnotherProcessOfTheSameUserIsNotTakenForTheBrowsers() throws Exception {
        try (ServerSocket mine = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = mine.getLocalPort();
            assertDoesNotThrow(() -> DevToolsPortFile.requireBrowsersListener(port, ProcessHandle.current().pid()),
                    "this JVM's own socket is its own");
            Process other = new ProcessBuilder("sleep", "60").start();
            try {
                SmartRunnerException e = assertThrows(SmartRunnerException.class,
                        () -> DevToolsPortFile.requireBrowsersListener(port, other.pid()));
                // a JVM's socket on 127.0.0.1 is an IPv4-mapped one, in tcp6
                assertTrue(e.getMessage().startsWith("DevTools port " + port + " is also held by another process"
                        + " (/proc/net/tcp6, socket inode "), e.getMessage());
                assertTrue(e.getMessage().endsWith("not by this profile's Chromium (pid " + other.pid() + "): another"
                        + " browser took the same port (another runner's?)"), e.getMessage());
            } finally {
                other.destroyForcibly();
                other.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aBrowserListeningOnlyOnIpv6sLoopbackIsRefused() throws Exception {
        try (ServerSocket v6 = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            SmartRunnerException e = assertThrows(SmartRunnerException.class,
                    () -> DevToolsPortFile.requireBrowsersListener(v6.getLocalPort(), ProcessHandle.current().pid()));
            assertEquals("this profile's Chromium (pid " + ProcessHandle.current().pid() + ") does not listen on 127.0.0.1:"
                    + v6.getLocalPort() + " (bound elsewhere: 1 listener(s))", e.getMessage());
        }
    }

    /** A browser.binary that is a wrapper script (no exec): the Chromium holding the port is a child of the pid launched. */
    @Test
    void aListenerOfTheLaunchedProcesssChildIsTheBrowsers() throws Exception {
        Process wrapper = new ProcessBuilder("/bin/sh", "-c", "python3 -c \"import socket,time\ns=socket.socket()\n"
                + "s.bind(('127.0.0.1', 0))\ns.listen(1)\nprint(s.getsockname()[1], flush=True)\ntime.sleep(60)\"; :")
                .redirectErrorStream(true).start();
        try {
            int port = Integer.parseInt(new BufferedReader(new InputStreamReader(wrapper.getInputStream(),
                    StandardCharsets.UTF_8)).readLine().strip());

            assertDoesNotThrow(() -> DevToolsPortFile.requireBrowsersListener(port, wrapper.pid()));
        } finally {
            wrapper.descendants().forEach(ProcessHandle::destroyForcibly);
            wrapper.destroyForcibly();
            wrapper.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
