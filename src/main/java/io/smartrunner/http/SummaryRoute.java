package io.smartrunner.http;

import io.smartrunner.profile.ProfileState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/summary}: how many profiles are in each state, in the whole fleet and per pod
 * (pods in configuration order): {@code {"total", "states": {running, paused, needs-recovery,
 * idle}, "failing", "pods": [{"pod", "total", "states", "failing"}]}}. Each profile counts in one
 * state ({@link ProfileFilter#stateOf}), so the states add up to the total; "failing" (an error
 * streak above 0) overlaps them. One pass over the states, no per-profile JSON. Stateless.
 */
final class SummaryRoute {
    private SummaryRoute() {
    }

    static Map<String, Object> json(List<ProfileState> all) {
        Counts fleet = new Counts();
        Map<String, Counts> pods = new LinkedHashMap<>();
        for (ProfileState p : all) {
            String state = ProfileFilter.stateOf(p);
            fleet.add(state, p.errorStreak() > 0);
            pods.computeIfAbsent(p.pod(), k -> new Counts()).add(state, p.errorStreak() > 0);
        }
        Map<String, Object> body = fleet.json();
        List<Map<String, Object>> perPod = new ArrayList<>(pods.size());
        pods.forEach((pod, counts) -> {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("pod", pod);
            json.putAll(counts.json());
            perPod.add(json);
        });
        body.put("pods", perPod);
        return body;
    }

    private static final class Counts {
        private int total;
        private int failing;
        private final Map<String, Integer> states = new LinkedHashMap<>();

        Counts() {
            for (String s : List.of("running", "paused", "needs-recovery", "idle")) {
                states.put(s, 0);
            }
        }

        void add(String state, boolean isFailing) {
            total++;
            states.merge(state, 1, Integer::sum);
            failing += isFailing ? 1 : 0;
        }

        Map<String, Object> json() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("total", total);
            json.put("states", states);
            json.put("failing", failing);
            return json;
        }
    }
}
