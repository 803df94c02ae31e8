-- Smart Runner state in PostgreSQL, schema version 10: every epoch of a profile's lease, with the
-- incarnation it was granted to (docs/cluster-leases.md, "Fenced events"). The fleet's events are
-- fenced by it: an event goes in when its writer held the profile's lease at the epoch it was
-- written under, even if the lease has moved on since (a queue sent after a database outage, a
-- taker's `lost` sent after it gave the lease back). Before, only the current epoch was accepted,
-- and sessions that really ran under an older one kept their start and lost their end.
-- The state rows are still fenced by the current epoch (store/FencedRows): a runner that lost a
-- lease changes no profile's state.
CREATE TABLE lease_epochs (
    profile_id         TEXT   NOT NULL,
    epoch              BIGINT NOT NULL,
    holder_incarnation BIGINT NOT NULL,
    PRIMARY KEY (profile_id, epoch)
);
-- the epochs held now; earlier ones were not recorded, and their late events stay refused
INSERT INTO lease_epochs (profile_id, epoch, holder_incarnation)
    SELECT profile_id, epoch, holder_incarnation FROM leases WHERE holder_incarnation IS NOT NULL;
