package io.smartrunner.store;

import io.smartrunner.profile.ProfileState;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * The SQL of the PostgreSQL profiles and sessions tables and the mapping between their rows and
 * records. Instants go over the wire as UTC {@link OffsetDateTime}s (timestamptz), cut to the millisecond first so a round trip returns what the SQLite store would.
 */
final class PostgresRows {
    static final String UPSERT_PROFILE = "INSERT INTO profiles (profile_id, pod, error_streak, running,"
            + " needs_recovery, paused, paused_until, last_session_id, last_error, last_started_at,"
            + " last_finished_at, pause_count, paused_at, last_runner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT (profile_id) DO UPDATE SET pod = excluded.pod, error_streak = excluded.error_streak,"
            + " running = excluded.running, needs_recovery = excluded.needs_recovery, paused = excluded.paused,"
            + " paused_until = excluded.paused_until, last_session_id = excluded.last_session_id,"
            + " last_error = excluded.last_error, last_started_at = excluded.last_started_at,"
            + " last_finished_at = excluded.last_finished_at, pause_count = excluded.pause_count,"
            + " paused_at = excluded.paused_at, row_version = profiles.row_version + 1,"
            + " last_runner = CASE WHEN excluded.last_session_id IS DISTINCT FROM profiles.last_session_id"
            + " THEN excluded.last_runner ELSE profiles.last_runner END";

    /** The runner is set when the session is first written and kept: its processes are on that machine. */
    static final String UPSERT_SESSION = "INSERT INTO sessions (session_id, profile_id, pod, pid,"
            + " pid_start_ticks, pgid, started_at, status, ended_at, reason, exit_code, runner_name)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT (session_id) DO UPDATE SET profile_id = excluded.profile_id, pod = excluded.pod,"
            + " pid = excluded.pid, pid_start_ticks = excluded.pid_start_ticks, pgid = excluded.pgid,"
            + " started_at = excluded.started_at, status = excluded.status,"
            + " ended_at = excluded.ended_at, reason = excluded.reason, exit_code = excluded.exit_code";

    /** Deletes profile {@code ?1}'s ended sessions older than its newest {@code ?2 + 1}. */
    static final String PRUNE_SESSIONS = "WITH arg AS (SELECT CAST(? AS TEXT) AS profile_id, CAST(? AS INTEGER) AS skip)"
            + " DELETE FROM sessions s USING arg WHERE s.profile_id = arg.profile_id AND s.status <> 'RUNNING'"
            + " AND s.started_at < (SELECT started_at FROM sessions k WHERE k.profile_id = arg.profile_id"
            + " ORDER BY k.started_at DESC LIMIT 1 OFFSET arg.skip)";

    static final String SELECT_PROFILES = "SELECT profile_id, pod, error_streak, running, needs_recovery,"
            + " paused, paused_until, last_session_id, last_error, last_started_at, last_finished_at,"
            + " pause_count, paused_at FROM profiles ORDER BY profile_id";

    private static final String SESSION_COLUMNS = "SELECT session_id, profile_id, pod, pid, pid_start_ticks,"
            + " pgid, started_at, status, ended_at, reason, exit_code FROM sessions";
    /** This runner's: another runner's open sessions are processes on another machine. */
    static final String SELECT_OPEN_SESSIONS = SESSION_COLUMNS
            + " WHERE status = 'RUNNING' AND runner_name = ? ORDER BY started_at, seq";
    /** Every open session of profiles {@code ?1} (an array), whichever runner wrote it: a new lease holder's to close. */
    static final String SELECT_OPEN_OF_PROFILES = SESSION_COLUMNS
            + " WHERE status = 'RUNNING' AND profile_id = ANY(?) ORDER BY started_at, seq";
    /**
     * The newest start among the sessions runner {@code ?1} wrote. Not their ends: the runner that
     * takes a dead runner's leases closes its rows with its own instant, later than anything the
     * dead runner wrote (the chaos bench: a start written to the log just before a SIGSTOP, whose
     * row never reached the database, then fell before that instant and was never closed).
     */
    static final String SELECT_OWN_NEWEST = "SELECT max(started_at) FROM sessions"
            + " WHERE runner_name = ?";
    /** Of session ids {@code ?1} (an array), those with a row or a terminal event in the fleet's log. */
    static final String SELECT_RECORDED = "SELECT session_id FROM sessions WHERE session_id = ANY(?)"
            + " UNION SELECT session_id FROM events WHERE session_id = ANY(?) AND event IN ('finish', 'error')";
    static final String SELECT_RECENT_SESSIONS = SESSION_COLUMNS
            + " WHERE profile_id = ? ORDER BY started_at DESC, seq DESC LIMIT ?";

    private PostgresRows() {
    }

    /**
     * @param writer the runner writing the row (its {@code runners.name}), or null for a command: it
     *               becomes the row's {@code last_runner} when the row's latest session changes, as
     *               only the runner that started a session writes the row that names it first
     */
    static void bindProfile(PreparedStatement ps, ProfileState p, String writer) throws SQLException {
        ps.setString(1, p.profileId());
        ps.setString(2, p.pod());
        ps.setInt(3, p.errorStreak());
        ps.setBoolean(4, p.running());
        ps.setBoolean(5, p.needsRecovery());
        ps.setBoolean(6, p.paused());
        setInstant(ps, 7, p.pausedUntil());
        ps.setString(8, p.lastSessionId());
        ps.setString(9, p.lastError());
        setInstant(ps, 10, p.lastStartedAt());
        setInstant(ps, 11, p.lastFinishedAt());
        ps.setInt(12, p.pauseCount());
        setInstant(ps, 13, p.pausedAt());
        ps.setString(14, p.lastSessionId() == null ? null : writer);
    }

    static void bindSession(PreparedStatement ps, SessionRecord s, String runnerName) throws SQLException {
        ps.setString(1, s.sessionId());
        ps.setString(2, s.profileId());
        ps.setString(3, s.pod());
        ps.setLong(4, s.pid());
        ps.setLong(5, s.pidStartTicks());
        ps.setLong(6, s.pgid());
        setInstant(ps, 7, s.startedAt());
        ps.setString(8, s.status().name());
        setInstant(ps, 9, s.endedAt());
        ps.setString(10, s.reason());
        if (s.exitCode() == null) {
            ps.setNull(11, Types.INTEGER);
        } else {
            ps.setInt(11, s.exitCode());
        }
        ps.setString(12, runnerName);
    }

    static ProfileState profile(ResultSet rs) throws SQLException {
        return new ProfileState(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getBoolean(4),
                rs.getBoolean(5), rs.getBoolean(6), instant(rs, 7), rs.getString(8), rs.getString(9),
                instant(rs, 10), instant(rs, 11), rs.getInt(12), instant(rs, 13));
    }

    static SessionRecord session(ResultSet rs) throws SQLException {
        int exitCode = rs.getInt(11);
        Integer boxedExit = rs.wasNull() ? null : exitCode;
        return new SessionRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5),
                rs.getLong(6), instant(rs, 7), SessionRecord.Status.valueOf(rs.getString(8)),
                instant(rs, 9), rs.getString(10), boxedExit);
    }

    private static void setInstant(PreparedStatement ps, int index, Instant value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(index, Instant.ofEpochMilli(value.toEpochMilli()).atOffset(ZoneOffset.UTC));
        }
    }

    private static Instant instant(ResultSet rs, int index) throws SQLException {
        OffsetDateTime value = rs.getObject(index, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
