package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.systemd.UnixDatagram;
import io.smartrunner.testkit.CliProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real runner started as systemd would start a Type=notify unit (NOTIFY_SOCKET, WATCHDOG_USEC),
 * against a real AF_UNIX datagram socket: READY=1 once it serves, WATCHDOG=1 while it runs,
 * STOPPING=1 on SIGTERM; and the same readiness in /readyz, /metrics and {@code status}.
 */
@Tag("e2e")
class SystemdNotifyE2ETest {
    @TempDir
    Path dir;

    @Test
    void aRunnerUnderSystemdSaysReadyPingsTheWatchdogAndSaysStopping() throws Exception {
        Path cfg = dir.resolve("notify.json");
        Files.writeString(cfg, """
                {"runner": {"startJitterMs": 0}, "http": {"port": 0}, "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sh", "-c", "exit 0"], "cooldownMs": 600000},
                 "pods": [{"name": "podA", "profiles": [{"id": "p1"}]}]}""");
        String socket = dir.resolve("notify.sock").toString();
        try (UnixDatagram systemd = UnixDatagram.bound(socket)) {
            CliProcess runner = CliProcess.start(dir, Map.of("NOTIFY_SOCKET", socket, "WATCHDOG_USEC", "2000000"),
                    "run", "-c", cfg.toString());
            try {
                String ready = next(systemd, "READY=1", runner);
                assertTrue(ready.contains("MAINPID=" + runner.process.pid()), ready);
                next(systemd, "WATCHDOG=1", runner);
                int port = runner.httpPort();
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> readyz = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/readyz")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, readyz.statusCode(), readyz.body());
                String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                        .build(), HttpResponse.BodyHandlers.ofString()).body();
                assertTrue(metrics.contains("smartrunner_live 1.0") && metrics.contains("smartrunner_ready 1.0"), metrics);
                CliProcess.Result status = CliProcess.run(dir, "status", "-c", cfg.toString());
                assertTrue(status.out().contains("runner: ready"), status.out() + status.err());
                next(systemd, "WATCHDOG=1", runner); // still pinging while it runs
                runner.process.destroy(); // SIGTERM
                next(systemd, "STOPPING=1", runner);
                assertTrue(runner.process.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, runner.process.exitValue(), runner.err());
            } finally {
                runner.process.destroyForcibly();
            }
            CliProcess.Result stopped = CliProcess.run(dir, "status", "-c", cfg.toString());
            assertTrue(stopped.out().contains("runner: not running"), stopped.out());
        }
    }

    /** The next datagram that starts with {@code prefix} (others, e.g. pings, are skipped), within 30 s. */
    private static String next(UnixDatagram socket, String prefix, CliProcess runner) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() - deadline < 0) {
            String m = socket.receive(1_000);
            if (m != null && m.startsWith(prefix)) {
                return m;
            }
        }
        throw new AssertionError("no " + prefix + " from the runner; its stderr: " + runner.err());
    }
}
