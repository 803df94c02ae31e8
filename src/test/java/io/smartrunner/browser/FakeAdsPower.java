package io.smartrunner.browser;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.smartrunner.process.LaunchSpec;
import io.smartrunner.process.OutputFiles;
import io.smartrunner.process.PosixSpawnLauncher;
import io.smartrunner.process.ProcessLauncher;
import io.smartrunner.process.ProcessTable;
import io.smartrunner.process.RunningProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * AdsPower's Local API as documented ({@code /status}, {@code /api/v1/browser/start|stop|active}
 * with the {@code {code,msg,data}} envelope), on 127.0.0.1, each user's browser a real headless
 * Chromium. Like AdsPower it throttles: a request arriving less than {@code minGap} after the
 * last accepted one gets "Too many request per second" and is counted as a violation. It can
 * demand an API key, knows only the users it was given, and stops a browser in the background
 * (reporting it Active until its last process is gone), so clients have to poll.
 */
final class FakeAdsPower implements AutoCloseable {
    static final String TOO_MANY = "Too many request per second, please check";
    /** The handling thread's user's count of calls in flight, until its answer goes out. */
    private static final ThreadLocal<AtomicInteger> IN_FLIGHT = new ThreadLocal<>();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService handlers = Executors.newCachedThreadPool();
    private final ProcessLauncher launcher = PosixSpawnLauncher.best();
    private final Path dir;
    private final String runnerTag;
    private final long minGapNanos;
    private final String apiKey;
    private final Set<String> users;
    private final Set<String> refusingStop = ConcurrentHashMap.newKeySet();
    private final Map<String, Browser> browsers = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private final AtomicInteger violations = new AtomicInteger();
    private final AtomicInteger launches = new AtomicInteger();
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final AtomicInteger overlapping = new AtomicInteger();
    private boolean anyAccepted;
    private long lastAccepted;

    private record Browser(RunningProcess process, String port, String wsPath, boolean stopping) {
    }

    /**
     * @param minGap  least time between two accepted requests
     * @param apiKey  required as {@code Authorization: Bearer <key>}; null = none
     * @param users   the user ids AdsPower knows
     */
    FakeAdsPower(Path dir, String runnerTag, Duration minGap, String apiKey, Set<String> users) throws IOException {
        this.dir = dir;
        this.runnerTag = runnerTag;
        this.minGapNanos = minGap.toNanos();
        this.apiKey = apiKey;
        this.users = Set.copyOf(users);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(handlers); // a slow start must not hold up the arrival of other requests
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    int violations() {
        return violations.get();
    }

    int launches() {
        return launches.get();
    }

    /** Browser calls that arrived while another call for the same user was still being answered. */
    int overlappingCalls() {
        return overlapping.get();
    }

    /** Counted down when a {@code start} has launched its browser (before any delayed reply). */
    final java.util.concurrent.CountDownLatch launched = new java.util.concurrent.CountDownLatch(1);
    private volatile Duration startReplyDelay = Duration.ZERO;

    /** From now on, {@code start} answers this long after launching the browser (a slow AdsPower). */
    void delayStartReply(Duration delay) {
        startReplyDelay = delay;
    }

    /** From now on, {@code stop} for this user answers code -1 and leaves the browser running. */
    void refuseStop(String user) {
        refusingStop.add(user);
    }

    /** From now on, {@code stop} for this user works again. */
    void allowStop(String user) {
        refusingStop.remove(user);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!admitted()) {
                violations.incrementAndGet();
                reply(ex, 200, -1, TOO_MANY, null);
                return;
            }
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (apiKey != null && !("Bearer " + apiKey).equals(auth)) {
                // echoes what it got, as careless servers do: clients must mask their key themselves
                reply(ex, 401, -1, "invalid api key: " + auth, null);
                return;
            }
            String path = ex.getRequestURI().getPath();
            String user = userId(ex.getRequestURI().getRawQuery());
            if (path.equals("/status")) {
                reply(ex, 200, 0, "success", null);
            } else if (!path.startsWith("/api/v1/browser/") || user == null || !users.contains(user)) {
                reply(ex, 200, -1, user == null ? "user_id is required" : "Profile does not exist", null);
            } else {
                AtomicInteger calls = inFlight.computeIfAbsent(user, u -> new AtomicInteger());
                if (calls.incrementAndGet() > 1) {
                    overlapping.incrementAndGet();
                }
                IN_FLIGHT.set(calls); // counted down as its answer goes out (reply, on this thread)
                switch (path.substring("/api/v1/browser/".length())) {
                    case "start" -> start(ex, user);
                    case "stop" -> stop(ex, user);
                    case "active" -> active(ex, user);
                    default -> reply(ex, 404, -1, "not found", null);
                }
            }
        } catch (RuntimeException e) {
            reply(ex, 500, -1, e.toString(), null);
        } finally {
            AtomicInteger unanswered = IN_FLIGHT.get(); // a call that failed before its answer
            if (unanswered != null) {
                IN_FLIGHT.remove();
                unanswered.decrementAndGet();
            }
        }
    }

    private synchronized boolean admitted() {
        long now = System.nanoTime();
        if (anyAccepted && now - lastAccepted < minGapNanos) {
            return false;
        }
        anyAccepted = true;
        lastAccepted = now;
        return true;
    }

    private void start(HttpExchange ex, String user) throws IOException {
        Browser b;
        synchronized (lock(user)) {
            b = live(user);
            if (b == null) {
                b = launch(user);
                browsers.put(user, b);
            }
        }
        launched.countDown();
        try {
            Thread.sleep(startReplyDelay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        reply(ex, 200, 0, "success", endpoint(b, null));
    }

    private void stop(HttpExchange ex, String user) throws IOException {
        Browser b;
        synchronized (lock(user)) {
            b = live(user);
            if (b == null || refusingStop.contains(user)) {
                reply(ex, 200, -1, b == null ? "The browser is not open" : "The browser is busy, cannot close it", null);
                return;
            }
            Browser stopping = new Browser(b.process(), b.port(), b.wsPath(), true);
            browsers.put(user, stopping);
            stopping.process().stop(Duration.ofMillis(500)).whenComplete((v, e) -> {
                clearLocks(user);
                browsers.remove(user, stopping);
            });
        }
        reply(ex, 200, 0, "success", null);
    }

    private void active(HttpExchange ex, String user) throws IOException {
        Browser b = live(user);
        reply(ex, 200, 0, "success", b == null ? Map.of("status", "Inactive") : endpoint(b, "Active"));
    }

    /** The user's browser while it runs or is being stopped; a browser that died by itself is forgotten. */
    private Browser live(String user) {
        Browser b = browsers.get(user);
        if (b != null && !b.stopping() && b.process().onExit().isDone()) {
            browsers.remove(user, b);
            return null;
        }
        return b;
    }

    private Object lock(String user) {
        return locks.computeIfAbsent(user, u -> new Object());
    }

    private Browser launch(String user) throws IOException {
        Path profile = dir.resolve(user);
        Files.createDirectories(profile);
        Files.deleteIfExists(profile.resolve("DevToolsActivePort"));
        clearLocks(user);
        String run = "ads-" + user + "-" + UUID.randomUUID();
        Path log = dir.resolve(user + ".log");
        RunningProcess p = launcher.launch(new LaunchSpec(run, List.of(
                // as root Chromium renices its UI threads to -8 and would starve this JVM, whose
                // arrival times are what the rate limit is judged on
                "setpriv", "--inh-caps=-sys_nice", "--bounding-set=-sys_nice", "nice", "-n", "10",
                "/usr/lib/chromium/chromium",
                "--user-data-dir=" + profile.toAbsolutePath(), "--remote-debugging-port=0",
                "--remote-debugging-address=127.0.0.1", "--headless=new", "--no-sandbox", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-crash-reporter", "about:blank"),
                Map.of("SR_SESSION_ID", run, ProcessTable.RUNNER_ID_ENV, runnerTag), profile,
                new OutputFiles(log, log, 1 << 20, 1)));
        launches.incrementAndGet();
        try {
            java.net.URI ws = java.net.URI.create(DevToolsPortFile.await(profile.resolve("DevToolsActivePort"), p,
                    Duration.ofSeconds(60)).browserWebSocket());
            return new Browser(p, Integer.toString(ws.getPort()), ws.getPath(), false);
        } catch (RuntimeException e) {
            p.stop(Duration.ZERO);
            throw e;
        }
    }

    /** A killed Chromium leaves its singleton links behind (pointing out of the temp dir). */
    private void clearLocks(String user) {
        for (String name : List.of("SingletonLock", "SingletonSocket", "SingletonCookie")) {
            try {
                Files.deleteIfExists(dir.resolve(user).resolve(name));
            } catch (IOException ignored) {
                // the next launch of this user tries again
            }
        }
    }

    private static Map<String, Object> endpoint(Browser b, String status) {
        Map<String, Object> data = new LinkedHashMap<>();
        if (status != null) {
            data.put("status", status);
        }
        data.put("ws", Map.of("puppeteer", "ws://127.0.0.1:" + b.port() + b.wsPath(),
                "selenium", "127.0.0.1:" + b.port()));
        data.put("debug_port", b.port());
        data.put("webdriver", "/opt/adspower/chromedriver");
        return data;
    }

    private static String userId(String rawQuery) {
        if (rawQuery == null) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.startsWith("user_id=")) {
                return URLDecoder.decode(pair.substring("user_id=".length()), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static void reply(HttpExchange ex, int status, int code, String msg, Object data) throws IOException {
        AtomicInteger calls = IN_FLIGHT.get();
        if (calls != null) {
            IN_FLIGHT.remove();
            calls.decrementAndGet(); // before the client can have the answer and send its next call
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", code);
        body.put("msg", msg);
        if (data != null) {
            body.put("data", data);
        }
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    /** Kills every browser still running, then stops serving. */
    @Override
    public void close() {
        server.stop(0);
        browsers.forEach((user, b) -> {
            try {
                b.process().stop(Duration.ofMillis(200)).get(30, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // the test's own process scan reports anything left
            }
            clearLocks(user);
        });
        handlers.shutdownNow();
    }
}
