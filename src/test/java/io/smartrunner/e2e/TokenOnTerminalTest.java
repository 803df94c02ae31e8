package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.smartrunner.testkit.CliProcess;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated API token is shown only when stderr itself is a terminal: a real pty (util-linux
 * {@code script}) gives the runner a terminal on stdin and stdout; with {@code 2>file} the token
 * must not reach the file, and with stderr on the pty it is shown.
 */
@Tag("e2e")
class TokenOnTerminalTest {
    private static final Pattern PID = Pattern.compile("; pid (\\d+)");
    @TempDir
    Path dir;

    @Test
    void aRedirectedStderrNeverGetsTheTokenEvenFromATerminal() throws Exception {
        Path err = dir.resolve("runner.err");
        Path transcript = runOnPty("2>" + err, err);
        String token = Files.readString(dir.resolve("data/http.token")).strip();
        String written = Files.readString(err);
        assertTrue(written.contains("generated the API token into"), written);
        assertFalse(written.contains(token), "the token went to a redirected stderr: " + written);
        assertFalse(Files.readString(transcript).contains(token), "nor to the terminal (stdout)");
    }

    @Test
    void aTerminalOnStderrIsShownTheTokenOnce() throws Exception {
        Path transcript = runOnPty("", null);
        String token = Files.readString(dir.resolve("data/http.token")).strip();
        assertTrue(Files.readString(transcript).contains("API token (shown once"), Files.readString(transcript));
        assertTrue(Files.readString(transcript).contains(token));
    }

    /**
     * Runs {@code run} under {@code script} (stdin, stdout and stderr on a new pty), with the shell
     * redirection given, until it has started; then stops it.
     *
     * @param startedIn where its start line appears: the stderr file, or null for the pty transcript
     * @return the pty transcript
     */
    private Path runOnPty(String redirect, Path startedIn) throws Exception {
        assumeTrue(new File("/usr/bin/script").canExecute(), "util-linux script (a pty) is not installed");
        Path cfg = dir.resolve("tty.json");
        Files.writeString(cfg, """
                {"runner": {"startJitterMs": 0}, "http": {"port": 0}, "browser": {"provider": "none"},
                 "pods": []}""");
        String cmd = CliProcess.commandLine("run", "-c", cfg.toString()).stream().map(a -> "'" + a + "'")
                .collect(java.util.stream.Collectors.joining(" ")) + " " + redirect;
        Path transcript = dir.resolve("pty.out");
        Process script = new ProcessBuilder("/usr/bin/script", "-qefc", cmd, "/dev/null").directory(dir.toFile())
                .redirectOutput(transcript.toFile()).redirectErrorStream(true).start();
        try {
            Path startLine = startedIn == null ? transcript : startedIn;
            long[] pid = {0};
            CliProcess.await("the runner's start line", 30_000, () -> {
                Matcher m = PID.matcher(read(startLine));
                return m.find() && (pid[0] = Long.parseLong(m.group(1))) > 0;
            });
            ProcessHandle.of(pid[0]).ifPresent(ProcessHandle::destroy);
            assertTrue(script.waitFor(30, TimeUnit.SECONDS), "the runner did not stop");
        } finally {
            script.destroyForcibly();
        }
        return transcript;
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
