-- Smart Runner state in PostgreSQL, schema version 9: which run of which data dir wrote each event.
-- A runner's start copies into its local log the events its previous runs wrote to this table but
-- not to their log (killed between the two writes: docs/cluster-fleet-view.md). It used to find them
-- by runner name, which is not a data dir: a name freed by a dead runner may be taken by another
-- machine, and the first data dir's next start then copied that machine's events into its own log.
-- Events now carry the incarnation that wrote them (NULL: written by a command, or before schema 9),
-- and incarnations name the runners row (the data dir) that drew them.
ALTER TABLE events ADD COLUMN incarnation BIGINT;

CREATE TABLE incarnations (
    incarnation BIGINT      PRIMARY KEY,
    runner_row  TEXT        NOT NULL,
    joined_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX incarnations_by_row ON incarnations (runner_row);
-- No index on events.incarnation: only a runner's start reads by it, from seq onwards (the primary
-- key), and every event insert would pay for one more index.
