-- Issue 28, several processes over one database: a claimed row (an outbox row 'sending', a story
-- 'publishing', a crisis card's thread 'creating') records which process holds it and until when
-- (bot/delivery/leases.py). A live process renews its leases; a dead one's run out and another
-- process takes the rows back. Process names only (a shard range), never member data.
ALTER TABLE outbox ADD COLUMN lease_owner TEXT;
ALTER TABLE outbox ADD COLUMN lease_until TEXT;
ALTER TABLE stories ADD COLUMN lease_owner TEXT;
ALTER TABLE stories ADD COLUMN lease_until TEXT;
ALTER TABLE case_crisis_threads ADD COLUMN lease_owner TEXT;
ALTER TABLE case_crisis_threads ADD COLUMN lease_until TEXT;
CREATE INDEX outbox_leases ON outbox (state, lease_until) WHERE state = 'sending';
