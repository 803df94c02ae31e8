package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventRecord;
import io.smartrunner.testkit.ChildProcesses;
import io.smartrunner.testkit.CliProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner as a real process: kill -9 and restart, SIGTERM shutdown, the spec's example config. */
@Tag("e2e")
class RunnerProcessTest {
    @TempDir
    Path dir;

    private Path config(String sessionJson, String profilesJson) throws Exception {
        Path file = dir.resolve("runner.json");
        Files.writeString(file, """
                {"runner": {"dataDir": "data", "eventLog": "logs/events.jsonl", "startJitterMs": 0,
                            "eventLogFsync": "always"},
                 "http": {"port": 0}, "browser": {"provider": "none"},
                 "session": %s,
                 "pods": [{"name": "podA", "concurrency": 4, "profiles": %s}]}
                """.formatted(sessionJson, profilesJson));
        return file;
    }

    private List<EventRecord> events() {
        Path log = dir.resolve("logs/events.jsonl");
        return Files.exists(log) ? EventLogReader.readAll(log) : List.of();
    }

    private long count(String event, String reason) {
        return events().stream().filter(e -> e.event().equals(event)
                && (reason == null || reason.equals(e.params().get("reason")))).count();
    }

    /** A runner killed with SIGKILL under its one session, whose child lives on. */
    private record Orphaned(Path cfg, String sessionId, long childPid) {
    }

    private Orphaned killRunnerUnderItsSession() throws Exception {
        Path cfg = config("""
                {"command": ["/bin/sh", "-c", "echo $$ > child-{sessionId}.pid; exec sleep 1000"],
                 "cooldownMs": 600000, "stopGraceMs": 500}""", "[{\"id\": \"p1\"}]");
        CliProcess first = CliProcess.start(dir, "run", "-c", cfg.toString());
        CliProcess.await("first session started", 20_000, () -> count("start", null) == 1);
        String sessionId = events().stream().filter(e -> e.event().equals("start")).findFirst().orElseThrow().sessionId();
        Path pidFile = dir.resolve("child-" + sessionId + ".pid");
        CliProcess.await("child wrote its pid", 10_000, () -> ChildProcesses.pidFile(pidFile).isPresent());
        long childPid = ChildProcesses.pidFile(pidFile).getAsLong();

        first.process.destroyForcibly();
        assertTrue(first.process.waitFor(10, TimeUnit.SECONDS));
        assertTrue(ProcessHandle.of(childPid).map(ProcessHandle::isAlive).orElse(false),
                "the child outlives a kill -9 of the runner");
        return new Orphaned(cfg, sessionId, childPid);
    }

    /** Starts the runner again: it closes the orphaned session as lost and stops its child; then stops, exit 0. */
    private void restartClosesItAsLost(Orphaned o) throws Exception {
        CliProcess second = CliProcess.start(dir, "run", "-c", o.cfg().toString());
        CliProcess.await("lost session closed", 20_000, () -> count("error", "lost") == 1);
        CliProcess.await("orphan stopped", 10_000,
                () -> !ProcessHandle.of(o.childPid()).map(ProcessHandle::isAlive).orElse(false));
        EventRecord lost = events().stream().filter(e -> "lost".equals(e.params().get("reason"))).findFirst().orElseThrow();
        assertEquals(o.sessionId(), lost.sessionId());

        second.process.destroy();
        assertTrue(second.process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, second.process.exitValue(), second.err());
    }

    @Test
    void killMinus9ThenRestartClosesTheOrphanedSessionAsLostExactlyOnce() throws Exception {
        Orphaned o = killRunnerUnderItsSession();
        // reviewer R9: the table said "running" above "runner: not running"
        CliProcess.Result killed = CliProcess.run(dir, "status", "-c", o.cfg().toString());
        assertEquals(0, killed.exitCode(), killed.err());
        assertTrue(killed.out().matches("(?s).*\\bwas-running\\b.*"), killed.out());
        assertFalse(java.util.regex.Pattern.compile("(?m)^\\S+ +\\S+ +running ").matcher(killed.out()).find(), killed.out());
        assertTrue(killed.out().contains("1 profile(s) were running when the runner stopped without ending their sessions"
                + " (killed, or its machine went down): nothing supervises them now; the next start here ends each"
                + " session as lost (and stops what is left of it): "), killed.out());
        assertTrue(killed.out().endsWith("runner: not running\n"), killed.out());
        CliProcess.Result killedJson = CliProcess.run(dir, "status", "--json", "-c", o.cfg().toString());
        assertTrue(killedJson.out().contains("\"running\" : true"), "the stored state, as it is: " + killedJson.out());
        assertTrue(killedJson.err().contains("1 profile(s) were running when the runner stopped"), killedJson.err());
        restartClosesItAsLost(o);
        assertEquals(1, count("error", "lost"), "exactly one terminal event for the lost session");
        CliProcess.Result status = CliProcess.run(dir, "status", "--json", "-c", o.cfg().toString());
        assertEquals(0, status.exitCode(), status.err());
        assertTrue(status.out().contains("\"running\" : false"), status.out());
        assertFalse(status.out().contains("\"running\" : true"), status.out());
    }

    /**
     * A launched session's pid reaches its row with the next write or within a second, so a runner
     * killed in that second leaves a row without one; the restart still finds the session's
     * processes (their environment tag, their cgroup) and stops them. The row is set back to
     * what such a kill leaves, so the test does not depend on when the kill lands.
     */
    @Test
    void aSessionWhoseRowHasNoPidYetIsStillStoppedAfterAKillMinus9() throws Exception {
        Orphaned o = killRunnerUnderItsSession();
        try (java.sql.Connection db = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/state.db"));
             java.sql.PreparedStatement st = db.prepareStatement(
                     "UPDATE sessions SET pid = 0, pid_start_ticks = 0, pgid = 0 WHERE session_id = ?")) {
            st.setString(1, o.sessionId());
            assertEquals(1, st.executeUpdate(), "the session has its row (written before the spawn)");
        }
        restartClosesItAsLost(o);
    }

    /**
     * Each run is in the log between its runner-start and its runner-stop, and the next run says
     * whether the previous one wrote its stop: after a kill -9 it did not.
     */
    @Test
    void eachRunSaysItsStartAndStopAndTheNextSaysWhetherThePreviousStoppedCleanly() throws Exception {
        Orphaned o = killRunnerUnderItsSession();
        List<EventRecord> first = events();
        assertEquals("runner-start", first.get(0).event());
        assertEquals("none", first.get(0).params().get("previousStop"), "no run on record before the first");
        long firstPid = ((Number) first.get(0).params().get("pid")).longValue();
        assertEquals(1, ((Number) first.get(0).params().get("profiles")).intValue());
        assertEquals(io.smartrunner.BuildInfo.version(), first.get(0).params().get("version"), "which build wrote the run");

        CliProcess second = CliProcess.start(dir, "run", "-c", o.cfg().toString());
        CliProcess.await("lost session closed", 20_000, () -> count("error", "lost") == 1);
        List<EventRecord> afterKill = events().subList(first.size(), events().size());
        assertEquals("runner-start", afterKill.get(0).event(), "the run's first event, before its lost end");
        assertEquals("unclean", afterKill.get(0).params().get("previousStop"));
        assertEquals(firstPid, ((Number) afterKill.get(0).params().get("previousPid")).longValue());
        assertEquals("error", afterKill.get(1).event());
        second.process.destroy();
        assertTrue(second.process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, second.process.exitValue(), second.err());
        assertTrue(second.err().contains("; build " + io.smartrunner.BuildInfo.version() + "; "), second.err());
        assertTrue(second.err().contains("(pid " + firstPid + ", started ") && second.err().contains(
                "ended without writing its stop"), second.err());
        List<EventRecord> all = events();
        EventRecord stop = all.get(all.size() - 1);
        assertEquals("runner-stop", stop.event(), "the run's last event");
        assertEquals(second.process.pid(), ((Number) stop.params().get("pid")).longValue());
        long shutdownEnds = all.subList(first.size(), all.size()).stream()
                .filter(e -> e.event().equals("error") && "shutdown".equals(e.params().get("reason"))).count();
        assertEquals(shutdownEnds, ((Number) stop.params().get("sessionsStopped")).longValue(), "the sessions the stop ended");
        assertTrue(stop.durMs() != null && stop.durMs() > 0, "how long it ran: " + stop.durMs());

        CliProcess third = CliProcess.start(dir, "run", "-c", o.cfg().toString());
        CliProcess.await("third run began", 20_000, () -> events().size() > all.size());
        EventRecord start = events().get(all.size());
        assertEquals("runner-start", start.event());
        assertEquals("clean", start.params().get("previousStop"));
        assertEquals(second.process.pid(), ((Number) start.params().get("previousPid")).longValue());
        third.process.destroy();
        assertTrue(third.process.waitFor(30, TimeUnit.SECONDS));
        assertFalse(third.err().contains("ended without writing its stop"), third.err());
    }

    @Test
    void sigtermStopsEverySessionTreeFlushesAndExitsZero() throws Exception {
        Path cfg = config("""
                {"command": ["/bin/sh", "-c", "trap '' TERM; sleep 1000 & sleep 1000"], "stopGraceMs": 500}""",
                "[{\"id\": \"p1\"}, {\"id\": \"p2\"}]");
        CliProcess runner = CliProcess.start(dir, "run", "-c", cfg.toString());
        CliProcess.await("both sessions started", 20_000, () -> count("start", null) == 2);
        List<String> sessions = events().stream().filter(e -> e.event().equals("start")).map(EventRecord::sessionId).toList();

        runner.process.destroy();
        assertTrue(runner.process.waitFor(30, TimeUnit.SECONDS), "runner exits after SIGTERM");
        assertEquals(0, runner.process.exitValue(), runner.err());
        assertEquals(2, count("error", "shutdown"));
        for (String s : sessions) {
            assertEquals(List.of(), RealSessionsTest.processesTaggedWith(s), "processes of " + s);
        }
        assertEquals(2, count("start", null), "nothing started after SIGTERM");
        EventRecord last = events().get(events().size() - 1);
        assertEquals("runner-stop", last.event(), "written after the sessions' ends");
        assertEquals(2, ((Number) last.params().get("sessionsStopped")).intValue());
    }

    @Test
    void fullDiskForTheEventLogStartsNothingSaysWhyAndExitsNonZero() throws Exception {
        Files.createDirectories(dir.resolve("logs"));
        Files.createSymbolicLink(dir.resolve("logs/events.jsonl"), Path.of("/dev/full"));
        Path cfg = config("{\"command\": [\"/bin/sh\", \"-c\", \"touch started-{profileId}\"]}", "[{\"id\": \"p1\"}]");
        CliProcess runner = CliProcess.start(dir, "run", "-c", cfg.toString());
        CliProcess.await("the runner says why", 20_000, () -> {
            try {
                return runner.err().contains("not starting sessions") && runner.err().contains("No space left on device");
            } catch (Exception e) {
                return false;
            }
        });
        runner.process.destroy();
        assertTrue(runner.process.waitFor(20, TimeUnit.SECONDS));
        assertEquals(1, runner.process.exitValue(), runner.err());
        assertFalse(Files.exists(dir.resolve("started-p1")), "no session was launched without its start event");
        assertTrue(runner.err().contains("not written"), runner.err());
    }

    @Test
    void tornLastLineIsMovedAsideAndEarlierLinesAreKeptByteForByte() throws Exception {
        Files.createDirectories(dir.resolve("logs"));
        String earlier = "{\"ts\":\"2025-01-08T10:30:00.000Z\",\"pod\":\"podA\",\"profileId\":\"p1\",\"sessionId\":null,"
                + "\"event\":\"unpause\",\"type\":\"profile\",\"params\":{\"pausedFor\":1,\"by\":\"cli\"},"
                + "\"outcome\":\"ok\",\"durMs\":null}\n";
        Files.writeString(dir.resolve("logs/events.jsonl"), earlier + earlier + "{\"ts\":\"2025-01-08T10:3");
        Path cfg = config("{\"command\": [\"true\"], \"cooldownMs\": 600000}", "[{\"id\": \"p1\"}]");
        CliProcess runner = CliProcess.start(dir, "run", "-c", cfg.toString());
        CliProcess.await("a session ran", 20_000, () -> count("finish", null) == 1);
        runner.process.destroy();
        assertTrue(runner.process.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, runner.process.exitValue(), runner.err());
        assertTrue(Files.readString(dir.resolve("logs/events.jsonl")).startsWith(earlier + earlier + "{\"ts\""));
        assertEquals("{\"ts\":\"2025-01-08T10:3", Files.readString(dir.resolve("logs/events.jsonl.torn")).strip());
        assertTrue(runner.err().contains("torn last line"), runner.err());
        assertEquals(2, count("unpause", null));
    }

    @Test
    void sighupReloadAddsAProfileAndABrokenFileIsRefusedWithTheRunnerUnchanged() throws Exception {
        Path cfg = config("{\"command\": [\"/bin/sh\", \"-c\", \"exit 0\"], \"cooldownMs\": 600000}", "[{\"id\": \"p1\"}]");
        CliProcess runner = CliProcess.start(dir, "run", "-c", cfg.toString());
        CliProcess.await("p1 ran", 20_000, () -> count("finish", null) == 1);
        long pid = runner.process.pid();

        String good = Files.readString(cfg);
        Files.writeString(cfg, "{\"recovery\": {\"maxErrorStreek\": 3}}");
        new ProcessBuilder("kill", "-HUP", Long.toString(pid)).start().waitFor();
        CliProcess.await("the broken reload is refused", 20_000, () -> {
            try {
                return runner.err().contains("reload refused") && runner.err().contains("maxErrorStreek");
            } catch (Exception e) {
                return false;
            }
        });
        assertTrue(runner.process.isAlive(), "the runner keeps running");
        // the same file refused through the API: one line on the runner's stderr too (there was none)
        int port = Integer.parseInt(Files.readString(dir.resolve("data/http.port")).strip());
        String token = Files.readString(dir.resolve("data/http.token")).strip();
        java.net.http.HttpResponse<String> refused = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/api/reload"))
                        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(400, refused.statusCode(), refused.body());
        CliProcess.await("the API's refusal is on stderr too", 20_000, () -> {
            try {
                return runner.err().split("reload refused", -1).length - 1 == 2;
            } catch (Exception e) {
                return false;
            }
        });

        Files.writeString(cfg, good.replace("[{\"id\": \"p1\"}]", "[{\"id\": \"p1\"}, {\"id\": \"p2\"}]"));
        new ProcessBuilder("kill", "-HUP", Long.toString(pid)).start().waitFor();
        CliProcess.await("the added profile ran", 20_000, () -> events().stream()
                .anyMatch(e -> e.event().equals("finish") && e.profileId().equals("p2")));
        assertTrue(runner.err().contains("1 profile(s) added"), runner.err());
        runner.process.destroy();
        assertTrue(runner.process.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, runner.process.exitValue(), runner.err());
    }

    /**
     * Under {@code nohup} the runner starts with SIGHUP ignored, and the JVM would then install no
     * handler: the reload would be swallowed without a word (seen when the suite ran under nohup).
     */
    @Test
    void sighupReloadsEvenWhenStartedUnderNohup() throws Exception {
        Path cfg = config("{\"command\": [\"/bin/sh\", \"-c\", \"exit 0\"], \"cooldownMs\": 600000}", "[{\"id\": \"p1\"}]");
        CliProcess runner = CliProcess.startUnder(List.of("nohup"), dir, Map.of(), "run", "-c", cfg.toString());
        CliProcess.await("p1 ran", 20_000, () -> count("finish", null) == 1);
        // "started with SIGHUP ignored (nohup?)", or "SIGHUP, SIGINT" when the test JVM itself runs in the background
        assertTrue(java.util.regex.Pattern.compile("started with [A-Z, ]*SIGHUP[A-Z, ]* ignored \\(nohup\\?\\)")
                .matcher(runner.err()).find(), runner.err());

        Files.writeString(cfg, Files.readString(cfg).replace("[{\"id\": \"p1\"}]", "[{\"id\": \"p1\"}, {\"id\": \"p2\"}]"));
        new ProcessBuilder("kill", "-HUP", Long.toString(runner.process.pid())).start().waitFor();
        CliProcess.await("the profile the reload added ran", 20_000, () -> events().stream()
                .anyMatch(e -> e.event().equals("finish") && e.profileId().equals("p2")));
        assertTrue(runner.process.isAlive(), "SIGHUP reloaded instead of ending the runner");
        runner.process.destroy();
        assertTrue(runner.process.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, runner.process.exitValue(), runner.err());
    }

    @Test
    void specExampleConfigLoadsAsIsAndRunsIdle() throws Exception {
        Path cfg = dir.resolve("smart-runner.json");
        Files.writeString(cfg, "{\n  \"recovery\": {\n    \"maxRecoverySteps\": 5,\n    \"retryBackoffMs\": 30000,\n"
                + "    \"maxErrorStreak\": 3\n  }\n}\n", StandardCharsets.UTF_8);
        CliProcess.Result status = CliProcess.run(dir, "status", "--json", "-c", cfg.toString());
        assertEquals(0, status.exitCode(), status.err());
        assertEquals("[ ]", status.out().trim());
        // the same file with only the port changed: a test never binds the default port 7070
        Path onPortZero = dir.resolve("smart-runner-port0.json");
        Files.writeString(onPortZero, Files.readString(cfg).replaceFirst("\\{", "{\"http\": {\"port\": 0},"));
        CliProcess runner = CliProcess.start(dir, "run", "-c", onPortZero.toString());
        CliProcess.await("runner says it idles", 20_000, () -> {
            try {
                return runner.err().contains("no profiles configured");
            } catch (Exception e) {
                return false;
            }
        });
        runner.process.destroy();
        assertTrue(runner.process.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, runner.process.exitValue(), runner.err());
    }
}
