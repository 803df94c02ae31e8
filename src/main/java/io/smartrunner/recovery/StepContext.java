package io.smartrunner.recovery;

import io.smartrunner.config.ProfileConfig;

/**
 * Who a step runs for.
 *
 * @param profile       the profile being recovered
 * @param sessionId     the failed session that started the episode ({@code {sessionId}} in templates)
 * @param step          1-based position in the ladder
 * @param runId         unique id of this step or verification run (tags its processes)
 */
public record StepContext(ProfileConfig profile, String sessionId, int step, String runId) {
}
