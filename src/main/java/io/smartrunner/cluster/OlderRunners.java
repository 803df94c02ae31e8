package io.smartrunner.cluster;

import io.smartrunner.store.PostgresMembers;
import java.util.List;

/**
 * The live runners of an older release, in a fleet being upgraded one machine at a time (reviewer
 * R4): those before schema 13 publish no config, so theirs is not compared; those before schema 11
 * judge every runner live by their own {@code cluster.leaseTtlMs}, not by the runner's, so a runner
 * with a longer TTL than theirs has its profiles taken while it still runs them (a profile ran twice
 * for 8.6 s in R4's test). Until they are upgraded the fleet's cluster timings must be the same.
 *
 * @param notCompared live runners with no published config
 * @param ownTtlOnly  live runners that do not honour another runner's TTL
 */
public record OlderRunners(List<String> notCompared, List<String> ownTtlOnly) {
    /**
     * How long after its join a runner of this release may not have published its config yet (it
     * does so right after joining, on a thread of its own): no older release before that. Four
     * runners started together each took a peer for an older release for 30 s (reviewer R5).
     */
    static final long PUBLISH_GRACE_MS = 30_000;

    /** Of the live runners other than {@code self}. */
    public static OlderRunners among(List<PostgresMembers.PublishedDigest> live, String self) {
        return new OlderRunners(
                live.stream().filter(d -> d.digest() == null && d.joinedAgoMs() > PUBLISH_GRACE_MS
                                && !d.name().equals(self))
                        .map(PostgresMembers.PublishedDigest::name).toList(),
                live.stream().filter(d -> d.leaseTtlMs() == null && !d.name().equals(self))
                        .map(PostgresMembers.PublishedDigest::name).toList());
    }

    public boolean none() {
        return notCompared.isEmpty() && ownTtlOnly.isEmpty();
    }

    /** One line for people; empty when there are none. */
    public String words(String timings) {
        if (none()) {
            return "";
        }
        StringBuilder s = new StringBuilder();
        if (!notCompared.isEmpty()) {
            s.append("runner(s) ").append(String.join(", ", notCompared))
                    .append(" run an older release (before schema 13): their configs are not compared");
        }
        if (!ownTtlOnly.isEmpty()) {
            s.append(s.length() == 0 ? "" : "; ").append("runner(s) ").append(String.join(", ", ownTtlOnly))
                    .append(" (before schema 11) judge every runner by their own cluster.leaseTtlMs: until they are"
                            + " upgraded give every runner the same cluster timings")
                    .append(timings == null ? "" : " (this one: " + timings + ")")
                    .append(", or a runner whose TTL is longer than theirs has its profiles taken while it runs them");
        }
        return s.append(" (docs/cluster.md, \"Upgrading a fleet\")").toString();
    }
}
