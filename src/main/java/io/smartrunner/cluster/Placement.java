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
 * @param profileSet    {@link #fingerprint} of every configured profile id (null: none known)
 */
public record Placement(Set<String> eligible, Set<String> pinnedHere, int fleetProfiles,
                        Map<String, List<String>> pinned, String profileSet) {
    public Placement {
        eligible = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(eligible));
        pinnedHere = Set.copyOf(pinnedHere);
        pinned = Map.copyOf(pinned);
    }

    /** Without a fingerprint: divided with every live runner that has none either. */
    public Placement(Set<String> eligible, Set<String> pinnedHere, int fleetProfiles, Map<String, List<String>> pinned) {
        this(eligible, pinnedHere, fleetProfiles, pinned, null);
    }

    /**
     * The fingerprint of a list of configured profile ids, whatever their order: runners with the same
     * list divide its profiles between them (their fair shares add up to it); runners with different
     * lists never count on each other for a profile (docs/cluster-leases.md).
     */
    public static String fingerprint(java.util.Collection<String> profileIds) {
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            for (String id : new java.util.TreeSet<>(profileIds)) {
                sha.update(id.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update((byte) '\n');
            }
            return profileIds.size() + ":" + java.util.HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (java.security.NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("every JDK has SHA-256", impossible);
        }
    }
}
