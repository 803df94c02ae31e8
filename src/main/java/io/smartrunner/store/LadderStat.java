package io.smartrunner.store;

import java.time.Instant;

/**
 * How one recovery step has fared lately against one failure signature (the adaptive ladder's
 * memory, docs/recovery-adaptive.md). The counts are exponentially decayed, so they are not
 * whole numbers.
 *
 * @param signature    the failure signature, e.g. {@code exit/3/5f1c0e2a}
 * @param step         the step's name in the ladder
 * @param attempts     decayed count of attempts
 * @param successes    decayed count of attempts after which the profile verified healthy
 * @param sampleReason the failure reason of the signature, for people (exit, timeout...)
 * @param sampleExit   its exit code or signal, null when none
 * @param updatedAt    when the last outcome was counted (to the millisecond)
 */
public record LadderStat(String signature, String step, double attempts, double successes, String sampleReason,
                         String sampleExit, Instant updatedAt) {

    /** Successes per attempt; 0 when never tried. */
    public double successRate() {
        return attempts <= 0 ? 0 : successes / attempts;
    }
}
