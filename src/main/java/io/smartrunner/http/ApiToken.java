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
            if (Files.exists(file)) {
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

    /** An empty token no request could present would make every change a 401; a short one is guessable. */
    private static String fromFile(Path file, String token) {
        if (token.length() < HttpSettings.MIN_TOKEN_LENGTH) {
            throw new SmartRunnerException(file + ": the API token is " + (token.isEmpty() ? "empty" : "too short ("
                    + token.length() + " characters)") + "; delete the file to have a new one generated, or write a"
                    + " token of at least " + HttpSettings.MIN_TOKEN_LENGTH + " characters");
        }
        return token;
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
