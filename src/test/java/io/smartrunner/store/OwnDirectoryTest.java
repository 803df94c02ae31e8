package io.smartrunner.store;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.SmartRunnerException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reviewer R6: a data dir another user may write (under /tmp, say) is refused before the runner writes into it. */
class OwnDirectoryTest {
    @TempDir
    Path dir;

    private Path data(String mode) throws Exception {
        Path data = Files.createDirectory(dir.resolve("data"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString(mode));
        return data;
    }

    @Test
    void aDataDirOthersMayWriteIsRefusedWithExitTwoBeforeAnythingIsWrittenIntoIt() throws Exception {
        Path data = data("rwxrwxrwx");
        SmartRunnerException e = assertThrows(SmartRunnerException.class, () -> DataDirLock.acquire(data));
        assertEquals("runner.dataDir: " + data + " may be written by group or others (rwxrwxrwx): another user could"
                + " plant files there (or swap the directory) that the runner writes through or reads as its own; use"
                + " directories of root or this user that others (and a group other than the runner's own) cannot"
                + " write (chmod go-w, or another directory)", e.getMessage());
        assertEquals(2, e.exitCode());
        assertTrue(Files.notExists(data.resolve("runner.lock")), "nothing written into it");
    }

    @Test
    void aDataDirOfAnotherUserIsRefused() throws Exception {
        Path data = data("rwx------");
        // the tests run as root (.ci/run): the directory handed to another user, as a planting one would own it
        Files.setOwner(data, data.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        SmartRunnerException e = assertThrows(SmartRunnerException.class, () -> DataDirLock.acquire(data));
        assertTrue(e.getMessage().contains(" belongs to user nobody, not to the user this runner runs as"), e.getMessage());
    }

    @Test
    void groupWriteIsRefusedForAnotherGroupAndAcceptedForTheRunnersOwn() throws Exception {
        Path data = data("rwxrwx---");
        assertDoesNotThrow(() -> DataDirLock.acquire(data).close(), "its own group (Kubernetes' fsGroup)");
        GroupPrincipal other = data.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName("nogroup");
        Files.getFileAttributeView(data, PosixFileAttributeView.class).setGroup(other);
        SmartRunnerException e = assertThrows(SmartRunnerException.class, () -> DataDirLock.acquire(data));
        assertTrue(e.getMessage().contains("may be written by group or others (rwxrwx---)"), e.getMessage());
    }

    /** Reviewer R9: R6's attack one directory down, through a data/logs others could write. */
    @Test
    void theDirectoriesInsideTheDataDirTheRunnerWritesIntoAreJudgedTheSameWay() throws Exception {
        Path data = data("rwxr-xr-x");
        Path logs = Files.createDirectory(data.resolve("logs"));
        Files.setPosixFilePermissions(logs, PosixFilePermissions.fromString("rwxrwxrwx"));
        SmartRunnerException e = assertThrows(SmartRunnerException.class, () -> DataDirLock.acquire(data));
        assertTrue(e.getMessage().startsWith("runner.dataDir's logs directory: " + logs + " may be written by group or"
                + " others (rwxrwxrwx)"), e.getMessage());
        assertEquals(2, e.exitCode());
        assertThrows(SmartRunnerException.class, () -> DataDirLock.requireOwn(data), "status judges it too");

        Files.setPosixFilePermissions(logs, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path browsers = Files.createDirectory(data.resolve("browsers"));
        Files.setOwner(browsers, data.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        e = assertThrows(SmartRunnerException.class, () -> DataDirLock.acquire(data));
        assertTrue(e.getMessage().contains("runner.dataDir's browsers directory: " + browsers + " belongs to user nobody"),
                e.getMessage());
    }

    @Test
    void theEventLogsDirectoryIsJudgedTheSameWay() throws Exception {
        Path logs = Files.createDirectory(dir.resolve("logs"));
        Files.setPosixFilePermissions(logs, PosixFilePermissions.fromString("rwxrwxrwx"));
        SmartRunnerException e = assertThrows(SmartRunnerException.class,
                () -> DataDirLock.acquire(dir.resolve("data"), logs.resolve("events.jsonl")));
        assertTrue(e.getMessage().startsWith("the event log's directory (runner.eventLog): " + logs
                + " may be written by group or others (rwxrwxrwx)"), e.getMessage());
        assertTrue(Files.notExists(logs.resolve(".events.jsonl.lock")));
        assertDoesNotThrow(() -> DataDirLock.acquire(dir.resolve("data")).close(), "the data dir's lock was let go");
    }

    /** Reviewer R7: whoever may write the directory above could swap the data dir while the runner runs. */
    @Test
    void aDirectoryAboveThatAnotherUserOwnsOrMayWriteIsRefused() throws Exception {
        Path parent = Files.createDirectory(dir.resolve("parent"));
        Path data = Files.createDirectory(parent.resolve("data"));
        Files.setOwner(parent, parent.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        SmartRunnerException owned = assertThrows(SmartRunnerException.class, () -> DataDirLock.acquire(data));
        assertTrue(owned.getMessage().startsWith("runner.dataDir: " + data + ": the directory above it, " + parent
                + ", belongs to user nobody, not to root or the user this runner runs as"), owned.getMessage());
        assertEquals(2, owned.exitCode());

        Files.setOwner(parent, parent.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("root"));
        Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxrwxrwx"));
        SmartRunnerException writable = assertThrows(SmartRunnerException.class, () -> DataDirLock.acquire(data));
        assertTrue(writable.getMessage().contains(parent + ", may be written by group or others (rwxrwxrwx)"),
                writable.getMessage());

        Files.setAttribute(parent, "unix:mode", 01777); // sticky, like /tmp: no one may rename another's entry
        assertDoesNotThrow(() -> DataDirLock.acquire(data).close());
    }

    /** A link in the path is judged as it resolves too: pointing it elsewhere needs its own directory's write. */
    @Test
    void aDataDirReachedThroughALinkIsJudgedWhereItResolves() throws Exception {
        Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
        Path real = Files.createDirectory(elsewhere.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("data"), real);
        assertDoesNotThrow(() -> DataDirLock.acquire(link).close(), "a link of this user's to a directory of its own");
        Files.setPosixFilePermissions(elsewhere, PosixFilePermissions.fromString("rwxrwxrwx"));
        SmartRunnerException e = assertThrows(SmartRunnerException.class, () -> DataDirLock.acquire(link));
        assertTrue(e.getMessage().contains("the directory above it, " + elsewhere.toRealPath()), e.getMessage());
    }
}
