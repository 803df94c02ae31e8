package io.smartrunner.config;

import java.util.List;

/** Binds the {@code cluster} block: renewEveryMs < renewDeadlineMs < leaseTtlMs, or a one-line error. */
final class ClusterBinder {
    static final List<String> KEYS = List.of("leaseTtlMs", "renewEveryMs", "renewDeadlineMs");
    private static final long MAX_MS = 3_600_000;
    /** Room for the self-fencing check and the stop's grace between the renew deadline and the TTL. */
    static final long MIN_SLACK_MS = 1_000;

    private ClusterBinder() {
    }

    static ClusterSettings bind(JsonCursor block) {
        block.object(KEYS);
        ClusterSettings d = ClusterSettings.defaults();
        JsonCursor ttlValue = block.get("leaseTtlMs");
        JsonCursor everyValue = block.get("renewEveryMs");
        JsonCursor deadlineValue = block.get("renewDeadlineMs");
        long ttl = ttlValue.integer(d.leaseTtlMs(), 3, MAX_MS, Quantity.MILLIS);
        long every = everyValue.integer(d.renewEveryMs(), 1, MAX_MS, Quantity.MILLIS);
        long deadline = deadlineValue.integer(d.renewDeadlineMs(), 2, MAX_MS, Quantity.MILLIS);
        String expected = "renewEveryMs < renewDeadlineMs < leaseTtlMs";
        if (deadline >= ttl) {
            JsonCursor named = deadlineValue.isPresent() ? deadlineValue : ttlValue;
            throw named.fail("renewDeadlineMs " + deadline + " is not below leaseTtlMs " + ttl, expected);
        }
        if (ttl - deadline < MIN_SLACK_MS) {
            JsonCursor named = deadlineValue.isPresent() ? deadlineValue : ttlValue;
            throw named.fail("leaseTtlMs " + ttl + " leaves only " + (ttl - deadline) + " ms after renewDeadlineMs "
                    + deadline, "at least " + MIN_SLACK_MS + " ms between them (a fenced runner's sessions must be"
                    + " stopped before its leases expire)");
        }
        if (every >= deadline) {
            JsonCursor named = everyValue.isPresent() ? everyValue : deadlineValue;
            throw named.fail("renewEveryMs " + every + " is not below renewDeadlineMs " + deadline, expected);
        }
        return new ClusterSettings(ttl, every, deadline);
    }
}
