package io.smartrunner.store;

import io.smartrunner.profile.ProfileState;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;

/** The SQL of the profiles and sessions tables and the mapping between their rows and records. */
final class SqliteRows {
    static final String UPSERT_PROFILE = "INSERT INTO profiles (profile_id, pod, error_streak, running,"
            + " needs_recovery, paused, paused_until_ms, last_session_id, last_error, last_started_at_ms,"
            + " last_finished_at_ms, pause_count, paused_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT (profile_id) DO UPDATE SET pod = excluded.pod, error_streak = excluded.error_streak,"
            + " running = excluded.running, needs_recovery = excluded.needs_recovery, paused = excluded.paused,"
            + " paused_until_ms = excluded.paused_until_ms, last_session_id = excluded.last_session_id,"
            + " last_error = excluded.last_error, last_started_at_ms = excluded.last_started_at_ms,"
            + " last_finished_at_ms = excluded.last_finished_at_ms, pause_count = excluded.pause_count,"
            + " paused_at_ms = excluded.paused_at_ms,"
            + " row_version = profiles.row_version + 1";

    static final String UPSERT_SESSION = "INSERT INTO sessions (session_id, profile_id, pod, pid,"
            + " pid_start_ticks, pgid, started_at_ms, status, ended_at_ms, reason, exit_code)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT (profile_id, started_at_ms, session_id) DO UPDATE SET pod = excluded.pod,"
            + " pid = excluded.pid, pid_start_ticks = excluded.pid_start_ticks, pgid = excluded.pgid,"
            + " status = excluded.status,"
            + " ended_at_ms = excluded.ended_at_ms, reason = excluded.reason, exit_code = excluded.exit_code";

    /**
     * A session row already written, brought up to date: found by its key (profile_id and
     * started_at_ms never change for a session id; a missing row is left to {@link #UPSERT_SESSION}),
     * without the upsert's attempted insert. Bound like the upsert.
     */
    static final String UPDATE_SESSION = "UPDATE sessions SET pod = ?3, pid = ?4, pid_start_ticks = ?5, pgid = ?6,"
            + " status = ?8, ended_at_ms = ?9, reason = ?10, exit_code = ?11"
            + " WHERE session_id = ?1 AND profile_id = ?2 AND started_at_ms = ?7";

    /** Deletes a profile's ended sessions older than its newest {@code ?2}. */
    static final String PRUNE_SESSIONS = "DELETE FROM sessions WHERE profile_id = ?1 AND status <> 'RUNNING'"
            + " AND started_at_ms < (SELECT started_at_ms FROM sessions WHERE profile_id = ?1"
            + " ORDER BY started_at_ms DESC LIMIT 1 OFFSET ?2)";

    static final String SELECT_PROFILES = "SELECT profile_id, pod, error_streak, running, needs_recovery,"
            + " paused, paused_until_ms, last_session_id, last_error, last_started_at_ms, last_finished_at_ms,"
            + " pause_count, paused_at_ms FROM profiles ORDER BY profile_id";

    private static final String SESSION_COLUMNS = "SELECT session_id, profile_id, pod, pid, pid_start_ticks,"
            + " pgid, started_at_ms, status, ended_at_ms, reason, exit_code FROM sessions";
    static final String SELECT_OPEN_SESSIONS = SESSION_COLUMNS
            + " WHERE status = 'RUNNING' ORDER BY started_at_ms, session_id";
    static final String SELECT_RECENT_SESSIONS = SESSION_COLUMNS
            + " WHERE profile_id = ? ORDER BY started_at_ms DESC, session_id DESC LIMIT ?";

    private SqliteRows() {
    }

    static void bindProfile(PreparedStatement ps, ProfileState p) throws SQLException {
        ps.setString(1, p.profileId());
        ps.setString(2, p.pod());
        ps.setInt(3, p.errorStreak());
        ps.setInt(4, p.running() ? 1 : 0);
        ps.setInt(5, p.needsRecovery() ? 1 : 0);
        ps.setInt(6, p.paused() ? 1 : 0);
        setInstant(ps, 7, p.pausedUntil());
        ps.setString(8, p.lastSessionId());
        ps.setString(9, p.lastError());
        setInstant(ps, 10, p.lastStartedAt());
        setInstant(ps, 11, p.lastFinishedAt());
        ps.setInt(12, p.pauseCount());
        setInstant(ps, 13, p.pausedAt());
    }

    static void bindSession(PreparedStatement ps, SessionRecord s) throws SQLException {
        ps.setString(1, s.sessionId());
        ps.setString(2, s.profileId());
        ps.setString(3, s.pod());
        ps.setLong(4, s.pid());
        ps.setLong(5, s.pidStartTicks());
        ps.setLong(6, s.pgid());
        ps.setLong(7, s.startedAt().toEpochMilli());
        ps.setString(8, s.status().name());
        setInstant(ps, 9, s.endedAt());
        ps.setString(10, s.reason());
        if (s.exitCode() == null) {
            ps.setNull(11, Types.INTEGER);
        } else {
            ps.setInt(11, s.exitCode());
        }
    }

    static ProfileState profile(ResultSet rs) throws SQLException {
        return new ProfileState(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getInt(4) != 0,
                rs.getInt(5) != 0, rs.getInt(6) != 0, instant(rs, 7), rs.getString(8), rs.getString(9),
                instant(rs, 10), instant(rs, 11), rs.getInt(12), instant(rs, 13));
    }

    static SessionRecord session(ResultSet rs) throws SQLException {
        int exitCode = rs.getInt(11);
        Integer boxedExit = rs.wasNull() ? null : exitCode;
        return new SessionRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5),
                rs.getLong(6), Instant.ofEpochMilli(rs.getLong(7)), SessionRecord.Status.valueOf(rs.getString(8)),
                instant(rs, 9), rs.getString(10), boxedExit);
    }

    private static void setInstant(PreparedStatement ps, int index, Instant value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.INTEGER);
        } else {
            ps.setLong(index, value.toEpochMilli());
        }
    }

    private static Instant instant(ResultSet rs, int index) throws SQLException {
        long ms = rs.getLong(index);
        return rs.wasNull() ? null : Instant.ofEpochMilli(ms);
    }
}
