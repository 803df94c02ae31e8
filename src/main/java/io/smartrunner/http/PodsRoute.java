package io.smartrunner.http;

import io.smartrunner.breaker.PodStatus;
import io.smartrunner.config.ProfileId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** GET /api/pods and POST /api/pods/{pod}/unpause: each pod's breaker and pauses (DESIGN §2b). */
final class PodsRoute {
    private static final Pattern UNPAUSE = Pattern.compile("/api/pods/([^/]+)/unpause");

    private PodsRoute() {
    }

    static List<Map<String, Object>> json(List<PodStatus> pods) {
        return pods.stream().map(PodsRoute::json).toList();
    }

    private static Map<String, Object> json(PodStatus p) {
        Map<String, Object> breaker = new LinkedHashMap<>();
        breaker.put("state", p.breaker());
        breaker.put("since", p.since() == null ? null : p.since().toString());
        breaker.put("probes", p.probes());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("pod", p.pod());
        json.put("breaker", breaker);
        json.put("autoPaused", p.autoPaused());
        json.put("maxAutoPaused", p.maxAutoPaused());
        json.put("held", p.held());
        json.put("heldSince", p.heldSince() == null ? null : p.heldSince().toString());
        json.put("sessions", p.sessions());
        json.put("slots", p.slots());
        return json;
    }

    /** The pod of an unpause path, or null when {@code path} is not one. */
    static String unpausePath(String path) {
        Matcher m = UNPAUSE.matcher(path);
        return m.matches() ? validPod(m.group(1)) : null;
    }

    /** A pod name from a path, as the config's rule allows it; else 400. */
    static String validPod(String raw) {
        if (!ProfileId.isValid(raw)) {
            throw new ApiError(400, "pod name: expected " + ProfileId.PATTERN_TEXT + ", got \"" + Query.clip(raw) + "\"");
        }
        return raw;
    }

    static Map<String, Object> unpaused(String pod, boolean wasHeld) {
        if (!wasHeld) {
            throw new ApiError(409, "pod " + pod + " is not held");
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("pod", pod);
        json.put("held", false);
        return json;
    }
}
