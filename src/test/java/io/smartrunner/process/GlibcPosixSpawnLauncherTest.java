package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher contract again through glibc's posix_spawn, what the runner uses where its own
 * spawn (libsr-spawn.so) is missing or does not work ({@link NativeSpawn}).
 */
class GlibcPosixSpawnLauncherTest extends PosixSpawnLauncherTest {
    @Override
    ProcessLauncher newLauncher() {
        assertTrue(PosixSpawnLauncher.available(), "posix_spawn launcher on this Linux x86_64 machine");
        return new PosixSpawnLauncher(ChildEnvironment.ofThisProcess(), ProcessTimers.shared(), false);
    }
}
