package io.smartrunner.config;

import static io.smartrunner.config.ConfigTestSupport.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Regression: {@code runner.eventLog} naming the state store (or another runner file) destroyed it. */
class ConfigEventLogPlaceTest extends ConfigTestSupport {
    @ParameterizedTest
    @ValueSource(strings = {"state.db", "state.db-wal", "state.db-shm", "state.db-journal", "runner.lock",
            "http.token", "http.port", "adopted-orphans", "state.db.rebuild", "state.db.bak-20260101-000000"})
    void refusesAnEventLogThatIsOneOfTheDataDirsOwnFiles(String name) {
        String data = dir.resolve("data").toString();
        String line = rejects("{'runner': {'dataDir': '" + data + "', 'eventLog': '" + data + "/" + name + "'}}");
        assertContains("$.runner.eventLog: \"" + data + "/" + name + "\" is the runner's own file " + name, line);
        assertContains("expected an event log file of its own", line);
    }

    @Test
    void refusesTheSameFileSpelledAnotherWayOrThroughALink() throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("state.db"), "SQLite format 3");
        Path link = Files.createSymbolicLink(dir.resolve("events.jsonl"), data.resolve("state.db"));
        assertContains("$.runner.eventLog: \"" + link + "\" is the runner's own file state.db",
                rejects("{'runner': {'dataDir': '" + data + "', 'eventLog': '" + link + "'}}"));
        assertContains("is the runner's own file runner.lock",
                rejects("{'runner': {'dataDir': '" + data + "/', 'eventLog': '" + data + "/../data/./runner.lock'}}"));
    }

    @Test
    void refusesTheConfigFileItself() {
        assertContains("$.runner.eventLog: \"" + file() + "\" is the config file itself",
                rejects("{'runner': {'eventLog': '" + file() + "'}}"));
    }

    /** Reviewer R9: exit 1 and "is a directory, not a file", without the key that said it. */
    @Test
    void refusesADirectoryWithTheKeyThatNamesIt() throws IOException {
        Path logs = Files.createDirectories(dir.resolve("logs"));
        assertContains("$.runner.eventLog: \"" + logs + "\" is a directory, expected an event log file of its own",
                rejects("{'runner': {'eventLog': '" + logs + "'}}"));
    }

    @Test
    void acceptsAnEventLogInTheDataDirUnderANameOfItsOwn() {
        Path data = dir.resolve("data");
        assertEquals(data.resolve("events.jsonl"), load("{'runner': {'dataDir': '" + data + "', 'eventLog': '"
                + data.resolve("events.jsonl") + "'}}").runner().eventLog());
    }
}
