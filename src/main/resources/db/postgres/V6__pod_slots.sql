-- Smart Runner state in PostgreSQL, schema version 6: pod slots (docs/cluster-placement.md, "A pod's
-- concurrency across the fleet"). A pod with concurrency c has rows 0..c-1; a runner starts a session
-- of the pod only within the slots it holds. A slot is live while the runners row of its
-- holder_incarnation has a heartbeat younger than the TTL and no stopped_at, as a profile lease.
CREATE TABLE pod_slots (
    pod                TEXT    NOT NULL,
    slot               INTEGER NOT NULL,
    holder_incarnation BIGINT,
    epoch              BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (pod, slot)
);
CREATE INDEX pod_slots_by_incarnation ON pod_slots (holder_incarnation);
