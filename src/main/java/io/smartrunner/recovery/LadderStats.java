package io.smartrunner.recovery;

import io.smartrunner.store.LadderStat;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How each step has fared lately per failure signature: exponentially decayed counts. Each new
 * outcome of a (signature, step) first multiplies its attempts and successes by {@code decay},
 * then adds itself, so with decay 0.9 roughly the last ten outcomes count and a step that
 * stopped working loses its rate within a few tries. Decay is per outcome, not per hour: a
 * failure seen once a month is remembered as well as one seen every minute. Not thread-safe.
 */
public final class LadderStats {
    private final double decay;
    private final Map<String, Map<String, LadderStat>> bySignature = new TreeMap<>();
    /** Outcomes counted per row (signature NUL step) since made: a count's number, for {@link #amendToSuccess}. */
    private final Map<String, Long> counts = new HashMap<>();

    public LadderStats(double decay, List<LadderStat> loaded) {
        this.decay = decay;
        loaded.forEach(s -> bySignature.computeIfAbsent(s.signature(), k -> new TreeMap<>()).put(s.step(), s));
    }

    /** Counts one attempt of {@code step} against {@code signature}; returns the row to persist. */
    public LadderStat count(FailureSignature signature, String step, boolean healthy, Instant now) {
        Map<String, LadderStat> steps = bySignature.computeIfAbsent(signature.id(), k -> new TreeMap<>());
        LadderStat old = steps.get(step);
        double attempts = old == null ? 0 : old.attempts() * decay;
        double successes = old == null ? 0 : old.successes() * decay;
        LadderStat next = new LadderStat(signature.id(), step, attempts + 1, successes + (healthy ? 1 : 0),
                signature.reason(), signature.exit(), now);
        steps.put(step, next);
        counts.merge(signature.id() + '\0' + step, 1L, Long::sum);
        return next;
    }

    /**
     * Takes back the failure counted as the row's {@code number}th count (a relapse a breaker later
     * forgave: the outage's, not the step's): it counts as a success. Exact under the decay: a
     * success counted then weighs {@code decay^k} now, k the row's counts since; capped at the row's
     * attempts.
     *
     * @return the row to persist, null when the row is unknown (or {@code number} is not one of its counts)
     */
    public LadderStat amendToSuccess(String signature, String step, long number) {
        LadderStat row = get(signature, step);
        long since = countsOf(signature, step) - number;
        if (row == null || number <= 0 || since < 0) {
            return null;
        }
        LadderStat next = new LadderStat(signature, step, row.attempts(),
                Math.min(row.attempts(), row.successes() + Math.pow(decay, since)), row.sampleReason(),
                row.sampleExit(), row.updatedAt());
        bySignature.get(signature).put(step, next);
        return next;
    }

    /** How many outcomes {@link #count} counted for the row since these statistics were made. */
    public long countsOf(String signature, String step) {
        return counts.getOrDefault(signature + '\0' + step, 0L);
    }

    /** The step's row for the signature, null when never tried. */
    public LadderStat get(String signature, String step) {
        Map<String, LadderStat> steps = bySignature.get(signature);
        return steps == null ? null : steps.get(step);
    }

    /**
     * The lowest of {@code ladder}'s steps (0-based) whose success rate for the signature is at
     * least {@code minSuccess}; 0 (the whole ladder) when none is, a step never tried included.
     */
    public int preferredStart(String signature, List<String> ladder, double minSuccess) {
        for (int i = 0; i < ladder.size(); i++) {
            LadderStat s = get(signature, ladder.get(i));
            if (s != null && s.attempts() > 0 && s.successRate() >= minSuccess) {
                return i;
            }
        }
        return 0;
    }

    /** Every row, by signature then step (a copy). */
    public Map<String, Map<String, LadderStat>> bySignature() {
        Map<String, Map<String, LadderStat>> copy = new LinkedHashMap<>();
        bySignature.forEach((sig, steps) -> copy.put(sig, new LinkedHashMap<>(steps)));
        return copy;
    }
}
