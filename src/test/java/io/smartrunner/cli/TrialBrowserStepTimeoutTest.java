package io.smartrunner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.RunnerConfig;
import io.smartrunner.testkit.TestConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * A browser trial keeps the config's recovery.stepTimeoutMs. Regression: {@code trial
 * --failureType browser-frozen} ran with 8000 although the config said 10000, and --help did not
 * say so; on a slow machine Chromium's 6-16 s starts timed restartProfile out.
 */
class TrialBrowserStepTimeoutTest {
    @Test
    void aBrowserTrialUsesTheConfigsStepTimeout() {
        RunnerConfig config = TestConfig.builder().stepTimeoutMs(10_000).pod("podA", "p1").build();
        TrialCommand trial = new TrialCommand();
        trial.failureType = "browser-frozen";

        RunnerConfig run = trial.browserTrial(config, 8080);

        assertEquals(10_000, run.recovery().stepTimeoutMs());
    }

    @Test
    void helpSaysWhichRecoverySettingsABrowserTrialUses() {
        StringWriter out = new StringWriter();
        new CommandLine(new TrialCommand()).usage(new PrintWriter(out));
        String help = out.toString().replaceAll("\\s+", " ");

        assertTrue(help.contains("recovery.stepTimeoutMs as configured"), help);
        assertTrue(help.contains("1000 for browser-* trials"), help);
    }
}
