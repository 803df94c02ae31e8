package io.smartrunner.http;

import io.smartrunner.SmartRunnerException;
import java.io.IOException;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.channels.ServerSocketChannel;

/**
 * A runner on one loopback address also holds its port on the other: a client of {@code localhost}
 * (the README's {@code curl localhost:7070}, a browser) may try {@code [::1]} first, and whoever
 * listened there would get its requests, bearer token included (reviewer R6 squatted
 * {@code [::1]:7601} as another user beside a runner on {@code 127.0.0.1:7601}). Served the same
 * routes; a machine without IPv6 has no twin to hold.
 *
 * @param channel bound to {@code host} at the runner's port
 */
record LoopbackTwin(ServerSocketChannel channel, String host) {
    /**
     * The other loopback address bound at {@code port}, or null when {@code address} is not a
     * loopback address or the machine has no other loopback family.
     *
     * @throws SmartRunnerException another process listens there
     */
    static LoopbackTwin bind(InetAddress address, int port) {
        // only the two addresses localhost names: a runner on 127.0.0.2 is no localhost's, and taking
        // [::1] for it would take a 127.0.0.1 runner's twin at the same port (reviewer R7)
        String host = address.getHostAddress();
        boolean v4 = address instanceof Inet4Address;
        if (!(v4 ? host.equals("127.0.0.1") : address.isLoopbackAddress())) {
            return null;
        }
        String other = v4 ? "::1" : "127.0.0.1";
        InetAddress twin;
        try {
            twin = InetAddress.getByName(other);
        } catch (IOException e) {
            return null;
        }
        try {
            return new LoopbackTwin(HttpTransport.bind(twin, port), other);
        } catch (BindException e) {
            if (e.getMessage() != null && e.getMessage().contains("Address already in use")) {
                String shown = other.contains(":") ? "[" + other + "]" : other;
                throw new SmartRunnerException("http: " + shown + ":" + port + " is taken by another process: a client"
                        + " of localhost may reach it instead of this runner (and send it the API token); stop it or"
                        + " set http.port");
            }
            return null; // "Cannot assign requested address": no such loopback here
        } catch (IOException e) {
            return null; // the family is not supported here
        }
    }
}
