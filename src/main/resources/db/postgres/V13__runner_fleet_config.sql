-- Smart Runner state in PostgreSQL, schema version 13: what of its config each runner runs the
-- fleet's profiles by (docs/cluster.md, "Runners that disagree"): each pod's concurrency, and each
-- profile's pod, session command (secrets masked, then hashed) and runOn labels, as JSON, with a
-- digest of it to compare cheaply. Written at join and at each applied reload; null for a runner of
-- an older version (nothing to compare).
ALTER TABLE runners ADD COLUMN fleet_config TEXT;
ALTER TABLE runners ADD COLUMN fleet_config_digest TEXT;
