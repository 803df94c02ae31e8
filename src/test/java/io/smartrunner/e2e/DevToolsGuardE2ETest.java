package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.testkit.CliProcess;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reviewer R6 (high): as root, any local user who reached a browser's DevTools port drove it and
 * read every file of the machine through it. A real root runner with a real Chromium and nftables
 * (.ci/run runs the suite as root and installs nftables): its session reaches the browser, user
 * {@code nobody} is refused at the same port, root is not, and the runner's stop takes its table away.
 */
@Tag("browser")
class DevToolsGuardE2ETest {
    @TempDir
    Path dir;

    @Test
    void anotherUserIsRefusedAtTheBrowsersPortWhileTheRunnerAndItsSessionReachIt() throws Exception {
        assertEquals("0", run(List.of("id", "-u")).out().strip(), "the suite runs as root (.ci/run)");
        Path cfg = Files.writeString(dir.resolve("guard.json"), """
                {"runner": {"startJitterMs": 0}, "http": {"port": 0},
                 "browser": {"provider": "chromium", "closeOnExit": true},
                 "session": {"command": ["/bin/sh", "-c",
                   "echo \\"$SR_CDP_URL\\" > cdp-url; curl -s -o /dev/null -w '%{http_code}' --max-time 5 \\"$(echo \\"$SR_CDP_URL\\" | sed 's#^ws://#http://#; s#/devtools/.*#/json/version#')\\" > session-saw; sleep 60"],
                   "cooldownMs": 600000},
                 "pods": [{"name": "podA", "profiles": [{"id": "p1"}]}]}
                """);
        CliProcess runner = CliProcess.start(dir, "run", "-c", cfg.toString());
        try {
            CliProcess.await("the session reached its browser", 90_000, () -> nonEmpty(dir.resolve("session-saw")));
            assertEquals("200", Files.readString(dir.resolve("session-saw")).strip(), "the session (root) reaches it");
            String err = runner.err();
            assertTrue(err.contains("browsers run as root: their DevTools ports are closed to every other user of this"
                    + " machine by nftables table inet smart_runner_"), err);
            int port = URI.create(Files.readString(dir.resolve("cdp-url")).strip()).getPort();
            String url = "http://127.0.0.1:" + port + "/json/version";

            Result asNobody = run(List.of("runuser", "-u", "nobody", "--", "curl", "-s", "-o", "/dev/null", "-w",
                    "%{http_code}", "--max-time", "5", url));
            assertEquals("000", asNobody.out().strip(), "user nobody gets no answer");
            assertEquals(7, asNobody.code(), "curl: failed to connect (the guard's reset), not a timeout");
            assertEquals("200", run(List.of("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", url))
                    .out().strip(), "root still reaches it");

            assertTrue(port < 1024, port + ": a port no other user may bind before Chromium (reviewer R8)");

            String table = err.substring(err.indexOf("nftables table inet ") + "nftables table inet ".length()).split(" ")[0];
            Result listed = run(List.of("nft", "list", "table", "inet", table));
            assertEquals(0, listed.code(), listed.out());
            assertTrue(listed.out().contains(Integer.toString(port)), "the port is in the set: " + listed.out());

            // a firewall reload (Debian's nftables.conf flushes the ruleset) removes it: made again within 5 s, and said
            assertEquals(0, run(List.of("nft", "delete", "table", "inet", table)).code());
            CliProcess.await("the runner made its table again", 30_000, () -> {
                try {
                    return runner.err().contains("nftables table inet " + table + " was removed by something else");
                } catch (IOException e) {
                    return false;
                }
            });
            assertTrue(runner.err().contains("made again"), runner.err());
            assertEquals("000", run(List.of("runuser", "-u", "nobody", "--", "curl", "-s", "-o", "/dev/null", "-w",
                    "%{http_code}", "--max-time", "5", url)).out().strip(), "user nobody is refused again");

            runner.process.destroy();
            assertTrue(runner.process.waitFor(60, TimeUnit.SECONDS), "the runner exits after SIGTERM");
            assertEquals(0, runner.process.exitValue(), runner.err());
            assertNotEquals(0, run(List.of("nft", "list", "table", "inet", table)).code(),
                    "a clean stop that closed every browser removes the table");
        } finally {
            runner.process.destroy(); // a clean stop: a kill would leave the table (as it does for kept browsers)
            if (!runner.process.waitFor(60, TimeUnit.SECONDS)) {
                runner.process.destroyForcibly();
            }
        }
    }

    private static boolean nonEmpty(Path file) {
        try {
            return Files.exists(file) && Files.size(file) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    private record Result(int code, String out) {
    }

    private static Result run(List<String> argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), String.join(" ", argv));
        return new Result(p.exitValue(), out);
    }
}
