package io.smartrunner.cluster;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which configured profiles this runner may run, by {@code runOn} (docs/cluster-placement.md).
 *
 * @param eligible      the profiles this runner may run (no {@code runOn}, or one of its labels is this runner's),
 *                      in configuration order
 * @param pinnedHere    of those, the ones with a {@code runOn} this runner matches: taken before the others and
 *                      never given back to even out the fleet
 * @param fleetProfiles every configured profile, the ones this runner may not run included (the fair share is a
 *                      share of the whole fleet, the same number on every runner)
 * @param pinned        every configured profile with a {@code runOn}, with its labels
 */
public record Placement(Set<String> eligible, Set<String> pinnedHere, int fleetProfiles,
                        Map<String, List<String>> pinned) {
    public Placement {
        eligible = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(eligible));
        pinnedHere = Set.copyOf(pinnedHere);
        pinned = Map.copyOf(pinned);
    }
}
