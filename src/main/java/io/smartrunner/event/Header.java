package io.smartrunner.event;

import java.time.Instant;

/**
 * What every event line carries before its kind: when, and whose.
 *
 * @param pod       null for the runner's own events
 * @param profileId null for pod- and runner-level events
 * @param sessionId null outside a session
 */
public record Header(Instant ts, String pod, String profileId, String sessionId) {
}
