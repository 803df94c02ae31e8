package io.smartrunner.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Manual controls relayed through the {@code controls} table (issue #11.6): a runner asked to
 * pause, unpause, reset or run a profile it does not hold records the request here and notifies
 * {@link #CHANNEL}; the runner holding the profile claims it, applies it through its own manual
 * control path and writes the result. A claim is one conditional update, so a control is applied
 * once even if two runners see it. Thread-safe.
 */
public final class PostgresControls {
    /** NOTIFY channel; the payload is the new control's seq. */
    public static final String CHANNEL = "sr_controls";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A statement that waits longer (a lock held on the table) fails and is said, rather than hang its thread. */
    static final int QUERY_TIMEOUT_SECONDS = 10;

    private final DataSource pool;
    private final String where;
    private final int queryTimeoutSeconds;

    PostgresControls(DataSource pool, String where) {
        this(pool, where, QUERY_TIMEOUT_SECONDS);
    }

    PostgresControls(DataSource pool, String where, int queryTimeoutSeconds) {
        this.pool = pool;
        this.where = where;
        this.queryTimeoutSeconds = queryTimeoutSeconds;
    }

    private PreparedStatement prepare(Connection c, String sql) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        try {
            ps.setQueryTimeout(queryTimeoutSeconds);
            return ps;
        } catch (SQLException e) {
            ps.close();
            throw e;
        }
    }

    /** How many pending controls one read lists at most; a pass reads page after page. */
    public static final int PAGE = 1000;

    /**
     * A control not applied yet. {@code requestedBy}: who asked and through which runner ("api@beta").
     * {@code unreadable}: why its args cannot be used (not a JSON object: a row written by hand), else
     * null and {@code args} holds them.
     */
    public record Control(long seq, String profileId, String action, Map<String, Object> args, String requestedBy,
                          String unreadable) {
    }

    /** How a control ended: the runner that applied it and its result ("done", or why not). */
    public record Applied(String appliedBy, String result) {
    }

    /** Records a control and notifies the fleet; returns its seq. */
    public long request(String profileId, String action, Map<String, Object> args, String requestedBy) {
        return requestAll(List.of(new Asked(profileId, action, args, requestedBy))).get(profileId);
    }

    /** A control to record: {@link #request}'s arguments. */
    public record Asked(String profileId, String action, Map<String, Object> args, String requestedBy) {
    }

    /**
     * {@link #request} for several controls, at most one per profile, in one transaction with one
     * notification (a pod's controls relayed together); returns each one's seq by profile id.
     */
    public Map<String, Long> requestAll(List<Asked> asked) {
        Map<String, Long> seqs = new LinkedHashMap<>();
        if (asked.isEmpty()) {
            return seqs;
        }
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = prepare(c, "INSERT INTO controls (profile_id, action, args, requested_by)"
                    + " SELECT p, a, CAST(j AS JSONB), r FROM unnest(?, ?, ?, ?) AS t(p, a, j, r)"
                    + " RETURNING seq, profile_id")) {
                int n = asked.size();
                String[] ids = new String[n];
                String[] actions = new String[n];
                String[] args = new String[n];
                String[] by = new String[n];
                for (int i = 0; i < n; i++) {
                    Asked a = asked.get(i);
                    ids[i] = a.profileId();
                    actions[i] = a.action();
                    args[i] = JSON.writeValueAsString(a.args());
                    by[i] = a.requestedBy();
                }
                ps.setArray(1, c.createArrayOf("text", ids));
                ps.setArray(2, c.createArrayOf("text", actions));
                ps.setArray(3, c.createArrayOf("text", args));
                ps.setArray(4, c.createArrayOf("text", by));
                long last = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        seqs.put(rs.getString(2), rs.getLong(1));
                        last = Math.max(last, rs.getLong(1));
                    }
                }
                try (PreparedStatement notify = prepare(c, "SELECT pg_notify('" + CHANNEL + "', ?)")) {
                    notify.setString(1, String.valueOf(last));
                    notify.execute();
                }
                c.commit();
                return seqs;
            } catch (SQLException | JsonProcessingException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("control args are not JSON: " + e.getMessage(), e);
        } catch (SQLException e) {
            throw PostgresErrors.wrap(where, e);
        }
    }

    /**
     * Controls nobody has claimed yet after {@code afterSeq}, oldest first, at most {@link #PAGE}.
     * Paged by seq so that controls no runner claims (a profile configured nowhere any more) never
     * hide the ones after them. A row whose args are not a JSON object is listed as unreadable, not
     * thrown: one bad row must not stop every control behind it.
     */
    public List<Control> pending(long afterSeq) {
        try (Connection c = pool.getConnection(); PreparedStatement ps = prepare(c,
                "SELECT seq, profile_id, action, args::text, requested_by FROM controls"
                        + " WHERE applied_at IS NULL AND seq > ? ORDER BY seq LIMIT " + PAGE)) {
            ps.setLong(1, afterSeq);
            try (ResultSet rs = ps.executeQuery()) {
                List<Control> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(controlOf(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5)));
                }
                return out;
            }
        } catch (SQLException e) {
            throw PostgresErrors.wrap(where, e);
        }
    }

    private static Control controlOf(long seq, String profileId, String action, String args, String requestedBy) {
        try {
            Map<String, Object> parsed = JSON.readValue(args, new TypeReference<LinkedHashMap<String, Object>>() { });
            if (parsed != null) {
                return new Control(seq, profileId, action, parsed, requestedBy, null);
            }
        } catch (JsonProcessingException e) {
            // falls through: said below, with the text
        }
        return new Control(seq, profileId, action, Map.of(), requestedBy,
                "its args are not a JSON object: " + (args.length() > 80 ? args.substring(0, 80) + "…" : args));
    }

    /** A control {@link #expire} answered: what it asked, of whom, by whom, and the answer written. */
    public record Expired(long seq, String profileId, String action, String requestedBy, String result) {
    }

    /**
     * Answers every control still pending {@code olderThan} after it was asked (by the database's
     * clock, the same for every runner) with {@code expired: …}, claimed by {@code runner}: a
     * control is queued only for a profile a runner holds, and is read within seconds by it or by
     * whoever takes it over, so one this old asks of a profile configured nowhere any more. Left
     * pending it would wait for a holder that never comes and, were the profile configured again
     * months later, pause or run it then.
     */
    public List<Expired> expire(Duration olderThan, String runner) { // whole hours: the answer says "24 h"
        try (Connection c = pool.getConnection(); PreparedStatement ps = prepare(c,
                "UPDATE controls SET applied_by = ?, applied_at = now(),"
                        + " result = 'expired: no runner held ' || profile_id || ' within ' || ? || ' of the request'"
                        + " WHERE applied_at IS NULL AND requested_at < now() - make_interval(secs => ?)"
                        + " RETURNING seq, profile_id, action, requested_by, result")) {
            ps.setString(1, runner);
            ps.setString(2, olderThan.toHours() + " h");
            ps.setDouble(3, olderThan.toMillis() / 1000.0);
            try (ResultSet rs = ps.executeQuery()) {
                List<Expired> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new Expired(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5)));
                }
                out.sort(Comparator.comparingLong(Expired::seq));
                return out;
            }
        } catch (SQLException e) {
            throw PostgresErrors.wrap(where, e);
        }
    }

    /** Takes the control for {@code runner}: true for exactly one caller. */
    public boolean claim(long seq, String runner) {
        return update("UPDATE controls SET applied_by = ?, applied_at = now() WHERE seq = ? AND applied_at IS NULL",
                runner, seq) == 1;
    }

    /**
     * {@link #claim} for several controls in one statement: the seqs this caller took (each control
     * goes to exactly one caller).
     */
    public java.util.Set<Long> claimAll(java.util.Collection<Long> seqs, String runner) {
        java.util.Set<Long> out = new java.util.HashSet<>();
        if (seqs.isEmpty()) {
            return out;
        }
        try (Connection c = pool.getConnection(); PreparedStatement ps = prepare(c, "UPDATE controls SET applied_by = ?,"
                + " applied_at = now() WHERE seq = ANY(?) AND applied_at IS NULL RETURNING seq")) {
            ps.setString(1, runner);
            ps.setArray(2, c.createArrayOf("bigint", seqs.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
            return out;
        } catch (SQLException e) {
            throw PostgresErrors.wrap(where, e);
        }
    }

    /** Writes the result of a claimed control. */
    public void finish(long seq, String result) {
        update("UPDATE controls SET result = ? WHERE seq = ?", result, seq);
    }

    /** The controls of {@code seqs} whose result is written (how each ended), by seq: one query. */
    public Map<Long, Applied> applied(java.util.Collection<Long> seqs) {
        Map<Long, Applied> out = new java.util.HashMap<>();
        if (seqs.isEmpty()) {
            return out;
        }
        try (Connection c = pool.getConnection(); PreparedStatement ps = prepare(c,
                "SELECT seq, applied_by, result FROM controls WHERE seq = ANY(?) AND result IS NOT NULL")) {
            ps.setArray(1, c.createArrayOf("bigint", seqs.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getLong(1), new Applied(rs.getString(2), rs.getString(3)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw PostgresErrors.wrap(where, e);
        }
    }

    private int update(String sql, Object first, long seq) {
        try (Connection c = pool.getConnection(); PreparedStatement ps = prepare(c, sql)) {
            ps.setObject(1, first);
            ps.setLong(2, seq);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw PostgresErrors.wrap(where, e);
        }
    }
}
