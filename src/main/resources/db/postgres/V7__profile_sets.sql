-- Smart Runner state in PostgreSQL, schema version 7: which profiles each runner is configured with
-- (docs/cluster-leases.md, "Runners with different profile lists"). profile_set is a fingerprint of
-- the runner's configured profile ids; a runner divides its profiles only with the live runners of
-- the same fingerprint. NULL (a runner before this version) groups with NULL, as before.
ALTER TABLE runners ADD COLUMN profile_set TEXT;
