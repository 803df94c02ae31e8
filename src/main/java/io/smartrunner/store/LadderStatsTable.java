package io.smartrunner.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The {@code ladder_stats} table (SQLite and PostgreSQL migration V2): SQL and row mapping, the same for both. */
final class LadderStatsTable {
    static final String UPSERT = "INSERT INTO ladder_stats (signature, step, attempts, successes, sample_reason,"
            + " sample_exit, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (signature, step) DO UPDATE SET"
            + " attempts = excluded.attempts, successes = excluded.successes, sample_reason = excluded.sample_reason,"
            + " sample_exit = excluded.sample_exit, updated_at_ms = excluded.updated_at_ms";
    private static final String SELECT = "SELECT signature, step, attempts, successes, sample_reason, sample_exit,"
            + " updated_at_ms FROM ladder_stats ORDER BY signature, step";

    private LadderStatsTable() {
    }

    static List<LadderStat> load(Statement st) throws SQLException {
        List<LadderStat> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(SELECT)) {
            while (rs.next()) {
                out.add(new LadderStat(rs.getString(1), rs.getString(2), rs.getDouble(3), rs.getDouble(4),
                        rs.getString(5), rs.getString(6), Instant.ofEpochMilli(rs.getLong(7))));
            }
        }
        return out;
    }

    /** Upserts the rows; the caller holds the transaction. */
    static void write(Connection connection, List<LadderStat> stats) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(UPSERT)) {
            for (LadderStat s : stats) {
                ps.setString(1, s.signature());
                ps.setString(2, s.step());
                ps.setDouble(3, s.attempts());
                ps.setDouble(4, s.successes());
                ps.setString(5, s.sampleReason());
                ps.setString(6, s.sampleExit());
                ps.setLong(7, s.updatedAt().toEpochMilli());
                ps.executeUpdate();
            }
        }
    }
}
