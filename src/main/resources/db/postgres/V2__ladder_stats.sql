-- Smart Runner state in PostgreSQL, schema version 2: the adaptive recovery ladder's statistics.
-- One row per (failure signature, step name), shared by the fleet; counts are exponentially decayed.

CREATE TABLE ladder_stats (
    signature     TEXT             NOT NULL,
    step          TEXT             NOT NULL,
    attempts      DOUBLE PRECISION NOT NULL,
    successes     DOUBLE PRECISION NOT NULL,
    sample_reason TEXT,
    sample_exit   TEXT,
    updated_at_ms BIGINT           NOT NULL,
    PRIMARY KEY (signature, step)
);
