-- Smart Runner state, schema version 1. Instants are epoch milliseconds (UTC), booleans 0/1.
-- Statements end with ';' at the end of a line (the migration runner splits on that).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE profiles (
    profile_id          TEXT PRIMARY KEY,
    pod                 TEXT    NOT NULL,
    error_streak        INTEGER NOT NULL DEFAULT 0,
    running             INTEGER NOT NULL DEFAULT 0,
    needs_recovery      INTEGER NOT NULL DEFAULT 0,
    paused              INTEGER NOT NULL DEFAULT 0,
    paused_until_ms     INTEGER,
    last_session_id     TEXT,
    last_error          TEXT,
    last_started_at_ms  INTEGER,
    last_finished_at_ms INTEGER,
    pause_count         INTEGER NOT NULL DEFAULT 0,
    paused_at_ms        INTEGER,
    -- bumped by every upsert: readers can tell a row changed, a shared store can lock optimistically
    row_version         INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE sessions (
    session_id      TEXT PRIMARY KEY,
    profile_id      TEXT    NOT NULL REFERENCES profiles (profile_id) DEFERRABLE INITIALLY DEFERRED,
    pod             TEXT    NOT NULL,
    pid             INTEGER NOT NULL,
    pid_start_ticks INTEGER NOT NULL,
    pgid            INTEGER NOT NULL,
    started_at_ms   INTEGER NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('RUNNING', 'FINISHED', 'FAILED')),
    ended_at_ms     INTEGER,
    reason          TEXT,
    exit_code       INTEGER
);

CREATE INDEX sessions_by_status ON sessions (status);
CREATE INDEX sessions_by_profile_started ON sessions (profile_id, started_at_ms);
