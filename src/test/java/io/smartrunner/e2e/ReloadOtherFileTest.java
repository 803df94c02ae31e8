package io.smartrunner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.event.EventLogReader;
import io.smartrunner.event.EventRecord;
import io.smartrunner.testkit.CliProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: {@code reload -c other.json} while a runner ran on {@code live.json} said
 * "reloaded other.json", exit 0, but the runner had re-read its own live.json. Then (reviewer R19)
 * it said so, exit 1, but only after the runner had applied its own file (removed profiles'
 * sessions stopped). Now the runner refuses before reading anything when it reads another file.
 */
@Tag("e2e")
class ReloadOtherFileTest {
    @TempDir
    Path dir;

    private Path config(String name, String profiles) throws IOException {
        return Files.writeString(dir.resolve(name), """
                {"runner": {"startJitterMs": 0}, "http": {"port": 0}, "browser": {"provider": "none"},
                 "session": {"command": ["/bin/sh", "-c", "exit 0"], "cooldownMs": 600000},
                 "pods": [{"name": "podA", "profiles": [%s]}]}""".formatted(profiles));
    }

    private List<EventRecord> events() {
        return EventLogReader.readAll(dir.resolve("logs/events.jsonl"));
    }

    @Test
    void aReloadOfAnotherFileThanTheRunnersIsRefusedBeforeItReadsAnything() throws Exception {
        Path live = config("live.json", "{\"id\": \"p1\"}");
        Path other = config("other.json", "{\"id\": \"p1\"}, {\"id\": \"p9\"}");
        CliProcess runner = CliProcess.start(dir, "run", "-c", "live.json");
        try {
            CliProcess.await("the first session", 20_000, () -> Files.exists(dir.resolve("logs/events.jsonl"))
                    && events().stream().anyMatch(e -> e.event().equals("finish")));
            config("live.json", "{\"id\": \"p1\"}, {\"id\": \"p2\"}"); // edited, not yet meant to apply

            CliProcess.Result wrong = CliProcess.run(dir, "reload", "-c", other.toString());

            assertEquals(1, wrong.exitCode(), wrong.out() + wrong.err());
            assertEquals("smart-runner: the running runner reads " + live + ", not " + other + ": nothing was reloaded;"
                    + " to run " + other + " restart the runner with it", wrong.err().strip());
            assertEquals("", wrong.out());
            assertTrue(events().stream().noneMatch(e -> e.event().equals("reload")), "nothing was applied");

            CliProcess.Result right = CliProcess.run(dir, "reload", "-c", "./live.json");
            assertEquals(0, right.exitCode(), right.err());
            assertEquals("reloaded " + live + ": added [\"p2\"], removed [], changed []", right.out().strip());
            assertTrue(runner.process.isAlive());
        } finally {
            runner.process.destroy();
            assertTrue(runner.process.waitFor(20, TimeUnit.SECONDS));
        }
    }
}
