-- Smart Runner state in PostgreSQL, schema version 11: each runner's own cluster.leaseTtlMs, written
-- when it joins. A runner's liveness (and so its leases and pod slots) is judged by the longer of the
-- asker's TTL and its own: a runner fences itself by its own renew deadline, which its own config
-- keeps under its own TTL, so another runner with a shorter TTL must not take its profiles before
-- that TTL has passed (reviewer R: a taker at 8 s ran a profile while its holder, at 15 s, still did).
-- NULL (a runner of an older version): the asker's TTL alone, as before.
ALTER TABLE runners ADD COLUMN lease_ttl_ms BIGINT;
