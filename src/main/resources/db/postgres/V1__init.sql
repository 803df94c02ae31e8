-- Smart Runner state in PostgreSQL (cluster mode), schema version 1. Instants are timestamptz
-- (microseconds; the runner writes milliseconds). Statements end with ';' at the end of a line
-- (the migration runner splits on that). Only profiles and sessions are used by this version of
-- the runner; runners, leases and events are laid out for membership, leases with fencing and
-- the fleet event view (DESIGN §3a), which later versions fill in.

-- One row per runner (its name is unique in the fleet). runner_id is the id every session's
-- environment carries on that runner's machine (SR_RUNNER_ID), kept across restarts so the next
-- start finds the processes a crashed one left; it is per runner, never shared by the fleet.
CREATE TABLE runners (
    name         TEXT PRIMARY KEY,
    runner_id    TEXT        NOT NULL UNIQUE,
    -- +1 on every start: a lease names the incarnation that took it, so a restarted runner never
    -- mistakes its predecessor's leases for its own
    incarnation  BIGINT      NOT NULL DEFAULT 0,
    labels       JSONB       NOT NULL DEFAULT '[]',
    host         TEXT,
    capacity     INTEGER,
    started_at   TIMESTAMPTZ,
    -- the database clock (now()) at the last heartbeat; never the runner's own clock
    heartbeat_at TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE profiles (
    profile_id       TEXT PRIMARY KEY,
    pod              TEXT        NOT NULL,
    error_streak     INTEGER     NOT NULL DEFAULT 0,
    running          BOOLEAN     NOT NULL DEFAULT FALSE,
    needs_recovery   BOOLEAN     NOT NULL DEFAULT FALSE,
    paused           BOOLEAN     NOT NULL DEFAULT FALSE,
    paused_until     TIMESTAMPTZ,
    last_session_id  TEXT,
    last_error       TEXT,
    last_started_at  TIMESTAMPTZ,
    last_finished_at TIMESTAMPTZ,
    pause_count      INTEGER     NOT NULL DEFAULT 0,
    paused_at        TIMESTAMPTZ,
    -- bumped by every upsert: readers can tell a row changed
    row_version      BIGINT      NOT NULL DEFAULT 1
);

CREATE TABLE sessions (
    session_id      TEXT PRIMARY KEY,
    -- insertion order, the tie-break between sessions started in the same millisecond
    seq             BIGINT      GENERATED ALWAYS AS IDENTITY,
    profile_id      TEXT        NOT NULL REFERENCES profiles (profile_id) DEFERRABLE INITIALLY DEFERRED,
    pod             TEXT        NOT NULL,
    -- the runner whose machine holds the processes (pid, pgid are only meaningful there)
    runner_name     TEXT        NOT NULL REFERENCES runners (name),
    pid             BIGINT      NOT NULL,
    pid_start_ticks BIGINT      NOT NULL,
    pgid            BIGINT      NOT NULL,
    started_at      TIMESTAMPTZ NOT NULL,
    status          TEXT        NOT NULL CHECK (status IN ('RUNNING', 'FINISHED', 'FAILED')),
    ended_at        TIMESTAMPTZ,
    reason          TEXT,
    exit_code       INTEGER
);

CREATE INDEX sessions_running ON sessions (started_at, seq) WHERE status = 'RUNNING';
CREATE INDEX sessions_by_profile_started ON sessions (profile_id, started_at DESC, seq DESC);

-- A profile runs only on the runner holding its lease. epoch is the fencing token: +1 on every
-- acquisition, and every write about the profile carries the epoch its writer holds. expires_at
-- comes from the database clock (now() + TTL). holder NULL = free (released by a graceful stop).
CREATE TABLE leases (
    profile_id         TEXT PRIMARY KEY,
    holder             TEXT REFERENCES runners (name),
    holder_incarnation BIGINT,
    epoch              BIGINT      NOT NULL DEFAULT 0,
    acquired_at        TIMESTAMPTZ,
    expires_at         TIMESTAMPTZ
);

CREATE INDEX leases_by_holder ON leases (holder);

-- The fleet's event log: each runner's events as in its local JSONL log (same fields), with the
-- runner's name and the lease epoch it wrote under.
CREATE TABLE events (
    seq         BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ts          TIMESTAMPTZ NOT NULL,
    runner_name TEXT        NOT NULL,
    pod         TEXT,
    profile_id  TEXT,
    session_id  TEXT,
    event       TEXT        NOT NULL,
    type        TEXT        NOT NULL,
    params      JSONB       NOT NULL DEFAULT '{}',
    outcome     TEXT,
    dur_ms      BIGINT,
    epoch       BIGINT
);

CREATE INDEX events_by_profile ON events (profile_id, seq);
CREATE INDEX events_by_ts ON events (ts);
