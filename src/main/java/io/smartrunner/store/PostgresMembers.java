package io.smartrunner.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * Cluster membership in the {@code runners} table (docs/cluster.md, "Membership"). Every instant
 * here is the database's {@code now()}; the runner's own clock decides nothing. A join and each
 * heartbeat also bring back the database's clock, which the cluster's members follow for pauses
 * and event times (io.smartrunner.cluster.DatabaseClock).
 *
 * <p>A row is keyed by the runner's process identity ({@code <host>:<data dir>}, see
 * {@link RunnerName}); {@code member_name} is the {@code runner.name} it joined under, unique
 * among rows. Joining takes a name that is free, stopped, or stale (its heartbeat older than the
 * TTL), and refuses one whose holder still heartbeats. Joins of one name are serialised by an
 * advisory lock on the name.
 */
public final class PostgresMembers {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** First key of the advisory lock joins take (the second is the name's hash). */
    private static final int JOIN_LOCK = 0x534D;

    private final DataSource pool;
    private final String where;
    private final String rowName;
    private final PostgresWork db;

    /** @param pool for {@link #list} (any thread); the heartbeat's work goes through {@code own} */
    PostgresMembers(DataSource pool, DirectConnection own, String where, String rowName) {
        this.pool = pool;
        this.where = where;
        this.rowName = rowName;
        this.db = new PostgresWork(own, where);
    }

    /** Who wants to join: its name, labels, and what identifies its process to an operator. */
    public record Joiner(String name, List<String> labels, String host, long pid, int capacity) {
    }

    /** A join's answer: the new incarnation, and the database's clock as it answered (the cluster's clock). */
    public record Joined(long incarnation, Instant databaseNow) {
    }

    /**
     * A heartbeat's answer: whether this incarnation still holds its name, and the database's
     * clock as it answered (read whether it holds it or not).
     */
    public record Beat(boolean held, Instant databaseNow) {
    }

    /**
     * Registers this runner under {@code joiner.name()} with a new incarnation, heartbeat now().
     *
     * @return the new incarnation (unique across the fleet) and the database's clock
     * @throws NameTakenException another runner with this name heartbeat less than {@code ttlMs} ago
     */
    public Joined join(Joiner joiner, long ttlMs) {
        return db.inTransaction(c -> joinIn(c, joiner, ttlMs));
    }

    private Joined joinIn(Connection c, Joiner joiner, long ttlMs) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?, hashtext(?))")) {
            lock.setInt(1, JOIN_LOCK);
            lock.setString(2, joiner.name());
            lock.execute();
        }
        // this row's own earlier incarnation is dead whatever its heartbeat says: it held the data
        // dir lock this process holds now
        try (PreparedStatement holder = c.prepareStatement("SELECT host, pid,"
                + " (EXTRACT(EPOCH FROM (now() - heartbeat_at)) * 1000)::BIGINT, GREATEST(?, COALESCE(lease_ttl_ms, 0))"
                + " FROM runners r WHERE member_name = ? AND name <> ? AND heartbeat_at IS NOT NULL"
                + " AND now() - heartbeat_at < " + PostgresLeases.TTL + " FOR UPDATE")) {
            holder.setLong(1, ttlMs);
            holder.setString(2, joiner.name());
            holder.setString(3, rowName);
            holder.setLong(4, ttlMs);
            try (ResultSet rs = holder.executeQuery()) {
                if (rs.next()) {
                    // the TTL that holds it: its own when longer than this runner's (reviewer R2)
                    throw taken(joiner.name(), rs.getString(1), (Long) rs.getObject(2), rs.getLong(3), rs.getLong(4));
                }
            }
        }
        try (PreparedStatement release = c.prepareStatement(
                "UPDATE runners SET member_name = NULL WHERE member_name = ? AND name <> ?")) {
            release.setString(1, joiner.name());
            release.setString(2, rowName);
            release.executeUpdate();
        }
        try (PreparedStatement join = c.prepareStatement("UPDATE runners SET member_name = ?, labels = ?::jsonb,"
                + " host = ?, pid = ?, capacity = ?, sessions = 0, incarnation = nextval('runner_incarnations'),"
                + " started_at = now(), heartbeat_at = now(), stopped_at = NULL, lease_ttl_ms = ?,"
                + " forgotten_at = NULL WHERE name = ?"
                + " RETURNING incarnation, clock_timestamp()")) {
            join.setString(1, joiner.name());
            join.setString(2, labelsJson(joiner.labels()));
            join.setString(3, joiner.host());
            join.setLong(4, joiner.pid());
            join.setInt(5, joiner.capacity());
            join.setLong(6, ttlMs); // others judge this runner's liveness by it too (V11)
            join.setString(7, rowName);
            long incarnation;
            Instant databaseNow;
            try (ResultSet rs = join.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("runner row " + rowName + " is missing (registered on open)");
                }
                incarnation = rs.getLong(1);
                databaseNow = rs.getObject(2, OffsetDateTime.class).toInstant();
            }
            // the events this run writes are known as this data dir's (PostgresEvents.writtenAfter)
            try (PreparedStatement drawn = c.prepareStatement(
                    "INSERT INTO incarnations (incarnation, runner_row) VALUES (?, ?)")) {
                drawn.setLong(1, incarnation);
                drawn.setString(2, rowName);
                drawn.executeUpdate();
            }
            return new Joined(incarnation, databaseNow);
        }
    }

    private static NameTakenException taken(String name, String host, Long pid, long ageMs, long ttlMs) {
        return new NameTakenException("runner name \"" + name + "\" is taken by a live runner (host " + host
                + (pid == null ? "" : ", pid " + pid) + ", last heartbeat " + seconds(ageMs) + " s ago; a runner"
                + " without a heartbeat for " + seconds(ttlMs) + " s is gone): set another runner.name, or stop that runner");
    }

    private static String seconds(long ms) {
        return String.format(Locale.ROOT, "%.1f", ms / 1000.0);
    }

    /**
     * Sets {@code heartbeat_at = now()} and the figures, if this incarnation still holds the name.
     * Never backwards: a heartbeat this runner gave up on (no answer in time, its statement queued
     * behind a lock) may still run on the server after a later one landed, with its older
     * {@code now()}; written as it was, it made the runner's row look older than its last
     * successful heartbeat, and another runner took its profiles while it still ran them (reviewer
     * R4: 17 s old at once, behind a schema upgrade's lock).
     *
     * @param sessions null keeps the last figure (the engine did not answer in time)
     * @return not held when another runner has taken the name over (this one was stale)
     * @throws StoreException the database cannot be reached or refuses
     */
    public Beat heartbeat(long incarnation, String name, Integer sessions, int capacity) {
        return db.run(c -> {
            // one round trip: the update, and the clock read after it (an UPDATE ... RETURNING gives no row when not held)
            try (PreparedStatement ps = c.prepareStatement("WITH beat AS (UPDATE runners SET heartbeat_at = GREATEST(heartbeat_at, now()),"
                    + " sessions = COALESCE(?, sessions), capacity = ?, forgotten_at = NULL WHERE name = ? AND incarnation = ?"
                    + " AND member_name = ? AND stopped_at IS NULL RETURNING 1)"
                    + " SELECT (SELECT count(*) FROM beat), clock_timestamp()")) {
                if (sessions == null) {
                    ps.setNull(1, Types.INTEGER);
                } else {
                    ps.setInt(1, sessions);
                }
                ps.setInt(2, capacity);
                ps.setString(3, rowName);
                ps.setLong(4, incarnation);
                ps.setString(5, name);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new Beat(rs.getLong(1) == 1, rs.getObject(2, OffsetDateTime.class).toInstant());
                }
            }
        });
    }

    /** A graceful stop: heartbeat NULL and stopped_at now(), so the name is free at once. */
    public void leave(long incarnation) {
        db.run(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE runners SET heartbeat_at = NULL,"
                    + " stopped_at = now(), sessions = 0 WHERE name = ? AND incarnation = ?")) {
                ps.setString(1, rowName);
                ps.setLong(2, incarnation);
                return ps.executeUpdate();
            }
        });
    }

    /** What {@link #forget} did. */
    public enum Forgotten { FORGOTTEN, ALIVE, UNKNOWN }

    /**
     * Stops listing the runner named {@code name} (it left the fleet for good): its row stays, as
     * its sessions and events name it. Refused while it is alive by the database clock (judged with
     * the longer of {@code ttlMs} and its own TTL, as a taker would).
     */
    public Forgotten forget(String name, long ttlMs) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(" + PostgresLeases.LIVE + ", false)"
                    + " FROM runners r WHERE r.member_name = ? AND r.forgotten_at IS NULL FOR UPDATE")) {
                ps.setLong(1, ttlMs);
                ps.setString(2, name);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        c.rollback();
                        return Forgotten.UNKNOWN;
                    }
                    if (rs.getBoolean(1)) {
                        c.rollback();
                        return Forgotten.ALIVE;
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE runners SET forgotten_at = now() WHERE member_name = ? AND forgotten_at IS NULL")) {
                ps.setString(1, name);
                ps.executeUpdate();
            }
            c.commit();
            return Forgotten.FORGOTTEN;
        } catch (SQLException e) {
            throw PostgresErrors.wrap(where, e);
        }
    }

    /** Every runner that has joined under a name, by name; states judged with the database clock. */
    public List<MemberRow> list(long ttlMs) {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT member_name, labels::text, incarnation, host, pid,"
                     + " COALESCE(sessions, 0), COALESCE(capacity, 0), started_at, stopped_at,"
                     + " (EXTRACT(EPOCH FROM (now() - heartbeat_at)) * 1000)::BIGINT, lease_ttl_ms"
                     + " FROM runners WHERE member_name IS NOT NULL AND forgotten_at IS NULL ORDER BY member_name")) {
            List<MemberRow> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Long age = (Long) rs.getObject(10);
                    long ttl = Math.max(ttlMs, rs.getLong(11)); // its own TTL too (V11; 0 when unknown)
                    String state = age == null ? MemberRow.STOPPED : age < ttl ? MemberRow.ALIVE : MemberRow.STALE;
                    out.add(new MemberRow(rs.getString(1), labels(rs.getString(2)), rs.getLong(3), rs.getString(4),
                            (Long) rs.getObject(5), state, age, rs.getInt(6), rs.getInt(7),
                            instant(rs.getTimestamp(8)), instant(rs.getTimestamp(9)), (Long) rs.getObject(11)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw PostgresErrors.wrap(where, e);
        }
    }

    /**
     * Writes what of its config this runner runs its profiles by (schema 13), at join and at each
     * applied reload, for the others to compare with theirs.
     */
    public void publishConfig(String digest, String json) {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "UPDATE runners SET fleet_config = ?, fleet_config_digest = ? WHERE name = ?")) {
            PostgresStateStore.answersWithin(c, PostgresWork.ANSWER_WITHIN_MS);
            ps.setString(1, json);
            ps.setString(2, digest);
            ps.setString(3, rowName);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw PostgresErrors.wrap(where, e);
        }
    }

    /**
     * A live member's published config's digest (null: a runner of a release before schema 13
     * published none) and its own lease TTL (null: a release before schema 11, which judges every
     * runner by its own TTL); and how long ago it joined, by the database clock.
     */
    public record PublishedDigest(String name, String digest, Long leaseTtlMs, long joinedAgoMs) {
    }

    /** The live members' config digests, by name (cheap: no config is read). */
    public List<PublishedDigest> liveConfigDigests(long ttlMs) {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT member_name, fleet_config_digest, lease_ttl_ms,"
                     + " COALESCE((EXTRACT(EPOCH FROM (now() - started_at)) * 1000)::BIGINT, 0) FROM runners r"
                     + " WHERE member_name IS NOT NULL AND forgotten_at IS NULL AND " + PostgresLeases.LIVE
                     + " ORDER BY member_name")) {
            PostgresStateStore.answersWithin(c, PostgresWork.ANSWER_WITHIN_MS);
            ps.setLong(1, ttlMs);
            List<PublishedDigest> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new PublishedDigest(rs.getString(1), rs.getString(2), (Long) rs.getObject(3),
                            rs.getLong(4)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw PostgresErrors.wrap(where, e);
        }
    }

    /** The config published with {@code digest} (any runner's), or null when none has it any more. */
    public String publishedConfig(String digest) {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT fleet_config FROM runners WHERE fleet_config_digest = ? LIMIT 1")) {
            PostgresStateStore.answersWithin(c, PostgresWork.ANSWER_WITHIN_MS);
            ps.setString(1, digest);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw PostgresErrors.wrap(where, e);
        }
    }

    /** Where the database is, for messages ({@code PostgreSQL at host:port}). */
    public String where() {
        return where;
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static String labelsJson(List<String> labels) {
        try {
            return JSON.writeValueAsString(labels);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> labels(String json) {
        try {
            return JSON.readValue(json, new TypeReference<List<String>>() { });
        } catch (JsonProcessingException e) {
            return List.of();
        }
    }
}
