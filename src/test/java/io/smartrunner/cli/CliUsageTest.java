package io.smartrunner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** Help on every subcommand, and bad command-line values as usage errors (exit 2, one line). */
class CliUsageTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    /** Runs the CLI in this JVM with stdout and stderr captured. */
    static Run cli(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.execute(args);
            System.out.flush();
            System.err.flush();
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    static List<Arguments> everySubcommandWithEachHelpFlag() {
        List<Arguments> all = new ArrayList<>();
        for (String name : new CommandLine(new Main()).getSubcommands().keySet()) {
            all.add(Arguments.of(name, "--help"));
            all.add(Arguments.of(name, "-h"));
        }
        return all;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everySubcommandWithEachHelpFlag")
    void helpWorksOnEverySubcommand(String command, String flag) {
        Run r = cli(command, flag);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Usage: smart-runner " + command), r.out());
        assertEquals("", r.err());
    }

    /** Reviewer R19: run --help named -c and nothing an operator at 3 a.m. needs. */
    @Test
    void runsHelpSaysItsSignalsExitCodesAndFiles() {
        Run help = cli("run", "--help");
        assertEquals(0, help.code());
        for (String said : List.of("SIGHUP re-reads the config file", "SIGUSR1 reopens the event log", "Exit codes: 0",
                "2 a bad config", "state.db.schema-N", "docs/operations.md")) {
            assertTrue(help.out().replaceAll("\\s+", " ").contains(said), said + " in: " + help.out());
        }
    }

    @Test
    void helpListsTheSubcommandsItSeesAtLeastTheDocumentedOnes() {
        List<String> names = new ArrayList<>(new CommandLine(new Main()).getSubcommands().keySet());
        assertTrue(names.containsAll(List.of("run", "status", "events", "simulate", "trial", "report", "pause",
                "unpause", "reset", "run-now", "reload")), names.toString());
    }

    @Test
    void unknownEventKindNamesTheValidKinds() throws Exception {
        Run r = cli("events", "-c", config(), "--event", "bogus");
        assertUsageError(r, "--event", "bogus", "start, finish, error, recover, pause, unpause");
    }

    @Test
    void anUnknownCommandPointsAtTheTopLevelHelp() throws Exception {
        assertUsageError(cli("bogus"), "(see 'smart-runner --help')");
        assertUsageError(cli("events", "-c", config(), "--nope"), "(see 'smart-runner events --help')");
    }

    @Test
    void negativeLinesIsAUsageError() throws Exception {
        assertUsageError(cli("events", "-c", config(), "--lines", "-1"), "--lines", "-1");
    }

    static List<Arguments> badNumbers() {
        return List.of(
                Arguments.of(List.of("trial", "--pod", "a", "--profile", "p", "--failureType", "ok", "--max-sessions", "0"),
                        "--max-sessions"),
                Arguments.of(List.of("trial", "--pod", "a", "--profile", "p", "--failureType", "ok", "--cooldown", "-5"),
                        "--cooldown"),
                Arguments.of(List.of("trial", "--pod", "a", "--profile", "p", "--failureType", "ok", "--timeout", "0"),
                        "--timeout"),
                Arguments.of(List.of("trial", "--pod", "a", "--profile", "p", "--failureType", "ok", "--backoff", "0"),
                        "--backoff"),
                Arguments.of(List.of("trial", "--pod", "a", "--profile", "p", "--failureType", "ok", "--idle-timeout",
                        "-1"), "--idle-timeout"),
                Arguments.of(List.of("trial", "--pod", "a", "--profile", "p", "--failureType", "exit", "--exitCode",
                        "300"), "--exitCode"),
                Arguments.of(List.of("trial", "--pod", "a", "--profile", "p", "--failureType", "timeout", "--duration",
                        "-1"), "--duration"),
                Arguments.of(List.of("simulate", "--failureType", "exit", "--exitCode", "-1"), "--exitCode"),
                Arguments.of(List.of("simulate", "--failureType", "ok", "--duration", "-3"), "--duration"),
                Arguments.of(List.of("demo-session", "--work-ms", "-1"), "--work-ms"),
                Arguments.of(List.of("pause", "p", "--for", "0"), "--for"),
                Arguments.of(List.of("pause", "p", "--for", "9223372036854775807"), "--for: expected a duration from 1 ms to 365 days"),
                Arguments.of(List.of("pause", "p", "--reason", "x".repeat(501)), "--reason: 501 characters, expected at most 500"),
                Arguments.of(List.of("events", "--lines", "abc"), "--lines"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badNumbers")
    void badNumericOptionIsAUsageError(List<String> args, String option) throws Exception {
        List<String> withConfig = new ArrayList<>(args);
        if (!args.get(0).equals("simulate") && !args.get(0).equals("demo-session")) {
            withConfig.addAll(List.of("-c", config()));
        }
        assertUsageError(cli(withConfig.toArray(String[]::new)), option);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("idArguments")
    void idsTheConfigWouldRefuseAreUsageErrors(String command, String badId) throws Exception {
        List<String> args = new ArrayList<>(List.of(command));
        if (command.equals("events")) {
            args.addAll(List.of("--profile", badId));
        } else if (command.equals("trial")) {
            args.addAll(List.of("--pod", "a", "--profile", badId, "--failureType", "ok"));
        } else {
            args.add(badId);
        }
        args.addAll(List.of("-c", config()));
        assertUsageError(cli(args.toArray(String[]::new)), badId);
    }

    static List<Arguments> idArguments() {
        List<Arguments> all = new ArrayList<>();
        for (String command : List.of("pause", "unpause", "reset", "run-now", "trial", "events")) {
            for (String id : List.of("..", ".", "a/b", "_x")) {
                all.add(Arguments.of(command, id));
            }
        }
        return all;
    }

    private String config() throws Exception {
        Path cfg = dir.resolve("c.json");
        Files.writeString(cfg, "{\"runner\": {\"dataDir\": \"" + dir.resolve("data") + "\"}, "
                + "\"browser\": {\"provider\": \"none\"}, \"http\": {\"port\": 0}}");
        return cfg.toString();
    }

    private static void assertUsageError(Run r, String... fragments) {
        assertEquals(2, r.code(), r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        for (String f : fragments) {
            assertTrue(err.contains(f), "'" + f + "' in: " + err);
        }
        assertEquals("", r.out());
    }
}
