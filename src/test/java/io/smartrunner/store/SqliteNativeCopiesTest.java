package io.smartrunner.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where sqlite-jdbc copies its library: the properties it reads, the stale copies, noexec mounts. */
class SqliteNativeCopiesTest {
    @TempDir
    Path dataDir;
    private String libPath;
    private String tmpDir;

    @BeforeEach
    void keepProperties() {
        libPath = System.clearProperty(SqliteNativeCopies.LIB_PATH);
        tmpDir = System.clearProperty(SqliteNativeCopies.TMP_DIR);
    }

    @AfterEach
    void restoreProperties() {
        restore(SqliteNativeCopies.LIB_PATH, libPath);
        restore(SqliteNativeCopies.TMP_DIR, tmpDir); // this JVM's own SQLite must not copy into a deleted dir
    }

    private static void restore(String name, String value) {
        if (value == null) {
            System.clearProperty(name);
        } else {
            System.setProperty(name, value);
        }
    }

    @Test
    void copiesGoToTheDataDirWhoseStaleOnesAreDeletedFirst() throws Exception {
        Path dir = dataDir.resolve(SqliteNativeCopies.DIR);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("sqlite-3.50.3.0-dead-libsqlitejdbc.so"), "a killed run's copy");
        Files.writeString(dir.resolve("sqlite-3.50.3.0-dead-libsqlitejdbc.so.lck"), "");

        assertEquals(dir, SqliteNativeCopies.useDataDir(dataDir));

        assertEquals(dir.toString(), System.getProperty(SqliteNativeCopies.TMP_DIR));
        try (var left = Files.list(dir)) {
            assertEquals(0, left.count(), "the stale copy and its lock file are gone");
        }
    }

    @Test
    void aNewDirectoryIsTheRunnersAlone() throws Exception {
        Path dir = SqliteNativeCopies.useDataDir(dataDir);

        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    }

    @Test
    void anOperatorsPropertiesAreLeftAsTheyAre() {
        System.setProperty(SqliteNativeCopies.TMP_DIR, "/srv/sqlite");

        assertNull(SqliteNativeCopies.useDataDir(dataDir));
        assertEquals("/srv/sqlite", System.getProperty(SqliteNativeCopies.TMP_DIR));
        assertFalse(Files.exists(dataDir.resolve(SqliteNativeCopies.DIR)));
        System.clearProperty(SqliteNativeCopies.TMP_DIR);
    }

    @Test
    void withTheLaunchersLibraryNothingIsCopiedAndItsDirectoryIsTheOneListed() {
        System.setProperty(SqliteNativeCopies.LIB_PATH, "/opt/smart-runner-native");

        assertNull(SqliteNativeCopies.useDataDir(dataDir));
        assertEquals("/opt/smart-runner-native", System.getProperty(SqliteNativeCopies.TMP_DIR),
                "sqlite-jdbc's clean-up lists it, not /tmp");
        assertFalse(Files.exists(dataDir.resolve(SqliteNativeCopies.DIR)));
    }

    @Test
    void aDataDirOnANoexecMountIsNotUsed() throws Exception {
        Path real = dataDir.toRealPath();
        Path mounts = Files.writeString(dataDir.resolve("mounts"), "/dev/sda1 / ext4 rw,relatime 0 0\n"
                + "tmpfs " + real.getParent() + " tmpfs rw,nosuid,noexec 0 0\n"
                + "tmpfs /elsewhere tmpfs rw,noexec 0 0\n");
        assertTrue(SqliteNativeCopies.onNoexecMount(dataDir, mounts), "the longest mount point above it is noexec");

        Files.writeString(mounts, "/dev/sda1 / ext4 rw,noexec 0 0\ntmpfs " + real + " tmpfs rw 0 0\n");
        assertFalse(SqliteNativeCopies.onNoexecMount(dataDir, mounts), "its own mount is not");

        Files.writeString(mounts, "/dev/sda1 / ext4 rw 0 0\n");
        assertFalse(SqliteNativeCopies.onNoexecMount(dataDir, mounts));
    }
}
