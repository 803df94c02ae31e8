package io.smartrunner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** Which addresses get a twin: only the two that localhost names. */
class LoopbackTwinTest {
    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    /** Reviewer R7: a runner on 127.0.0.2 took [::1] at its port, a 127.0.0.1 runner's localhost traffic with it. */
    @Test
    void aRunnerOnAnotherLoopbackAddressTakesNoTwin() throws Exception {
        assertNull(LoopbackTwin.bind(InetAddress.getByName("127.0.0.2"), freePort()));
    }

    @Test
    void aRunnerOn127001HoldsIpv6LoopbackAtItsPort() throws Exception {
        LoopbackTwin twin = LoopbackTwin.bind(InetAddress.getByName("127.0.0.1"), freePort());
        try {
            assertEquals("::1", twin.host());
            assertEquals(InetAddress.getByName("::1"), ((java.net.InetSocketAddress) twin.channel().getLocalAddress())
                    .getAddress());
        } finally {
            twin.channel().close();
        }
    }
}
