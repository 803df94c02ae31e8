package io.smartrunner.store;

import io.smartrunner.profile.ProfileState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Every profile of the fleet with the runner it is on (issue #11.6): the member name of the
 * runner holding its lease while the lease is live, else of the runner of its latest session,
 * else null (never run). Thread-safe.
 */
public final class PostgresFleetProfiles {
    /**
     * The lease's holder only while it is live (its incarnation's heartbeat younger than the TTL, the
     * one parameter; {@link PostgresLeases#LIVE}), else the runner of the latest session (the row
     * keeps its name: one join with the small runners table, not a look-up per profile in sessions).
     */
    private static final String SELECT = "SELECT p.profile_id, p.pod, p.error_streak, p.running, p.needs_recovery,"
            + " p.paused, p.paused_until, p.last_session_id, p.last_error, p.last_started_at, p.last_finished_at,"
            + " p.pause_count, p.paused_at,"
            + " COALESCE(r.member_name, r.name, sr.member_name, sr.name, p.last_runner) AS runner,"
            + " r.incarnation IS NOT NULL AS held"
            + " FROM profiles p"
            + " LEFT JOIN leases l ON l.profile_id = p.profile_id"
            + " LEFT JOIN runners r ON r.incarnation = l.holder_incarnation AND " + PostgresLeases.LIVE
            + " LEFT JOIN runners sr ON sr.name = p.last_runner";

    private final DataSource pool;
    private final String where;
    private final long ttlMs;

    /** @param ttlMs the lease TTL: a holder whose heartbeat is older is not the profile's runner */
    PostgresFleetProfiles(DataSource pool, String where, long ttlMs) {
        this.pool = pool;
        this.where = where;
        this.ttlMs = ttlMs;
    }

    /**
     * A profile's state and its runner's name (null when none is known); {@code held}: a live
     * runner holds its lease now (else {@code runner} is only the last one to have run it).
     */
    public record FleetProfile(ProfileState state, String runner, boolean held) {
        public FleetProfile(ProfileState state, String runner) {
            this(state, runner, runner != null);
        }
    }

    /** Every profile, by id. */
    public List<FleetProfile> all() {
        return read(SELECT + " ORDER BY p.profile_id", null);
    }

    /** One profile, or null. */
    public FleetProfile one(String profileId) {
        List<FleetProfile> found = read(SELECT + " WHERE p.profile_id = ?", profileId);
        return found.isEmpty() ? null : found.get(0);
    }

    /** The profiles of {@code profileIds} that have a row, by id (one query). */
    public java.util.Map<String, FleetProfile> some(java.util.Collection<String> profileIds) {
        java.util.Map<String, FleetProfile> out = new java.util.HashMap<>();
        for (FleetProfile p : read(SELECT + " WHERE p.profile_id = ANY(?)", profileIds.toArray(String[]::new))) {
            out.put(p.state().profileId(), p);
        }
        return out;
    }

    /** @param param the query's parameter after the TTL (a profile id, or an array of them), or null */
    private List<FleetProfile> read(String sql, Object param) {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, ttlMs);
            if (param instanceof String id) {
                ps.setString(2, id);
            } else if (param instanceof String[] ids) {
                ps.setArray(2, c.createArrayOf("text", ids));
            }
            try (ResultSet rs = ps.executeQuery()) {
                List<FleetProfile> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new FleetProfile(PostgresRows.profile(rs), rs.getString(14), rs.getBoolean(15)));
                }
                return out;
            }
        } catch (SQLException e) {
            throw PostgresErrors.wrap(where, e);
        }
    }
}
