package io.smartrunner.http;

import com.sun.net.httpserver.HttpExchange;
import io.smartrunner.DaemonThreads;
import io.smartrunner.SmartRunnerException;
import io.smartrunner.config.HttpSettings;
import io.smartrunner.health.RunnerHealth;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.function.Supplier;
import org.eclipse.jetty.server.Server;

/**
 * The runner's HTTP server: {@code GET /healthz} and {@code /readyz}, the API of DESIGN §2a,
 * {@code /metrics}, the dashboard and, when {@code http.demoSite} is on, the demo site under
 * {@code /demo/}. Loopback only unless a token is configured; beyond loopback reads need the token
 * too. Served by {@link HttpTransport}'s Jetty connector, which reads requests without holding a
 * thread, so slow or idle clients cannot take the API (or the health checks) down.
 */
public final class RunnerHttpServer implements AutoCloseable {
    static final int THREADS = EventsRoute.MAX_STREAMS + 16;
    /** How long {@link #close()} waits for a start in the background to end before stopping it. */
    private static final long START_WAIT_MS = 10_000;
    private final java.util.concurrent.CompletableFuture<Server> server;
    private final int port;

    private RunnerHttpServer(java.util.concurrent.CompletableFuture<Server> server, int port) {
        this.server = server;
        this.port = port;
    }

    /** Health and, when the settings ask for it, the demo site (tools and tests). */
    public static RunnerHttpServer start(HttpSettings settings) {
        return start(settings, null);
    }

    /**
     * @param api null = no API
     * @throws SmartRunnerException one line when the address is taken or refused by the security rules
     */
    public static RunnerHttpServer start(HttpSettings settings, ApiParts api) {
        return start(settings, api, null);
    }

    public static RunnerHttpServer start(HttpSettings settings, ApiParts api, Supplier<String> metrics) {
        return start(settings, api, metrics, null);
    }

    /**
     * @param api     null = no API
     * @param metrics the Prometheus text for {@code GET /metrics}; null = none. Served with the API (same Host rules)
     * @param health  what {@code /healthz} and {@code /readyz} answer; null = always ok (no engine)
     * @throws SmartRunnerException one line when the address is taken or refused by the security rules
     */
    public static RunnerHttpServer start(HttpSettings settings, ApiParts api, Supplier<String> metrics,
                                         RunnerHealth health) {
        return start(settings, api, metrics, health, null);
    }

    /**
     * {@link #start(HttpSettings, ApiParts, Supplier, RunnerHealth)} that binds now, so a taken port
     * is still reported here and before any session runs, and starts serving on a thread of its
     * own: Jetty's start took a tenth of {@code run}'s path to its first session. Meanwhile
     * connections wait in the listen backlog.
     *
     * @param failed told in one line if serving cannot start after the bind (the port is then closed)
     */
    public static RunnerHttpServer startServingSoon(HttpSettings settings, ApiParts api, Supplier<String> metrics,
                                                    RunnerHealth health, java.util.function.Consumer<String> failed) {
        return start(settings, api, metrics, health, failed);
    }

    private static RunnerHttpServer start(HttpSettings settings, ApiParts api, Supplier<String> metrics,
                                          RunnerHealth health, java.util.function.Consumer<String> inBackground) {
        InetAddress address;
        try {
            address = InetAddress.getByName(settings.bind());
        } catch (IOException e) {
            throw new SmartRunnerException("http.bind: \"" + settings.bind() + "\" is not an address: " + e.getMessage());
        }
        boolean loopback = address.isLoopbackAddress();
        if (!loopback && settings.token() == null) {
            throw new SmartRunnerException("http.bind: " + settings.bind() + " is not a loopback address and no"
                    + " http.token is set; set a token (e.g. \"${env:SR_TOKEN}\") or bind 127.0.0.1");
        }
        Routes routes = new Routes();
        ServerSocketChannel channel;
        int port;
        LoopbackTwin twin;
        for (int attempt = 1; ; attempt++) {
            try {
                channel = HttpTransport.bind(address, settings.port());
                port = channel.socket().getLocalPort();
            } catch (BindException e) {
                throw new SmartRunnerException("http: cannot listen on " + settings.bind() + ":" + settings.port() + ": "
                        + e.getMessage() + " (another runner? set http.port)");
            } catch (IOException e) {
                throw new SmartRunnerException("http: cannot listen on " + settings.bind() + ":" + settings.port() + ": "
                        + e.getMessage());
            }
            try {
                twin = LoopbackTwin.bind(address, port);
                break;
            } catch (SmartRunnerException taken) {
                closeQuietly(channel);
                if (settings.port() != 0 || attempt == 5) { // a port of the kernel's choosing: another one may be free on both
                    throw taken;
                }
            }
        }
        Set<String> hosts = HostAllowlist.of(settings, address, port);
        routes.add("/healthz", HealthRoute.liveness(health, hosts)).add("/readyz", HealthRoute.readiness(health, hosts));
        if (settings.demoSite()) {
            routes.add("/demo/", new DemoSite(hosts));
        }
        if (api != null) {
            boolean readsNeedToken = !loopback || settings.readsNeedToken();
            routes.add("/api/", new ApiHandler(api, hosts, readsNeedToken, settings.requestTimeoutMs()));
            if (metrics != null) {
                routes.add("/metrics", new MetricsHandler(metrics, hosts, readsNeedToken ? api.token() : null));
            }
            routes.add("/", new DashboardHandler(hosts)); // every path no other route claims
        }
        if (inBackground == null) {
            try {
                return new RunnerHttpServer(java.util.concurrent.CompletableFuture.completedFuture(
                        serve(settings, address, channel, twin, routes)), port);
            } catch (IOException e) {
                throw new SmartRunnerException("http: cannot serve on " + settings.bind() + ":" + port + ": "
                        + e.getMessage());
            }
        }
        ServerSocketChannel bound = channel;
        LoopbackTwin alsoOn = twin;
        int boundPort = port;
        java.util.concurrent.CompletableFuture<Server> serving = new java.util.concurrent.CompletableFuture<>();
        Thread starter = DaemonThreads.daemon(() -> serveOrSay(() -> serve(settings, address, bound, alsoOn, routes),
                serving, inBackground, settings.bind() + ":" + boundPort), "sr-http-start");
        starter.start();
        return new RunnerHttpServer(serving, port);
    }

    /**
     * Runs {@code serve}; any failure, an {@link Error} too, is said in one line to {@code failed}
     * (the runner stops, exit 1). Reviewer R13: under {@code ulimit -n 64} Jetty's start threw
     * {@code UnsatisfiedLinkError} (a library it loads: "Too many open files"), which only
     * exceptions were caught for: the thread died with a stack trace and the runner went on with
     * nothing on its port, no API, no probes, after saying it served there.
     */
    static void serveOrSay(java.util.concurrent.Callable<Server> serve,
                           java.util.concurrent.CompletableFuture<Server> serving,
                           java.util.function.Consumer<String> failed, String where) {
        try {
            serving.complete(serve.call());
        } catch (Throwable e) {
            serving.completeExceptionally(e);
            String why = e.getMessage() == null ? e.getClass().getSimpleName()
                    : e instanceof Exception ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
            failed.accept("http: cannot serve on " + where + ": " + why);
        }
    }

    /** Jetty, built and started on the bound channel; the channel is closed when that fails. */
    private static Server serve(HttpSettings settings, InetAddress address, ServerSocketChannel channel,
                                LoopbackTwin twin, Routes routes) throws IOException {
        HttpTransport transport = null;
        try {
            transport = new HttpTransport(settings, address, THREADS);
            if (twin != null) {
                transport.serveAlsoOn(twin.channel(), twin.host());
            }
            return transport.serve(channel, routes);
        } catch (IOException | RuntimeException | Error e) {
            if (transport != null) {
                transport.abandon();
            }
            channel.close();
            if (twin != null) {
                closeQuietly(twin.channel());
            }
            throw e;
        }
    }

    private static void closeQuietly(ServerSocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a port this start gives up
        }
    }

    public int port() {
        return port;
    }

    static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        send(ex, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Sends a whole reply and closes the exchange (headers set before the call are kept). A HEAD
     * request gets the head its GET would, {@code Content-Length} included (reviewer R11: probes
     * said 0), and no body.
     */
    static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().set("Content-Length", String.valueOf(body.length));
            ex.sendResponseHeaders(status, -1);
            ex.close();
            return;
        }
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        ex.getResponseBody().write(body);
        ex.close();
    }

    @Override
    public void close() {
        try {
            server.get(START_WAIT_MS, java.util.concurrent.TimeUnit.MILLISECONDS).stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // stopping at exit: nothing left to serve (or it never started, and said so)
        }
    }
}
