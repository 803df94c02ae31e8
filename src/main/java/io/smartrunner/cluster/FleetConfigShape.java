package io.smartrunner.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smartrunner.config.PodConfig;
import io.smartrunner.config.ProfileConfig;
import io.smartrunner.config.RunnerConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What of its config a runner runs the fleet's profiles by, to compare across runners (each runs
 * the profiles it holds by its own config): each pod's concurrency, and each profile's pod, session
 * command and runOn labels. The command is kept as a digest of its arguments as the file wrote
 * them, {@code ${env:NAME}} unresolved, so neither a secret nor a digest of one reaches the
 * database, and machines whose secrets differ agree. (It masked the resolved secret values first:
 * a machine whose database password was "sleep" masked it inside "sleep 0.3", and every profile
 * was reported with another command; reviewer R3.) Environment, working directory and timeouts are left
 * out: they may differ between machines on purpose.
 *
 * @param pods     concurrency by pod name
 * @param profiles each profile's shape by id
 */
public record FleetConfigShape(Map<String, Integer> pods, Map<String, ProfileShape> profiles) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public FleetConfigShape {
        pods = new TreeMap<>(pods);
        profiles = new TreeMap<>(profiles);
    }

    /** @param command digest of the session command's arguments, secrets masked */
    public record ProfileShape(String pod, String command, List<String> runOn) {
        public ProfileShape {
            runOn = runOn == null ? List.of() : List.copyOf(runOn);
        }
    }

    public static FleetConfigShape of(RunnerConfig cfg) {
        Map<String, Integer> pods = new TreeMap<>();
        Map<String, ProfileShape> profiles = new TreeMap<>();
        for (PodConfig pod : cfg.pods()) {
            pods.put(pod.name(), pod.concurrency());
            for (ProfileConfig p : pod.profiles()) {
                profiles.put(p.id(), new ProfileShape(pod.name(), commandDigest(cfg.asWritten(p.session().command())),
                        p.runOn().stream().sorted().toList()));
            }
        }
        return new FleetConfigShape(pods, profiles);
    }

    static String commandDigest(List<String> written) {
        StringBuilder b = new StringBuilder();
        for (String arg : written) {
            b.append(arg).append('\0');
        }
        return sha256(b.toString()).substring(0, 16);
    }

    /** The JSON stored on the runner's row; its digest is {@link #digest()}. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Equal shapes, equal digests: the sorted maps make the JSON canonical. */
    public String digest() {
        return digestOf(toJson());
    }

    /** {@link #digest()} of a shape already written as {@code json} ({@link #toJson()}). */
    static String digestOf(String json) {
        return sha256(json);
    }

    /** A shape read back, or null when it cannot be read (written by another version). */
    public static FleetConfigShape fromJson(String json) {
        if (json == null) {
            return null;
        }
        try {
            FleetConfigShape shape = JSON.readValue(json, FleetConfigShape.class);
            return shape.pods() == null || shape.profiles() == null ? null : shape;
        } catch (JsonProcessingException | RuntimeException e) {
            return null;
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JVM has SHA-256
        }
    }
}
