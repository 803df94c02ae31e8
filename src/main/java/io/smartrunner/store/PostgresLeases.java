package io.smartrunner.store;

import io.smartrunner.profile.ProfileState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Profile leases in the {@code leases} table (docs/cluster-leases.md). A lease names the runner
 * incarnation holding it; it is live while that incarnation's {@code runners} row has a heartbeat
 * younger than the TTL and no {@code stopped_at}, so one heartbeat renews all of a runner's leases.
 * {@code epoch} is +1 on every acquisition: the fencing token every write about the profile
 * carries. Every judgment uses the database clock ({@code now()}).
 *
 * <p>Acquisition takes lease rows {@code FOR UPDATE SKIP LOCKED} (runners never queue on each
 * other's rows), then locks the previous holders' {@code runners} rows {@code FOR SHARE} and
 * re-checks them: a heartbeat that lands meanwhile either waits for this transaction (and then
 * the old holder sees the new holder) or is seen here (and the lease is not taken).
 * <p>Over 250 lines because acquisition is one transaction of four statements; what a taker reads
 * about the profiles lives in {@link TakeoverRows}.
 */
public final class PostgresLeases {
    /**
     * Epochs of a profile kept in {@code lease_epochs} (each acquisition adds one): enough for the
     * late events of a holder a few takeovers ago (a queue sent after a database outage), without a
     * table that grows by a row per acquisition for ever. A holder cut off this many acquisitions
     * ago has its late events refused, as fencing refuses any stranger's.
     */
    static final int EPOCHS_KEPT = 16;

    /**
     * How long runners row {@code r} stays live after its heartbeat (one parameter: the asker's TTL
     * in ms): the longer of the asker's TTL and the runner's own (V11), so a runner with a longer TTL,
     * and the renew deadline its config keeps under it, has fenced itself before anyone with a
     * shorter one takes its profiles.
     */
    static final String TTL = "GREATEST(?, COALESCE(r.lease_ttl_ms, 0)) * INTERVAL '1 millisecond'";

    /** Whether runners row {@code r} is alive (one parameter: the asker's TTL in ms); shared with {@link PostgresPodSlots}. */
    static final String LIVE = "r.stopped_at IS NULL AND r.heartbeat_at > now() - " + TTL;

    private final DirectConnection own;
    private final String where;
    private final PostgresWork db;
    private final String rowName;

    PostgresLeases(DirectConnection own, String where, String rowName) {
        this.own = own;
        this.db = new PostgresWork(own, where);
        this.where = where;
        this.rowName = rowName;
    }

    /**
     * A lease just acquired: the epoch now held, the incarnation that held it before (null: free
     * or never held; else it stopped renewing it), that holder's row name and its runner.name
     * ({@code previousRunner}, the row name when its row is gone), the profile's row as the
     * database has it (null: none yet) and the sessions still RUNNING there.
     */
    public record Acquired(String profileId, long epoch, Long previousIncarnation, String previousHolder,
                           String previousRunner, ProfileState row, List<TakeoverRows.OpenSession> openSessions) {
    }

    /**
     * How many profiles this runner should hold: its capacity's share of the live runners'; and
     * {@code nextExpiryMs}, how long until the first other live runner's heartbeat is older than
     * the TTL (its leases become free then), or -1 when no other runner is live.
     */
    public record Fleet(int liveRunners, long liveCapacity, long myCapacity, int heldByMe, long nextExpiryMs) {
        /** ceil(profiles × my capacity ÷ live capacity); all of them when this runner is alone. */
        public int share(int profiles) {
            return share(profiles, myCapacity, liveCapacity);
        }

        /** ceil(profiles × capacity ÷ live capacity), of a runner of {@code capacity}. */
        static int share(int profiles, long capacity, long liveCapacity) {
            if (liveCapacity <= 0 || capacity <= 0) {
                return profiles;
            }
            return (int) Math.min(profiles, (profiles * capacity + liveCapacity - 1) / liveCapacity);
        }
    }

    /** Creates the lease rows of these profiles that do not exist yet (free, epoch 0). */
    public void ensure(Collection<String> profileIds) {
        db.run(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO leases (profile_id)"
                    + " SELECT unnest(?::text[]) ON CONFLICT (profile_id) DO NOTHING")) {
                ps.setArray(1, c.createArrayOf("text", profileIds.toArray()));
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** The live runners' capacity and this incarnation's held count, by the database clock. */
    public Fleet fleet(long incarnation, long ttlMs) {
        return db.run(c -> {
            // the live capacity counted is that of the runners with this runner's list of profiles
            // (the same fingerprint): a runner with another list may never take these profiles
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*), COALESCE(sum(GREATEST(capacity, 1))"
                    + " FILTER (WHERE r.profile_set IS NOT DISTINCT FROM (SELECT profile_set FROM runners"
                    + " WHERE incarnation = ?)), 0),"
                    + " COALESCE(sum(GREATEST(capacity, 1)) FILTER (WHERE r.incarnation = ?), 0),"
                    + " (SELECT count(*) FROM leases WHERE holder_incarnation = ?),"
                    + " COALESCE(ceil(1000 * extract(epoch FROM min(r.heartbeat_at + " + TTL + ")"
                    + " FILTER (WHERE r.incarnation <> ?) - now())), -1)"
                    + " FROM runners r WHERE r.member_name IS NOT NULL AND " + LIVE)) {
                ps.setLong(1, incarnation);
                ps.setLong(2, incarnation);
                ps.setLong(3, incarnation);
                ps.setLong(4, ttlMs);
                ps.setLong(5, incarnation);
                ps.setLong(6, ttlMs);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new Fleet(rs.getInt(1), rs.getLong(2), rs.getLong(3), rs.getInt(4),
                            Math.max(-1, rs.getLong(5)));
                }
            }
        });
    }

    /**
     * Whether a live runner with this runner's list of profiles holds fewer leases than its share
     * ({@link Fleet#share}) of {@code profiles}: one that joined a busy fleet, waiting for leases
     * the others hold. Asked only by a runner above its share.
     */
    public boolean peerBelowShare(long incarnation, long ttlMs, int profiles, long liveCapacity) {
        return db.run(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT GREATEST(r.capacity, 1),"
                    + " (SELECT count(*) FROM leases l WHERE l.holder_incarnation = r.incarnation)"
                    + " FROM runners r WHERE r.member_name IS NOT NULL AND r.incarnation <> ?"
                    + " AND r.profile_set IS NOT DISTINCT FROM (SELECT profile_set FROM runners WHERE incarnation = ?)"
                    + " AND " + LIVE)) {
                ps.setLong(1, incarnation);
                ps.setLong(2, incarnation);
                ps.setLong(3, ttlMs);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (rs.getInt(2) < Fleet.share(profiles, rs.getLong(1), liveCapacity)) {
                            return true;
                        }
                    }
                    return false;
                }
            }
        });
    }

    /** Writes this runner's {@link io.smartrunner.cluster.Placement#fingerprint} of its configured profiles on its row. */
    public void publishProfileSet(long incarnation, String profileSet) {
        db.run(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE runners SET profile_set = ? WHERE incarnation = ?")) {
                ps.setString(1, profileSet);
                ps.setLong(2, incarnation);
                return ps.executeUpdate();
            }
        });
    }

    /** The leases this incarnation holds in the database, with their epochs. */
    public Map<String, Long> heldBy(long incarnation) {
        return db.run(c -> {
            Map<String, Long> out = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT profile_id, epoch FROM leases WHERE holder_incarnation = ?")) {
                ps.setLong(1, incarnation);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
            return out;
        });
    }

    /**
     * Takes up to {@code limit} of {@code candidates} whose lease is free or whose holder is not
     * live, preferring the ones this machine held last (browser data stays where it is). Nothing
     * when this incarnation is not live itself.
     */
    public List<Acquired> acquire(long incarnation, Collection<String> candidates, int limit, long ttlMs) {
        if (limit <= 0 || candidates.isEmpty()) {
            return List.of();
        }
        return db.inTransaction(c -> {
            Map<String, Long> previous = new LinkedHashMap<>();
            Map<String, String> holders = new HashMap<>();
            Map<String, String> runners = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT l.profile_id, l.holder_incarnation, l.holder,"
                    + " (SELECT m.member_name FROM runners m WHERE m.name = l.holder)"
                    + " FROM leases l WHERE l.profile_id = ANY(?) AND l.holder_incarnation IS DISTINCT FROM ?"
                    + " AND NOT EXISTS (SELECT 1 FROM runners r WHERE r.incarnation = l.holder_incarnation AND " + LIVE + ")"
                    + " ORDER BY (l.holder = ?) DESC NULLS LAST, l.profile_id LIMIT ? FOR UPDATE OF l SKIP LOCKED")) {
                ps.setArray(1, c.createArrayOf("text", candidates.toArray()));
                ps.setLong(2, incarnation);
                ps.setLong(3, ttlMs);
                ps.setString(4, rowName);
                ps.setInt(5, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        previous.put(rs.getString(1), (Long) rs.getObject(2));
                        holders.put(rs.getString(1), rs.getString(3));
                        runners.put(rs.getString(1), rs.getString(4) != null ? rs.getString(4) : rs.getString(3));
                    }
                }
            }
            if (previous.isEmpty()) {
                return List.<Acquired>of();
            }
            Set<Long> check = new HashSet<>();
            previous.values().stream().filter(v -> v != null).forEach(check::add);
            check.add(incarnation);
            Set<Long> live = liveLocked(c, check, ttlMs);
            if (!live.contains(incarnation)) {
                return List.<Acquired>of(); // this runner is not live itself: it takes nothing
            }
            previous.values().removeIf(live::contains); // a heartbeat landed meanwhile: still held
            List<String> ids = new ArrayList<>(previous.keySet());
            if (ids.isEmpty()) {
                return List.<Acquired>of();
            }
            Map<String, Long> epochs = bump(c, ids, incarnation);
            Map<String, ProfileState> rows = TakeoverRows.profiles(c, ids);
            Map<String, List<TakeoverRows.OpenSession>> open = TakeoverRows.openSessions(c, ids);
            List<Acquired> out = new ArrayList<>();
            for (String id : ids) {
                out.add(new Acquired(id, epochs.get(id), previous.get(id), holders.get(id), runners.get(id),
                        rows.get(id), open.getOrDefault(id, List.of())));
            }
            return out;
        });
    }

    static Set<Long> liveLocked(Connection c, Set<Long> incarnations, long ttlMs) throws SQLException {
        Set<Long> live = new HashSet<>();
        // FOR SHARE reads the newest version of each row (waiting for a heartbeat in flight) and holds
        // off heartbeats until this transaction ends
        try (PreparedStatement ps = c.prepareStatement("SELECT r.incarnation FROM runners r"
                + " WHERE r.incarnation = ANY(?) AND " + LIVE + " FOR SHARE")) {
            ps.setArray(1, c.createArrayOf("bigint", incarnations.toArray()));
            ps.setLong(2, ttlMs);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    live.add(rs.getLong(1));
                }
            }
        }
        return live;
    }

    private Map<String, Long> bump(Connection c, List<String> ids, long incarnation) throws SQLException {
        Map<String, Long> epochs = new HashMap<>();
        // each epoch granted is recorded with its holder: the fleet's events are fenced by that history
        try (PreparedStatement ps = c.prepareStatement("WITH bumped AS (UPDATE leases SET holder = ?,"
                + " holder_incarnation = ?, epoch = epoch + 1, acquired_at = now(), expires_at = NULL"
                + " WHERE profile_id = ANY(?) RETURNING profile_id, epoch, holder_incarnation)"
                + " INSERT INTO lease_epochs (profile_id, epoch, holder_incarnation)"
                + " SELECT profile_id, epoch, holder_incarnation FROM bumped RETURNING profile_id, epoch")) {
            ps.setString(1, rowName);
            ps.setLong(2, incarnation);
            ps.setArray(3, c.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    epochs.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM lease_epochs e USING leases l"
                + " WHERE l.profile_id = ANY(?) AND e.profile_id = l.profile_id AND e.epoch <= l.epoch - ?")) {
            ps.setArray(1, c.createArrayOf("text", ids.toArray()));
            ps.setLong(2, EPOCHS_KEPT);
            ps.executeUpdate();
        }
        return epochs;
    }

    /** Frees these leases if this incarnation holds them (the epoch stays: the next holder bumps it). */
    public int release(long incarnation, Collection<String> profileIds) {
        if (profileIds.isEmpty()) {
            return 0;
        }
        return db.run(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE leases SET holder = NULL, holder_incarnation = NULL,"
                    + " acquired_at = NULL WHERE profile_id = ANY(?) AND holder_incarnation = ?")) {
                ps.setArray(1, c.createArrayOf("text", profileIds.toArray()));
                ps.setLong(2, incarnation);
                return ps.executeUpdate();
            }
        });
    }

    /** A graceful stop: frees every lease of this incarnation at once. */
    public int releaseAll(long incarnation) {
        return db.run(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE leases SET holder = NULL, holder_incarnation = NULL,"
                    + " acquired_at = NULL WHERE holder_incarnation = ?")) {
                ps.setLong(1, incarnation);
                return ps.executeUpdate();
            }
        });
    }

    /** The pod slots (a pod's concurrency across the fleet) in the same database. */
    public PostgresPodSlots podSlots() {
        return new PostgresPodSlots(own, where);
    }

    /** Where the database is, for messages. */
    public String where() {
        return where;
    }
}
