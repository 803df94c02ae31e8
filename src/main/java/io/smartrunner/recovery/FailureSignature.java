package io.smartrunner.recovery;

import io.smartrunner.event.EventParams;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.EventRecord.SessionFailed;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What kind of failure a session had, so that the same failure maps to the same key however its
 * details vary: {@code <reason>/<exit code or signal>/<fingerprint of the stderr tail>}, e.g.
 * {@code exit/3/5f1c0e2a}. The fingerprint hashes the last {@value #LINES} non-blank lines of
 * the tail with uuids, hex numbers, paths and digits replaced by placeholders (a pid, a port, a
 * temp dir or a timestamp does not make a new signature). {@code -} stands for no exit and for an
 * empty tail.
 *
 * @param id     the signature
 * @param reason the failure reason (exit, signal, timeout, hang...)
 * @param exit   the exit code or signal name, null when none
 */
public record FailureSignature(String id, String reason, String exit) {
    static final int LINES = 3;
    private static final Pattern UUID = Pattern.compile(
            "\\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\b");
    private static final Pattern HEX = Pattern.compile("\\b0[xX][0-9a-fA-F]+\\b|\\b(?=[0-9a-fA-F]*\\d)[0-9a-fA-F]{8,}\\b");
    private static final Pattern PATH = Pattern.compile("(?:[A-Za-z]:)?(?:[/\\\\][^\\s/\\\\:'\",;()\\[\\]]+){2,}[/\\\\]?");
    private static final Pattern DIGITS = Pattern.compile("\\d+");
    private static final Pattern SPACE = Pattern.compile("\\s+");

    /**
     * @param reason     the failure reason's wire name
     * @param exit       its exit code or signal, null when none
     * @param stderrTail the session's last stderr bytes (may be null or empty)
     */
    public static FailureSignature of(String reason, String exit, String stderrTail) {
        String r = reason == null || reason.isBlank() ? "unknown" : reason;
        return new FailureSignature(r + "/" + (exit == null ? "-" : exit) + "/" + fingerprint(stderrTail), r, exit);
    }

    /**
     * The signature of the failure that {@code events} recorded for {@code sessionId} (its error
     * event's reason, exit code or signal, and stderr tail); null when they hold none.
     */
    public static FailureSignature ofFailure(List<EventRecord> events, String sessionId) {
        for (EventRecord e : events) {
            if (e instanceof SessionFailed f && sessionId != null && sessionId.equals(f.sessionId())) {
                Integer code = f.param(EventParams.EXIT_CODE);
                String exit = code != null ? String.valueOf(code) : f.param(EventParams.SIGNAL);
                return of(String.valueOf(f.reason()), exit, f.param(EventParams.STDERR_TAIL));
            }
        }
        return null;
    }

    /** Eight hex digits of the normalised tail's SHA-256, or {@code -} when it has no text. */
    static String fingerprint(String stderrTail) {
        String normal = normalise(stderrTail);
        if (normal.isEmpty()) {
            return "-";
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(normal.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** The last {@value #LINES} non-blank lines, with the parts that vary between runs replaced. */
    static String normalise(String stderrTail) {
        if (stderrTail == null) {
            return "";
        }
        List<String> lines = new ArrayList<>();
        for (String line : stderrTail.split("\\R")) {
            String l = line.strip();
            if (!l.isEmpty()) {
                l = UUID.matcher(l).replaceAll("<uuid>");
                l = HEX.matcher(l).replaceAll("<hex>");
                l = PATH.matcher(l).replaceAll("<path>");
                l = DIGITS.matcher(l).replaceAll("<n>");
                lines.add(SPACE.matcher(l).replaceAll(" "));
            }
        }
        return String.join("\n", lines.subList(Math.max(0, lines.size() - LINES), lines.size()));
    }
}
