package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.testkit.CliProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real runner and real sessions: a child sees none of the runner's descriptors (its event log,
 * its HTTP listening socket), none of its secrets unless the profile names them, and everything
 * the runner creates is private to its user.
 */
@Tag("e2e")
class ChildContainmentTest {
    private static final String SECRET = "s3cret-" + System.nanoTime();
    @TempDir
    Path dir;
    private CliProcess runner;

    @AfterEach
    void stopRunner() throws Exception {
        if (runner != null && runner.process.isAlive()) {
            runner.process.destroy();
            assertTrue(runner.process.waitFor(30, TimeUnit.SECONDS));
        }
    }

    private Path config(String runnerExtra) throws IOException {
        Path file = dir.resolve("runner.json");
        Files.writeString(file, """
                {"runner": {"dataDir": "data", "eventLog": "logs/events.jsonl", "startJitterMs": 0%s},
                 "http": {"port": 0, "token": "${env:SR_TEST_SECRET}"}, "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sh", "-c",
                             "env > env-{profileId}.tmp && mv env-{profileId}.tmp env-{profileId}.txt && echo $$ > pid-{profileId} && exec sleep 1000"],
                             "cooldownMs": 600000, "stopGraceMs": 500},
                 "pods": [{"name": "podA", "profiles": [
                     {"id": "plain"},
                     {"id": "named", "session": {"inheritEnv": ["SR_TEST_SECRET"]}}]}]}
                """.formatted(runnerExtra));
        return file;
    }

    private void startAndAwaitSessions(String runnerExtra) throws Exception {
        runner = CliProcess.start(dir, Map.of("SR_TEST_SECRET", SECRET, "SR_TEST_OTHER", "x"),
                "run", "-c", config(runnerExtra).toString());
        runner.httpPort();
        for (String p : List.of("plain", "named")) {
            CliProcess.await("session of " + p + " running", 20_000, () -> pidOf(p) > 0);
        }
    }

    private long pidOf(String profile) {
        try {
            String text = Files.readString(dir.resolve("pid-" + profile));
            return text.endsWith("\n") ? Long.parseLong(text.strip()) : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    private static Map<Integer, String> descriptors(long pid) throws IOException {
        Map<Integer, String> fds = new TreeMap<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : entries.toList()) {
                try {
                    fds.put(Integer.parseInt(fd.getFileName().toString()), Files.readSymbolicLink(fd).toString());
                } catch (IOException closed) {
                    // gone meanwhile
                }
            }
        }
        return fds;
    }

    @Test
    void aSessionChildHasOnlyDescriptors012AndNoSecretUnlessNamed() throws Exception {
        startAndAwaitSessions("");
        Map<Integer, String> runnerFds = descriptors(runner.process.pid());
        assertTrue(runnerFds.containsValue(dir.resolve("logs/events.jsonl").toString()), runnerFds.toString());
        assertTrue(runnerFds.values().stream().anyMatch(t -> t.startsWith("socket:")), runnerFds.toString());
        long child = pidOf("plain");
        CliProcess.await("the session exec'd sleep", 10_000, () -> cmdline(child).startsWith("sleep"));

        // Right after the exec the dynamic loader briefly holds /etc/ld.so.cache and the libraries
        // it maps: what the child inherited stays open for its whole life, so wait out the loader
        // (bounded) and judge what is left; an inherited runner descriptor never goes away.
        Map<Integer, String> fds = descriptors(child);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!fds.keySet().equals(Set.of(0, 1, 2)) && System.nanoTime() < deadline) {
            assertFalse(fds.containsValue(dir.resolve("logs/events.jsonl").toString()), "inherited: " + fds);
            Thread.onSpinWait();
            fds = descriptors(child);
        }
        assertEquals(List.of(0, 1, 2), List.copyOf(fds.keySet()), "session child's descriptors: " + fds);

        String plain = Files.readString(dir.resolve("env-plain.txt"));
        assertFalse(plain.contains(SECRET), plain);
        assertFalse(plain.contains("SR_TEST_OTHER"), "not in the safe base: " + plain);
        assertTrue(plain.contains("SR_PROFILE_ID=plain") && plain.contains("PATH="), plain);
        String named = Files.readString(dir.resolve("env-named.txt"));
        assertTrue(named.contains("SR_TEST_SECRET=" + SECRET + "\n"), named);
    }

    @Test
    void whatTheRunnerCreatesIsPrivateByDefault() throws Exception {
        startAndAwaitSessions("");
        assertMode("rw-------", "logs/events.jsonl");
        assertMode("rwx------", "logs");
        assertMode("rwx------", "data");
        assertMode("rw-------", "data/state.db");
        assertMode("rwx------", "data/logs");
        assertMode("rw-------", "data/logs/plain.stdout.log");
        assertMode("rw-------", "data/logs/plain.stderr.log");
    }

    @Test
    void fileModeIsConfigurable() throws Exception {
        startAndAwaitSessions(", \"fileMode\": \"0640\"");
        assertMode("rw-r-----", "logs/events.jsonl");
        assertMode("rwxr-x---", "data");
        assertMode("rw-r-----", "data/state.db");
        assertMode("rw-r-----", "data/logs/plain.stdout.log");
    }

    private void assertMode(String expected, String path) throws IOException {
        assertEquals(expected, PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(path))), path);
    }

    private static String cmdline(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"));
        } catch (IOException e) {
            return "";
        }
    }
}
