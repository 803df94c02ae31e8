package io.smartrunner.cluster;

import io.smartrunner.store.PostgresMembers;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The configs the live runners published (schema 13), compared pairwise. A shape is read from
 * the database once per digest and kept (a digest names its content), so a view asked for every
 * few seconds reads only the digests.
 */
public final class PublishedConfigs {
    private static final int KEPT = 16;
    private static final Map<String, FleetConfigShape> SHAPES = Collections.synchronizedMap(
            new LinkedHashMap<>(KEPT, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, FleetConfigShape> eldest) {
                    return size() > KEPT;
                }
            });

    private PublishedConfigs() {
    }

    /** One pair of live runners that disagree, and how. */
    public record Disagreement(String runner, String other, List<String> differences) {
    }

    /**
     * Every pair of live runners whose published configs disagree about what both run (runners
     * of an older version, which publish none, are left out).
     */
    public static List<Disagreement> among(PostgresMembers members, List<PostgresMembers.PublishedDigest> digests) {
        return pairs(members, digests, null);
    }

    /** {@link #among}, only the pairs {@code runner} is one of (a runner's own check: n pairs, not n²). */
    public static List<Disagreement> with(PostgresMembers members, List<PostgresMembers.PublishedDigest> digests,
                                          String runner) {
        return pairs(members, digests, runner);
    }

    /** @param digests the live runners' ({@link PostgresMembers#liveConfigDigests}), read once by the caller */
    private static List<Disagreement> pairs(PostgresMembers members, List<PostgresMembers.PublishedDigest> digests,
                                            String involving) {
        List<PostgresMembers.PublishedDigest> live = digests.stream().filter(d -> d.digest() != null).toList();
        List<Disagreement> out = new ArrayList<>();
        for (int i = 0; i < live.size(); i++) {
            for (int j = i + 1; j < live.size(); j++) {
                PostgresMembers.PublishedDigest a = live.get(i);
                PostgresMembers.PublishedDigest b = live.get(j);
                if (a.digest().equals(b.digest())
                        || involving != null && !involving.equals(a.name()) && !involving.equals(b.name())) {
                    continue;
                }
                FleetConfigShape sa = shape(members, a.digest());
                FleetConfigShape sb = shape(members, b.digest());
                if (sa != null && sb != null) {
                    List<String> differences = FleetConfigDiff.between(sa, a.name(), sb, b.name());
                    if (!differences.isEmpty()) {
                        out.add(new Disagreement(a.name(), b.name(), differences));
                    }
                }
            }
        }
        return out;
    }

    /** The shape published with {@code digest}, or null (gone since, or unreadable). */
    static FleetConfigShape shape(PostgresMembers members, String digest) {
        FleetConfigShape known = SHAPES.get(digest);
        if (known != null) {
            return known;
        }
        FleetConfigShape read = FleetConfigShape.fromJson(members.publishedConfig(digest));
        if (read != null) {
            SHAPES.put(digest, read);
        }
        return read;
    }
}
