package io.smartrunner.breaker;

import io.smartrunner.config.BreakerSettings;

/**
 * {@code breaker.maxPausedShare}: a pod never has more than max(1, floor(share × pod size)) of its
 * profiles paused automatically (Envoy caps outlier ejection the same way), so a shared fault the
 * breaker has not recognised cannot take a whole pod out for a day. Pure.
 */
public final class PauseCap {
    private PauseCap() {
    }

    /**
     * Why one more automatic pause in the pod is withheld, or null when it is allowed.
     *
     * @param autoPaused profiles of the pod paused automatically now
     * @param podSize    profiles in the pod
     */
    public static String withheld(BreakerSettings settings, String pod, int autoPaused, int podSize) {
        int max = settings.maxPaused(podSize);
        if (autoPaused < max) {
            return null;
        }
        return "breaker.maxPausedShare " + settings.maxPausedShare() + ": " + autoPaused + " of the " + podSize
                + " profiles of pod " + pod + " already paused automatically (at most " + max + ")";
    }
}
