-- Smart Runner state in PostgreSQL, schema version 12: a runner that left the fleet for good can be
-- forgotten (`smart-runner runners --forget NAME`): its row stays (its sessions and events name it)
-- but `runners` and /api/runners no longer list it. A runner joining under that name again is listed
-- again (its join clears the mark).
ALTER TABLE runners ADD COLUMN forgotten_at TIMESTAMPTZ;
