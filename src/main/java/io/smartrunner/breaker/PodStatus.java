package io.smartrunner.breaker;

import java.time.Instant;

/**
 * A pod as the API and the dashboard show it (GET /api/pods).
 *
 * @param breaker        {@code closed} or {@code open}
 * @param since          when the breaker opened, null while closed
 * @param probes         probe sessions started since it opened
 * @param autoPaused     profiles of the pod this runner paused automatically and still paused
 * @param maxAutoPaused  the most it may pause (breaker.maxPausedShare)
 * @param held           no session starts in the pod (an exit code mapped to {@code config})
 * @param heldSince      since when, null when not held
 * @param sessions       this runner's sessions in the pod now (starting or running)
 * @param slots          how many may run here at once now: the pod's concurrency (cluster mode:
 *                       within the pod slots this runner holds), at most runner.globalConcurrency
 */
public record PodStatus(String pod, String breaker, Instant since, int probes, int autoPaused, int maxAutoPaused,
                        boolean held, Instant heldSince, int sessions, int slots) {
}
