-- Smart Runner state in PostgreSQL, schema version 3: cluster membership (docs/cluster.md).
-- A row of runners stays keyed by the runner's process identity (<host>:<data dir>, which owns
-- the runner id its sessions carry); member_name is the runner.name it joined the fleet under.
-- Names are unique among rows (a stale holder's name is cleared when another runner takes it).

ALTER TABLE runners ADD COLUMN member_name TEXT;
ALTER TABLE runners ADD COLUMN pid BIGINT;
-- sessions running at the last heartbeat
ALTER TABLE runners ADD COLUMN sessions INTEGER;
-- set by a graceful stop (heartbeat_at is then NULL): the name is free at once
ALTER TABLE runners ADD COLUMN stopped_at TIMESTAMPTZ;
CREATE UNIQUE INDEX runners_member_name ON runners (member_name) WHERE member_name IS NOT NULL;
-- incarnation: a new value from this sequence on every start, unique across the fleet
CREATE SEQUENCE runner_incarnations;
