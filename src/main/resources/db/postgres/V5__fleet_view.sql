-- Smart Runner state in PostgreSQL: the fleet view (issue #11 point 6, docs/cluster-fleet-view.md).
-- Independent of V4 (leases): it reads the V1 leases columns only. The events table is V1's; this
-- adds what the fleet view queries by, and the controls relayed between runners.

-- GET /api/events?event=pause and the report read by event name; pages by seq
CREATE INDEX events_by_event ON events (event, seq);
CREATE INDEX events_by_pod ON events (pod, seq);

-- A manual control (pause, unpause, reset, run) asked of any runner, applied by the runner that
-- holds the profile. applied_at NULL = not applied yet; result is "done" or why not.
CREATE TABLE controls (
    seq          BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    profile_id   TEXT        NOT NULL,
    action       TEXT        NOT NULL CHECK (action IN ('pause', 'unpause', 'reset', 'run')),
    args         JSONB       NOT NULL DEFAULT '{}',
    -- who asked ("api", "cli") and through which runner: "api@beta"
    requested_by TEXT        NOT NULL,
    requested_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_by   TEXT,
    applied_at   TIMESTAMPTZ,
    result       TEXT
);

CREATE INDEX controls_pending ON controls (profile_id, seq) WHERE applied_at IS NULL;
