package io.smartrunner.http;

import io.smartrunner.config.RunnerConfig;
import io.smartrunner.store.OwnDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * An API token written out in a config file that other users of the machine may read is theirs
 * too: the token file is refused for that (ApiToken), but a literal {@code http.token} in a 0644
 * config (what the default umask makes) was taken without a word (reviewer R7). Said at the
 * start, not refused: a config is often shared read-only on purpose, and refusing it would stop
 * runners that ran before.
 */
public final class ReadableTokenNotice {
    private ReadableTokenNotice() {
    }

    /**
     * The start's line, or null: no token set, set through {@code ${env:...}} (then it is one of
     * the config's secrets), or a file only its owner (and the runner's own group) may read.
     *
     * @param loaded the config as loaded, before the generated or configured token is added to its secrets
     */
    public static String notice(RunnerConfig loaded) {
        String token = loaded.http().token();
        Path file = loaded.source();
        if (token == null || file == null || loaded.secretValues().contains(token)) {
            return null;
        }
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
            boolean othersRead = mode.contains(PosixFilePermission.OTHERS_READ)
                    || mode.contains(PosixFilePermission.GROUP_READ) && !OwnDirectory.ofOwnGroup(file);
            if (!othersRead) {
                return null;
            }
            return file + ": http.token is written out in a file other users of this machine may read ("
                    + PosixFilePermissions.toString(mode) + "): they can read the API token and change state through"
                    + " the API; chmod go-r the file, or set \"token\": \"${env:SR_TOKEN}\" and keep the value elsewhere";
        } catch (IOException | UnsupportedOperationException e) {
            return null; // no modes to judge (not a POSIX file system) or the file is gone since the load
        }
    }
}
