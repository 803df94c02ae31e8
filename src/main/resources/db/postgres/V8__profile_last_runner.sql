-- Smart Runner state in PostgreSQL, schema version 8: the runner of each profile's latest session on
-- the profile's own row (docs/cluster-fleet-view.md). The fleet view shows a profile's runner: its
-- live lease holder, else the runner of its latest session. Finding the latter per profile in the
-- sessions table cost ~250 ms for 10 000 profiles on every read of the fleet; the row's writer now
-- sets it whenever the row's last_session_id changes (the runner that started that session).
ALTER TABLE profiles ADD COLUMN last_runner TEXT;

UPDATE profiles p SET last_runner = s.runner_name
FROM sessions s
WHERE s.session_id = p.last_session_id;
