package io.smartrunner.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.io.Connection;

/**
 * Closes a new connection when its remote address already holds {@code max} open ones, so one
 * remote client cannot use up the server's connections. Loopback clients are not counted: on
 * loopback every client (the CLI, the dashboard, a health probe) is 127.0.0.1, and a cap there
 * would lock out {@code /healthz} together with the flood.
 */
final class PerClientLimit implements Connection.Listener {
    private final int max;
    private final Map<InetAddress, Integer> open = new ConcurrentHashMap<>();

    PerClientLimit(int max) {
        this.max = max;
    }

    @Override
    public void onOpened(Connection connection) {
        InetAddress client = remote(connection);
        if (client == null) {
            return;
        }
        if (open.merge(client, 1, Integer::sum) > max) {
            connection.getEndPoint().close();
        }
    }

    @Override
    public void onClosed(Connection connection) {
        InetAddress client = remote(connection);
        if (client != null) {
            open.computeIfPresent(client, (k, n) -> n > 1 ? n - 1 : null);
        }
    }

    int openFrom(InetAddress client) {
        return open.getOrDefault(client, 0);
    }

    private static InetAddress remote(Connection connection) {
        SocketAddress address = connection.getEndPoint().getRemoteSocketAddress();
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null
                && !inet.getAddress().isLoopbackAddress()) {
            return inet.getAddress();
        }
        return null;
    }
}
