package io.smartrunner.http;

import io.smartrunner.SmartRunnerException;
import io.smartrunner.config.HttpSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The bearer token that every state-changing request needs: {@code http.token} when configured,
 * else one generated on first start into {@code <dataDir>/http.token} (mode 0600) and reused. A
 * token file shorter than {@link HttpSettings#MIN_TOKEN_LENGTH} (empty, say) is refused.
 */
public final class ApiToken {
    private final byte[] token;

    private ApiToken(String token) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    /** @param onGenerated told the file's path once, when a new token was written */
    public static ApiToken configuredOrGenerated(String configured, Path dataDir, java.util.function.Consumer<Path> onGenerated) {
        if (configured != null) {
            return new ApiToken(configured);
        }
        Path file = dataDir.resolve("http.token");
        try {
            if (Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                refuseSharedFile(file);
                return new ApiToken(fromFile(file, Files.readString(file, StandardCharsets.UTF_8).strip()));
            }
            Files.createDirectories(dataDir);
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String token = HexFormat.of().formatHex(random);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, token + "\n", StandardCharsets.UTF_8);
            onGenerated.accept(file);
            return new ApiToken(token);
        } catch (IOException e) {
            throw new SmartRunnerException(file + ": cannot read or create the API token: " + e.getMessage(), e);
        }
    }

    /**
     * A token file another user could have written (planted in a shared data dir) or can read is
     * no secret: refused, exit 2, unless it is a regular file of this process's user that only
     * that user (and its own group) may read or write (0600, 0400, 0660 with the runner's group). Not
     * followed through a symlink.
     */
    static void refuseSharedFile(Path file) throws IOException {
        java.nio.file.attribute.PosixFileAttributes a = Files.readAttributes(file,
                java.nio.file.attribute.PosixFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        String problem = null;
        if (a.isSymbolicLink()) {
            problem = "is a symbolic link";
        } else if (!a.isRegularFile()) {
            problem = "is not a regular file";
        } else if (!ownerIsThisProcess(file)) {
            problem = "belongs to user " + a.owner().getName() + ", not to the user this runner runs as";
        } else {
            String mode = PosixFilePermissions.toString(a.permissions());
            // the runner's own group is no other user (Kubernetes' fsGroup makes a volume's files g+rw)
            boolean groupOk = mode.substring(3, 6).equals("---") || io.smartrunner.store.OwnDirectory.ofOwnGroup(file);
            if (!mode.substring(6).equals("---") || !groupOk) {
                problem = "may be read or written by group or others (" + mode + ")";
            }
        }
        if (problem != null) {
            throw new SmartRunnerException(file + ": the API token file " + problem + "; it must be a file of this"
                    + " user with mode 0600 (chmod 600 it), or delete it to have a new one generated", null, 2);
        }
    }

    private static boolean ownerIsThisProcess(Path file) throws IOException {
        Object owner = Files.getAttribute(file, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        // /proc/self belongs to the process's effective user
        return owner.equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    }

    /** An empty token no request could present would make every change a 401; a short one is guessable. */
    private static String fromFile(Path file, String token) {
        if (token.length() < HttpSettings.MIN_TOKEN_LENGTH) {
            throw new SmartRunnerException(file + ": the API token is " + (token.isEmpty() ? "empty" : "too short ("
                    + token.length() + " characters)") + "; delete the file to have a new one generated, or write a"
                    + " token of at least " + HttpSettings.MIN_TOKEN_LENGTH + " characters", null, 2);
        }
        return token;
    }

    /** The token itself: a secret the runner masks in everything it writes and serves, like an {@code ${env:...}} value. */
    public String secret() {
        return new String(token, StandardCharsets.UTF_8);
    }

    /** Constant-time comparison, so response timing tells nothing about the token. */
    boolean matches(String presented) {
        return presented != null
                && MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether the request carries {@code Authorization: Bearer <this token>} (the scheme in any case, RFC 9110). */
    boolean presentedBy(com.sun.net.httpserver.HttpExchange ex) {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        return auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) && matches(auth.substring(7));
    }
}
