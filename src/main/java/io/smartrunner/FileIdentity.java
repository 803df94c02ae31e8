package io.smartrunner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether two paths name one file: the same absolute path, or (both existing) the same file through
 * a link or another spelling. One rule for the config's own files, {@code reload -c} and its API check.
 */
public final class FileIdentity {
    private FileIdentity() {
    }

    public static boolean same(Path a, Path b) {
        if (a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize())) {
            return true;
        }
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false; // one of them is gone or unreadable: not provably the same
        }
    }
}
