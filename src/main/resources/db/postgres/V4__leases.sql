-- Smart Runner state in PostgreSQL, schema version 4: leases with fencing (docs/cluster-leases.md).
-- A lease is live while the runners row of its holder_incarnation has a heartbeat younger than the
-- TTL and no stopped_at: one heartbeat renews all of a runner's leases. expires_at stays unused
-- (NULL): a lease's age is its holder's heartbeat age, judged with now().

-- the keeper counts and verifies its leases by incarnation on every heartbeat
CREATE INDEX leases_by_incarnation ON leases (holder_incarnation);
CREATE INDEX runners_by_incarnation ON runners (incarnation);
-- a taker looks up whether an open session already has its terminal event (exactly one `lost`)
CREATE INDEX IF NOT EXISTS events_by_session_leases ON events (session_id) WHERE session_id IS NOT NULL;
