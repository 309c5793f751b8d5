-- Priority lanes in the outbox (bot/delivery/safety.py): a crisis card or a page never waits behind
-- a fan-out of reminders. priority is set from the message kind at enqueue: 0 crisis (crisis
-- cards, pages, new cases' queue messages), 1 urgent (the rest of the cases' messages),
-- 2 ordinary (everything else). The worker picks due rows by priority, then due time, then id.
ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 2;
UPDATE outbox SET priority = 1 WHERE kind LIKE 'case\_%' ESCAPE '\';
UPDATE outbox SET priority = 0 WHERE kind IN ('case_card_crisis', 'case_page', 'case_queue')
    OR kind LIKE 'case\_page%' ESCAPE '\';
CREATE INDEX outbox_lanes ON outbox (priority, next_attempt_at, id) WHERE state = 'pending';
