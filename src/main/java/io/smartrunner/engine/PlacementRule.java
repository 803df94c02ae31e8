package io.smartrunner.engine;

import io.smartrunner.cluster.Placement;
import io.smartrunner.config.ProfileConfig;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * {@code runOn} against this runner's {@code runner.labels} (docs/cluster-placement.md): a profile
 * pinned to labels this runner lacks never starts here, on SQLite as in cluster mode (there the
 * lease keeper never even takes its lease). Worked out at start and after each reload, said once
 * per change; the start check is one lookup in a set that is empty unless some profile is pinned
 * elsewhere. Loop thread only.
 */
final class PlacementRule {
    private final List<String> labels;
    private final Consumer<String> diagnostics;
    private Set<String> elsewhere = Set.of();
    private String said;

    PlacementRule(List<String> labels, Consumer<String> diagnostics) {
        this.labels = List.copyOf(labels);
        this.diagnostics = diagnostics;
    }

    /** Whether this runner's labels let the profile run here. */
    boolean fits(String profileId) {
        return elsewhere.isEmpty() || !elsewhere.contains(profileId);
    }

    /** The placement of the configured (not removed) profiles; says which ones never run here when that changed. */
    Placement plan(Collection<ProfileSlot> slots) {
        Set<String> eligible = new java.util.LinkedHashSet<>();
        Set<String> pinnedHere = new HashSet<>();
        Set<String> notHere = new TreeSet<>();
        Map<String, List<String>> pinned = new HashMap<>();
        List<String> ids = new java.util.ArrayList<>();
        for (ProfileSlot slot : slots) {
            if (slot.removed) {
                continue;
            }
            ids.add(slot.config.id());
            ProfileConfig p = slot.config;
            if (!p.runOn().isEmpty()) {
                pinned.put(p.id(), p.runOn());
            }
            if (!p.runsOn(labels)) {
                notHere.add(p.id());
            } else {
                eligible.add(p.id());
                if (!p.runOn().isEmpty()) {
                    pinnedHere.add(p.id());
                }
            }
        }
        elsewhere = Set.copyOf(notHere);
        sayOnce(notHere, pinned);
        return new Placement(eligible, pinnedHere, ids.size(), pinned, Placement.fingerprint(ids));
    }

    private void sayOnce(Set<String> notHere, Map<String, List<String>> pinned) {
        String line = null;
        if (!notHere.isEmpty()) {
            List<String> shown = notHere.stream().limit(10).map(id -> id + " (runOn " + String.join(",", pinned.get(id))
                    + ")").toList();
            line = notHere.size() + " profile(s) never run on this runner: their runOn names none of its labels ["
                    + String.join(",", labels) + "]: " + String.join(", ", shown) + (notHere.size() > 10 ? ", …" : "");
        }
        if (line != null && !line.equals(said)) {
            diagnostics.accept(line);
        }
        said = line;
    }
}
