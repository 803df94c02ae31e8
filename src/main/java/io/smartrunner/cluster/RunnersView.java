package io.smartrunner.cluster;

import io.smartrunner.config.RunnerSettings;
import io.smartrunner.store.MemberRow;
import io.smartrunner.store.PostgresMembers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code smart-runner runners} and {@code GET /api/runners} show: the members from the
 * database in cluster mode; with SQLite, the one runner this config describes and no membership.
 */
public final class RunnersView {
    static final String NO_MEMBERSHIP = "store.kind is sqlite: one runner, no membership (cluster mode needs"
            + " store.kind postgres)";

    private RunnersView() {
    }

    /** {"membership": true, "ttlMs": …, "runners": [ {name, labels, incarnation, host, pid, state, …} ]}. */
    public static Map<String, Object> cluster(PostgresMembers members) {
        return cluster(members, Membership.TTL_MS);
    }

    /** {@link #cluster(PostgresMembers)} judged with this TTL ({@code cluster.leaseTtlMs}). */
    public static Map<String, Object> cluster(PostgresMembers members, long ttlMs) {
        List<Map<String, Object>> runners = new ArrayList<>();
        for (MemberRow m : members.list(ttlMs)) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", m.name());
            row.put("labels", m.labels());
            row.put("incarnation", m.incarnation());
            row.put("host", m.host());
            row.put("pid", m.pid());
            row.put("state", m.state());
            row.put("heartbeatAgeMs", m.heartbeatAgeMs());
            row.put("sessions", m.sessions());
            row.put("capacity", m.capacity());
            row.put("startedAt", m.startedAt() == null ? null : m.startedAt().toString());
            row.put("stoppedAt", m.stoppedAt() == null ? null : m.stoppedAt().toString());
            row.put("leaseTtlMs", m.leaseTtlMs()); // its own: alive for the longer of this and ttlMs
            runners.add(row);
        }
        // live runners whose configs disagree about what both run (schema 13; docs/cluster.md)
        List<PostgresMembers.PublishedDigest> digests = members.liveConfigDigests(ttlMs);
        List<PublishedConfigs.Disagreement> disagreements = PublishedConfigs.among(members, digests);
        OlderRunners older = OlderRunners.among(digests, null);
        java.util.Set<String> unpublished = new java.util.HashSet<>();
        digests.stream().filter(d -> d.digest() == null).forEach(d -> unpublished.add(d.name()));
        for (Map<String, Object> row : runners) {
            List<String> others = new ArrayList<>();
            for (PublishedConfigs.Disagreement d : disagreements) {
                if (d.runner().equals(row.get("name"))) {
                    others.add(d.other());
                } else if (d.other().equals(row.get("name"))) {
                    others.add(d.runner());
                }
            }
            // null: not compared (a live runner of a release before schema 13 publishes no config; one just
            // joined may not have yet)
            row.put("configDiffersFrom", unpublished.contains(row.get("name")) ? null : others);
        }
        List<Map<String, Object>> pairs = new ArrayList<>();
        for (PublishedConfigs.Disagreement d : disagreements) {
            Map<String, Object> pair = new LinkedHashMap<>();
            pair.put("runners", List.of(d.runner(), d.other()));
            pair.put("differences", d.differences());
            pairs.add(pair);
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("membership", true);
        json.put("ttlMs", ttlMs);
        json.put("runners", runners);
        json.put("configDisagreements", pairs);
        json.put("olderRunners", older.none() ? null : older.words(null));
        return json;
    }

    /** SQLite: this config's runner, without state (there is no heartbeat to judge it by). */
    public static Map<String, Object> single(RunnerSettings runner) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", runner.name());
        row.put("labels", runner.labels());
        row.put("capacity", runner.globalConcurrency());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("membership", false);
        json.put("note", NO_MEMBERSHIP);
        json.put("runners", List.of(row));
        return json;
    }

    /** The JSON as a table for people. */
    @SuppressWarnings("unchecked")
    public static String table(Map<String, Object> json) {
        StringBuilder out = new StringBuilder();
        List<Map<String, Object>> runners = (List<Map<String, Object>>) json.get("runners");
        if (!Boolean.TRUE.equals(json.get("membership"))) {
            Map<String, Object> one = runners.get(0);
            out.append("runner ").append(one.get("name")).append(" labels ").append(labels(one))
                    .append(" capacity ").append(one.get("capacity")).append('\n');
            out.append(json.get("note")).append('\n');
            return out.append(PlacementView.lines(json)).toString();
        }
        if (runners.isEmpty()) {
            return "no runner has joined this database yet\n" + PlacementView.lines(json);
        }
        String format = "%-24s %-8s %-8s %-10s %8s %11s %-20s %s%n";
        out.append(String.format(Locale.ROOT, format, "NAME", "STATE", "HEARTBT", "INCARN", "SESSIONS", "CAPACITY",
                "HOST/PID", "LABELS"));
        for (Map<String, Object> r : runners) {
            Object age = r.get("heartbeatAgeMs");
            String heartbeat = age == null ? "-" : String.format(Locale.ROOT, "%.1fs", ((Number) age).longValue() / 1000.0);
            out.append(String.format(Locale.ROOT, format, r.get("name"), r.get("state"), heartbeat,
                    r.get("incarnation"), r.get("sessions"), r.get("capacity"), r.get("host") + "/" + r.get("pid"),
                    labels(r)));
        }
        for (Map<String, Object> pair : (List<Map<String, Object>>) json.get("configDisagreements")) {
            List<?> names = (List<?>) pair.get("runners");
            out.append("runners ").append(names.get(0)).append(" and ").append(names.get(1))
                    .append(" disagree about what both run (each runs the profiles it holds by its own config): ")
                    .append(String.join("; ", (List<String>) pair.get("differences"))).append('\n');
        }
        if (json.get("olderRunners") != null) {
            out.append(json.get("olderRunners")).append('\n');
        }
        return out.append(PlacementView.lines(json)).toString();
    }

    private static String labels(Map<String, Object> row) {
        List<?> labels = (List<?>) row.get("labels");
        return labels.isEmpty() ? "-" : String.join(",", labels.stream().map(String::valueOf).toList());
    }
}
