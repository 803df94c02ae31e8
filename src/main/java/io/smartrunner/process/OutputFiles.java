package io.smartrunner.process;

import java.nio.file.Path;

/**
 * The per-profile log files a session's stdout and stderr are appended to, and their rotation
 * policy: past {@code maxBytes} a file is rotated to {@code .1} .. {@code .keep}.
 */
public record OutputFiles(Path stdout, Path stderr, long maxBytes, int keep) {
    /** {@code dir/<profileId>.stdout.log} and {@code dir/<profileId>.stderr.log}. */
    public static OutputFiles forProfile(Path dir, String profileId, long maxBytes, int keep) {
        return new OutputFiles(dir.resolve(profileId + ".stdout.log"), dir.resolve(profileId + ".stderr.log"),
                maxBytes, keep);
    }
}
