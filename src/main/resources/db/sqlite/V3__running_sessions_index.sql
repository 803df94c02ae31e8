-- Smart Runner state, schema version 3: the index that finds running sessions holds only those.
-- The index on status had an entry for every kept session (a fleet keeps hundreds of thousands), and
-- every session's end moved its entry from the RUNNING part to the FINISHED or FAILED part: two more
-- index pages written per end. Recovery after a crash asks for the running ones in start order.

DROP INDEX sessions_by_status;
CREATE INDEX sessions_running ON sessions (started_at_ms) WHERE status = 'RUNNING';
