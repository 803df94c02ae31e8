package io.smartrunner.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** A real filesystem that fills up: a small tmpfs mounted for one test (needs root, as in CI). */
public final class SmallTmpfs implements AutoCloseable {
    private final Path dir;

    private SmallTmpfs(Path dir) {
        this.dir = dir;
    }

    /** Mounts a tmpfs of {@code sizeMb} MiB at {@code dir} (created); the test is skipped when it cannot. */
    public static SmallTmpfs mount(Path dir, int sizeMb) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + sizeMb + "m", "tmpfs",
                dir.toString()).redirectErrorStream(true).start();
        Assumptions.assumeTrue(mount.waitFor() == 0, "needs root to mount a small tmpfs: "
                + new String(mount.getInputStream().readAllBytes()));
        return new SmallTmpfs(dir);
    }

    public Path dir() {
        return dir;
    }

    /** Fills it to the last byte; deleting the returned file makes room again. */
    public Path fill() throws IOException {
        Path filler = dir.resolve("filler");
        byte[] block = new byte[4096];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException expected) {
            // ENOSPC: full
        }
        return filler;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        new ProcessBuilder("umount", "-l", dir.toString()).start().waitFor();
    }
}
