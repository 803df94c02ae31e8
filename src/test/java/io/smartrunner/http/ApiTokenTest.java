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

    @Test
    void aTokenFileOthersMayReadIsRefusedWithExitTwoSayingHowToFixIt() throws Exception {
        tokenFile("operator-written-token-123456789\n");
        Files.setPosixFilePermissions(dir.resolve("http.token"), PosixFilePermissions.fromString("rw-r--r--"));
        SmartRunnerException e = assertThrows(SmartRunnerException.class,
                () -> ApiToken.configuredOrGenerated(null, dir, p -> { }));
        assertEquals(dir.resolve("http.token") + ": the API token file may be read or written by group or others"
                + " (rw-r--r--); it must be a file of this user with mode 0600 (chmod 600 it), or delete it to have"
                + " a new one generated", e.getMessage());
        assertEquals(2, e.exitCode());
        assertTrue(!e.getMessage().contains("operator-written"), "the value is not shown");
    }

    /** A data dir others may write (in /tmp, say): a token planted there, or pointed elsewhere, is not this user's secret. */
    @Test
    void aTokenFileThatIsASymlinkOrOfAnotherUserIsRefused() throws Exception {
        Path elsewhere = Files.writeString(dir.resolve("planted"), "planted-token-0123456789abcdef\n");
        Files.setPosixFilePermissions(elsewhere, PosixFilePermissions.fromString("rw-------"));
        Files.createSymbolicLink(dir.resolve("http.token"), elsewhere);
        SmartRunnerException link = assertThrows(SmartRunnerException.class,
                () -> ApiToken.configuredOrGenerated(null, dir, p -> { }));
        assertTrue(link.getMessage().contains("the API token file is a symbolic link"), link.getMessage());

        Files.delete(dir.resolve("http.token"));
        tokenFile("planted-token-0123456789abcdef\n");
        // the tests run as root (.ci/run): hand the file to another user as a planting one would own it
        Files.setOwner(dir.resolve("http.token"), dir.getFileSystem().getUserPrincipalLookupService()
                .lookupPrincipalByName("nobody"));
        SmartRunnerException foreign = assertThrows(SmartRunnerException.class,
                () -> ApiToken.configuredOrGenerated(null, dir, p -> { }));
        assertTrue(foreign.getMessage().contains("the API token file belongs to user nobody, not to the user this"
                + " runner runs as"), foreign.getMessage());
    }

    @Test
    void aGeneratedTokenFileIsAcceptedOnTheNextStart() throws Exception {
        ApiToken first = ApiToken.configuredOrGenerated(null, dir, p -> { });
        ApiToken again = ApiToken.configuredOrGenerated(null, dir, p -> { });
        assertEquals(first.secret(), again.secret());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("http.token"))));
    }
}
