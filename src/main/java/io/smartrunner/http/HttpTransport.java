package io.smartrunner.http;

import com.sun.net.httpserver.HttpHandler;
import io.smartrunner.config.HttpSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import org.eclipse.jetty.http.spi.JettyHttpServer;
import org.eclipse.jetty.server.ConnectionLimit;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Jetty under the handlers (through its com.sun.net.httpserver implementation, so the handlers
 * stay JDK-API handlers). Why Jetty and not the JDK server: the JDK server reads a request's
 * headers on a pool thread, so as many half-sent requests as threads stop every route; Jetty's
 * selector parses them as bytes arrive and takes a thread only for a complete request.
 * <ul>
 *   <li>a connection that sends nothing for {@code http.requestTimeoutMs} while a request is read
 *       (headers or body) or while idle between requests is closed ({@link RequestTimeouts} also
 *       bounds the whole of a request's headers, so trickling bytes does not help);</li>
 *   <li>at most {@code http.maxConnections} connections (beyond, accepting pauses and the idle
 *       timeout shortens), and {@code http.maxConnectionsPerClient} from one non-loopback address;</li>
 *   <li>requests that do arrive run on a bounded pool.</li>
 * </ul>
 */
final class HttpTransport {
    private static final int ACCEPT_QUEUE = 128;
    private final Server server;
    private final ServerConnector connector;

    private final HttpConfiguration http;
    private final HttpSettings settings;
    /** The other loopback address's connector ({@link #serveAlsoOn}), or null. */
    private ServerConnector twin;

    private ServerConnector connector(String host) {
        ServerConnector c = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        c.setHost(host);
        c.setPort(settings.port());
        c.setIdleTimeout(settings.requestTimeoutMs());
        c.setAcceptQueueSize(ACCEPT_QUEUE);
        c.addBean(new PerClientLimit(settings.maxConnectionsPerClient()));
        c.addBean(new RequestTimeouts(settings.requestTimeoutMs()));
        return c;
    }

    /** The same routes also on this channel (the other loopback address's, bound to the same port), before {@link #serve}. */
    void serveAlsoOn(ServerSocketChannel channel, String host) throws IOException {
        twin = connector(host);
        twin.open(channel);
        server.addConnector(twin);
    }

    HttpTransport(HttpSettings settings, InetAddress address, int threads) {
        QueuedThreadPool pool = new QueuedThreadPool(threads + 8, 2, 60_000);
        pool.setName("sr-http");
        pool.setDaemon(true);
        server = new Server(pool);
        server.setStopTimeout(0);
        server.setErrorHandler(new JsonErrors());
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setRequestHeaderSize(16 * 1024);
        this.http = http;
        this.settings = settings;
        connector = connector(address.getHostAddress());
        server.addConnector(connector);
        ConnectionLimit limit = new ConnectionLimit(settings.maxConnections(), server);
        limit.setIdleTimeout(Math.max(1_000, settings.requestTimeoutMs() / 4));
        server.addBean(limit);
        server.setHandler(new ContextHandlerCollection());
    }

    /**
     * Binds the port, before Jetty is even built (its set-up, MIME tables and all, then runs on
     * another thread while connections wait in the backlog), so a taken port is reported first,
     * on the caller's thread. The socket options are the ones Jetty's own open sets.
     */
    static ServerSocketChannel bind(InetAddress address, int port) throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.bind(new InetSocketAddress(address, port), ACCEPT_QUEUE);
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Serves every path through {@code handler} on the {@link #bind bound} channel; returns the started server. */
    Server serve(ServerSocketChannel channel, HttpHandler handler) throws IOException {
        connector.open(channel);
        JettyHttpServer spi = new JettyHttpServer(server, true);
        spi.bind(new InetSocketAddress(connector.getHost(), connector.getPort()), 0);
        spi.createContext("/", handler);
        try {
            server.start();
        } catch (Exception e) {
            abandon();
            throw new IOException(e.getMessage(), e);
        }
        return server;
    }

    /** Closes the port after a failed start. */
    void abandon() {
        try {
            server.stop();
        } catch (Exception ignored) {
            // nothing was served
        }
        connector.close();
        if (twin != null) {
            twin.close();
        }
    }
}
