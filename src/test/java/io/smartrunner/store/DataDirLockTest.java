package io.smartrunner.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.smartrunner.SmartRunnerException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirLockTest {
    @TempDir
    Path dir;

    @Test
    void aDataDirThatIsAFileIsSaidSo() throws Exception {
        Path file = Files.writeString(dir.resolve("data"), "x");
        SmartRunnerException e = assertThrows(SmartRunnerException.class, () -> DataDirLock.acquire(file));
        assertEquals("runner.dataDir: " + file + " is a file, expected a directory", e.getMessage());
        assertEquals("x", Files.readString(file), "untouched");
    }

    @Test
    void oneHolderAtATime() {
        Path data = dir.resolve("data");
        try (DataDirLock first = DataDirLock.acquire(data)) {
            assertNotNull(first);
            // a FileChannel lock is per process: a second acquire in this JVM is refused by the JVM itself
            assertThrows(RuntimeException.class, () -> DataDirLock.acquire(data));
        }
        try (DataDirLock again = DataDirLock.tryAcquire(data)) {
            assertNotNull(again, "free again once closed");
        }
    }
}
