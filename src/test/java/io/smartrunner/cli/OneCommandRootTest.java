package io.smartrunner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@link Main#execute} registers only the command a line names (start-up time): each command's
 * help and version must read exactly as under the root with every command registered.
 */
class OneCommandRootTest {
    @Test
    void everyCommandsHelpAndVersionAreTheFullRootsOnes() {
        CommandLine full = new CommandLine(new Main());
        for (var e : full.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) {
                continue; // "help" gets the full root: it names other commands
            }
            StringWriter expected = new StringWriter();
            e.getValue().usage(new PrintWriter(expected, true));
            assertEquals(expected.toString(), CliUsageTest.cli(e.getKey(), "--help").out(), e.getKey());
            assertEquals(Main.VERSION + System.lineSeparator(), CliUsageTest.cli(e.getKey(), "-V").out(), e.getKey());
        }
    }
}
