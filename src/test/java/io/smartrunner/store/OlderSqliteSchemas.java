package io.smartrunner.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** Turns a store back into what older runners left, so the migrations can be tried on it (tests). */
public final class OlderSqliteSchemas {
    private OlderSqliteSchemas() {
    }

    /** Undoes version 4: the rowid sessions table of versions 1-3, its rows and indexes as version 3 had them. */
    public static void asVersion3(Path db) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement st = c.createStatement()) {
            st.execute("BEGIN IMMEDIATE");
            st.execute("CREATE TABLE sessions_v3 (session_id TEXT PRIMARY KEY,"
                    + " profile_id TEXT NOT NULL REFERENCES profiles (profile_id) DEFERRABLE INITIALLY DEFERRED,"
                    + " pod TEXT NOT NULL, pid INTEGER NOT NULL, pid_start_ticks INTEGER NOT NULL, pgid INTEGER NOT NULL,"
                    + " started_at_ms INTEGER NOT NULL,"
                    + " status TEXT NOT NULL CHECK (status IN ('RUNNING', 'FINISHED', 'FAILED')),"
                    + " ended_at_ms INTEGER, reason TEXT, exit_code INTEGER)");
            // in start order, interleaved across profiles, as a running store wrote them
            st.execute("INSERT INTO sessions_v3 SELECT * FROM sessions ORDER BY started_at_ms, session_id");
            st.execute("DROP TABLE sessions");
            st.execute("ALTER TABLE sessions_v3 RENAME TO sessions");
            st.execute("CREATE INDEX sessions_by_profile_started ON sessions (profile_id, started_at_ms)");
            st.execute("CREATE INDEX sessions_running ON sessions (started_at_ms) WHERE status = 'RUNNING'");
            st.execute("DELETE FROM schema_version WHERE version = 4");
            st.execute("COMMIT");
        }
    }

    /** Undoes versions 4 and 3: the index on status every version-2 store has. */
    static void asVersion2(Path db) throws SQLException {
        asVersion3(db);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement st = c.createStatement()) {
            st.execute("DROP INDEX sessions_running");
            st.execute("CREATE INDEX sessions_by_status ON sessions (status)");
            st.execute("DELETE FROM schema_version WHERE version = 3");
        }
    }
}
