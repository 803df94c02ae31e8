-- Smart Runner state, schema version 4: each profile's sessions kept together, in start order.
-- The sessions table was a rowid table in start order, every profile's rows interleaved with every
-- other's, plus an index on session_id and one on (profile_id, started_at_ms). Keeping a profile's
-- newest 1 000 deleted its ~100 oldest rows each 100th end, each on a page of its own in the table and
-- in the session_id index: about half of a full store's WAL frames and SQLite's CPU in a crash loop
-- (bench/sqlite_prune.py). Keyed by (profile_id, started_at_ms, session_id) without a rowid, the
-- rows are the index: a start writes one page of the profile's own, an end the same page, a prune a
-- few adjacent pages, and the file is ~40 % smaller.
-- A session id is no longer checked unique by the store: ids are made unique (version 7 UUIDs with
-- 74 random bits, see SessionIds), and a session's profile and start never change once written, so
-- the key names one session as the id did.
-- Statements end with ';' at the end of a line (the migration runner splits on that).
-- The copy below is all there is to do for a store SessionRegrouping has not copied first: it copies
-- a big store in transactions of whole profiles beforehand (progress on stderr, resumed after a
-- kill), leaving this one transaction the profiles after the last it copied.

-- Columns in version 1's order: the copies SELECT * from the old table.
CREATE TABLE IF NOT EXISTS sessions_v4 (
    session_id      TEXT    NOT NULL,
    profile_id      TEXT    NOT NULL REFERENCES profiles (profile_id) DEFERRABLE INITIALLY DEFERRED,
    pod             TEXT    NOT NULL,
    pid             INTEGER NOT NULL,
    pid_start_ticks INTEGER NOT NULL,
    pgid            INTEGER NOT NULL,
    started_at_ms   INTEGER NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('RUNNING', 'FINISHED', 'FAILED')),
    ended_at_ms     INTEGER,
    reason          TEXT,
    exit_code       INTEGER,
    PRIMARY KEY (profile_id, started_at_ms, session_id)
) WITHOUT ROWID;

INSERT INTO sessions_v4 SELECT * FROM sessions
    WHERE NOT EXISTS (SELECT 1 FROM sessions_v4) OR profile_id > (SELECT MAX(profile_id) FROM sessions_v4)
    ORDER BY profile_id, started_at_ms, session_id;

DROP TABLE sessions;
ALTER TABLE sessions_v4 RENAME TO sessions;
CREATE INDEX sessions_running ON sessions (started_at_ms) WHERE status = 'RUNNING';
DELETE FROM meta WHERE key = 'regrouping_sessions_of';
