package io.smartrunner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.smartrunner.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A token written out in a config file others may read is said at the start (reviewer R7); one from the environment is not. */
class ReadableTokenNoticeTest {
    private static final String TOKEN = "a-token-of-thirty-two-characters-x";

    @TempDir
    Path dir;

    private Path config(String token, String mode) throws Exception {
        Path file = dir.resolve("fleet.json");
        Files.writeString(file, """
                {"runner": {"dataDir": "%s"}, "browser": {"provider": "none"}, "http": {"token": "%s"},
                 "session": {"command": ["/bin/true"]}, "pods": [{"name": "a", "profiles": [{"id": "p1"}]}]}"""
                .formatted(dir.resolve("data"), token));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }

    @Test
    void aLiteralTokenInAFileOthersMayReadIsSaidWithTheFileAndItsMode() throws Exception {
        Path file = config(TOKEN, "rw-r--r--");

        String notice = ReadableTokenNotice.notice(ConfigLoader.load(file, Map.of()));

        assertEquals(file + ": http.token is written out in a file other users of this machine may read (rw-r--r--):"
                + " they can read the API token and change state through the API; chmod go-r the file, or set"
                + " \"token\": \"${env:SR_TOKEN}\" and keep the value elsewhere", notice);
    }

    @Test
    void aFileOnlyItsOwnerReadsOrATokenFromTheEnvironmentIsNotSaid() throws Exception {
        assertNull(ReadableTokenNotice.notice(ConfigLoader.load(config(TOKEN, "rw-------"), Map.of())));
        assertNull(ReadableTokenNotice.notice(ConfigLoader.load(config("${env:SR_TOKEN}", "rw-r--r--"),
                Map.of("SR_TOKEN", TOKEN))), "the value is not in the file");
    }
}
