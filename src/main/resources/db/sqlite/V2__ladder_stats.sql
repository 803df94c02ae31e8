-- Smart Runner state, schema version 2: the adaptive recovery ladder's statistics.
-- One row per (failure signature, step name); counts are exponentially decayed, hence REAL.

CREATE TABLE ladder_stats (
    signature     TEXT    NOT NULL,
    step          TEXT    NOT NULL,
    attempts      REAL    NOT NULL,
    successes     REAL    NOT NULL,
    sample_reason TEXT,
    sample_exit   TEXT,
    updated_at_ms INTEGER NOT NULL,
    PRIMARY KEY (signature, step)
);
