package io.smartrunner.alert;

import io.smartrunner.config.AlertSettings.Trigger;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One alert, as the webhook receives it (see {@link AlertJson}).
 *
 * @param trigger   the rule that raised it
 * @param ts        when it happened (the event's time; for the fleet rule, when the threshold was passed)
 * @param pod       the profile's pod; null for a fleet alert
 * @param profileId the profile; null for a fleet alert
 * @param text      one human line, Slack's {@code text}
 * @param details   the figures behind it, insertion-ordered; values are strings, numbers, booleans or null
 */
record Alert(Trigger trigger, Instant ts, String pod, String profileId, String text,
             Map<String, Object> details) {
    public Alert {
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }
}
