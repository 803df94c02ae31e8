package io.smartrunner.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smartrunner.browser.BrowserProvider;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.SessionSettings;
import io.smartrunner.config.StepConfig;
import io.smartrunner.config.VerifyConfig;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** With browser.provider none the browser steps and check fail at once, saying why (no browser is touched). */
class BrowserStepsWithoutBrowserTest {
    @TempDir
    Path dir;

    private RecoveryActions actions() {
        return new ProcessRecoveryActions(io.smartrunner.process.PosixSpawnLauncher.best(), dir.resolve("logs"),
                "runner-x", 5_000, BrowserProvider.none());
    }

    private StepContext ctx() {
        return new StepContext(new ProfileConfig("k12", "podA", "http://127.0.0.1/", SessionSettings.defaults(),
                null, null), "s-1", 1, "recovery-s-1-1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"goToHomepage", "browserBack", "refreshPage", "reopenProfile", "restartProfile"})
    void aBrowserStepFailsSayingThereIsNoProvider(String step) throws Exception {
        StepResult r = actions().step(new StepConfig.Builtin(step), ctx()).result().get(5, TimeUnit.SECONDS);
        assertEquals(StepResult.failed(step + " needs a browser provider, and none is available"), r);
    }

    @Test
    void theBrowserCheckFailsSayingThereIsNoProvider() throws Exception {
        StepResult r = actions().verify(new VerifyConfig.Browser(), ctx()).result().get(5, TimeUnit.SECONDS);
        assertEquals(StepResult.failed("browser verification needs a browser provider"), r);
    }
}
