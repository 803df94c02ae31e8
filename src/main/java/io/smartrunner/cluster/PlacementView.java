package io.smartrunner.cluster;

import io.smartrunner.config.ProfileConfig;
import io.smartrunner.store.MemberRow;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code runOn} profiles no runner can run now, added to {@link RunnersView}'s answer as
 * {@code "waiting": [{"profile", "runOn", "why"}]} (docs/cluster-placement.md): in cluster mode,
 * pinned profiles none of whose labels a live runner has; with SQLite, the ones this runner's
 * labels do not fit (they never start). Judged from the configuration and the runners listed.
 */
public final class PlacementView {
    /** At most this many profiles are listed; {@code waitingCount} has them all. */
    static final int MAX_LISTED = 100;

    private PlacementView() {
    }

    /** The view with {@code waitingCount} and {@code waiting} added. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> add(Map<String, Object> view, List<ProfileConfig> profiles) {
        boolean cluster = Boolean.TRUE.equals(view.get("membership"));
        Set<String> labels = new HashSet<>();
        for (Map<String, Object> r : (List<Map<String, Object>>) view.get("runners")) {
            if (!cluster || MemberRow.ALIVE.equals(r.get("state"))) {
                ((List<?>) r.get("labels")).forEach(l -> labels.add(String.valueOf(l)));
            }
        }
        List<Map<String, Object>> waiting = new ArrayList<>();
        int count = 0;
        for (ProfileConfig p : profiles) {
            if (p.runsOn(labels)) {
                continue;
            }
            count++;
            if (waiting.size() < MAX_LISTED) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("profile", p.id());
                row.put("runOn", p.runOn());
                row.put("why", (cluster ? "waiting for a live runner labelled " : "never runs here: this runner has"
                        + " none of the labels ") + String.join(" or ", p.runOn()));
                waiting.add(row);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>(view);
        out.put("waitingCount", count);
        out.put("waiting", waiting);
        return out;
    }

    /** Lines for the table: one per waiting profile, or nothing. */
    @SuppressWarnings("unchecked")
    static String lines(Map<String, Object> view) {
        Object waiting = view.get("waiting");
        if (!(waiting instanceof List<?> list) || list.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        out.append(view.get("waitingCount")).append(" profile(s) no runner can run now (runOn):\n");
        for (Object o : list) {
            Map<String, Object> row = (Map<String, Object>) o;
            out.append("  ").append(row.get("profile")).append(": ").append(row.get("why")).append('\n');
        }
        return out.toString();
    }
}
