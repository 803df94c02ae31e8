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

    @Test
    void aSecondDataDirWithTheSameEventLogIsRefusedNamingWhoWritesIt() {
        Path log = dir.resolve("logs/events.jsonl");
        try (DataDirLock first = DataDirLock.acquire(dir.resolve("data"), log)) {
            assertNotNull(first);
            SmartRunnerException e = assertThrows(SmartRunnerException.class,
                    () -> DataDirLock.tryAcquire(dir.resolve("data2"), log));
            assertEquals(log + " is written by another runner (pid " + ProcessHandle.current().pid() + ", runner.dataDir "
                    + dir.resolve("data") + "), not one on " + dir.resolve("data2") + ": each runner needs its own"
                    + " runner.eventLog; if this file's runner.dataDir changed since that runner started, restart it to"
                    + " use the new one", e.getMessage());
            try (DataDirLock other = DataDirLock.tryAcquire(dir.resolve("data2"))) {
                assertNotNull(other, "the refused one let go of its data dir");
            }
        }
        try (DataDirLock again = DataDirLock.tryAcquire(dir.resolve("data2"), log)) {
            assertNotNull(again, "the log is free once its writer lets go");
        }
    }
}
