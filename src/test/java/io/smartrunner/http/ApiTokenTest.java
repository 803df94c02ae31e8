package io.smartrunner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.SmartRunnerException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The token file in the data dir: generated when absent, refused when it holds no usable token. */
class ApiTokenTest {
    @TempDir
    Path dir;

    private void tokenFile(String content) throws Exception {
        Files.writeString(dir.resolve("http.token"), content);
        Files.setPosixFilePermissions(dir.resolve("http.token"), PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void anEmptyTokenFileIsRefusedInOneLineSayingWhatToDo() throws Exception {
        tokenFile("\n");
        SmartRunnerException e = assertThrows(SmartRunnerException.class,
                () -> ApiToken.configuredOrGenerated(null, dir, p -> { }));
        assertEquals(dir.resolve("http.token") + ": the API token is empty; delete the file to have a new one"
                + " generated, or write a token of at least 16 characters", e.getMessage());
    }

    @Test
    void aTokenFileShorterThanSixteenCharactersIsRefusedWithoutShowingIt() throws Exception {
        tokenFile("abcdefghijklmno\n");
        SmartRunnerException e = assertThrows(SmartRunnerException.class,
                () -> ApiToken.configuredOrGenerated(null, dir, p -> { }));
        assertTrue(e.getMessage().contains("too short (15 characters)"), e.getMessage());
        assertTrue(!e.getMessage().contains("abcdefghijklmno"), e.getMessage());
    }

    @Test
    void aSixteenCharacterTokenFileIsUsedAndAnAbsentOneGenerated() throws Exception {
        tokenFile("abcdefghijklmnop\n");
        assertTrue(ApiToken.configuredOrGenerated(null, dir, p -> { }).matches("abcdefghijklmnop"));
        Path other = Files.createDirectory(dir.resolve("other"));
        ApiToken generated = ApiToken.configuredOrGenerated(null, other, p -> { });
        assertTrue(generated.matches(Files.readString(other.resolve("http.token")).strip()));
    }
}
