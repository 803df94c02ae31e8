package io.smartrunner.store;

import io.smartrunner.profile.ProfileState;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a runner taking leases over reads in the acquiring transaction: the profiles' rows and the
 * sessions their previous holders left RUNNING, each with its terminal event if the fleet's
 * {@code events} table already has one (so no second one is written).
 */
public final class TakeoverRows {
    private static final String TERMINAL_KINDS = "('finish', 'error')";

    private TakeoverRows() {
    }

    /** A session the previous holder left RUNNING, and its terminal event if one is already in {@code events}. */
    public record OpenSession(SessionRecord row, String endedAs, String endReason) {
    }

    static Map<String, ProfileState> profiles(Connection c, List<String> ids) throws SQLException {
        Map<String, ProfileState> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(PostgresRows.SELECT_PROFILES.replace(" ORDER BY profile_id",
                " WHERE profile_id = ANY(?)"))) {
            ps.setArray(1, c.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ProfileState p = PostgresRows.profile(rs);
                    out.put(p.profileId(), p);
                }
            }
        }
        return out;
    }

    /** The sessions still RUNNING, each with its terminal event if the fleet's event table already has one. */
    static Map<String, List<OpenSession>> openSessions(Connection c, List<String> ids) throws SQLException {
        List<SessionRecord> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(PostgresRows.SELECT_OPEN_OF_PROFILES)) {
            ps.setArray(1, c.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(PostgresRows.session(rs));
                }
            }
        }
        Map<String, String[]> ended = new HashMap<>();
        if (!rows.isEmpty()) {
            Array sessionIds = c.createArrayOf("text", rows.stream().map(SessionRecord::sessionId).toArray());
            try (PreparedStatement ps = c.prepareStatement("SELECT session_id, event, params->>'reason' FROM events"
                    + " WHERE session_id = ANY(?) AND event IN " + TERMINAL_KINDS)) {
                ps.setArray(1, sessionIds);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ended.put(rs.getString(1), new String[] {rs.getString(2), rs.getString(3)});
                    }
                }
            }
        }
        Map<String, List<OpenSession>> out = new HashMap<>();
        for (SessionRecord s : rows) {
            String[] end = ended.get(s.sessionId());
            out.computeIfAbsent(s.profileId(), k -> new ArrayList<>())
                    .add(new OpenSession(s, end == null ? null : end[0], end == null ? null : end[1]));
        }
        return out;
    }
}
