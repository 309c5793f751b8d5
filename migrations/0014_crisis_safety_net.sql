-- Issue 24, every crisis reaches a human.
-- A concern card keeps its own clock: an earlier concern card never holds back a crisis card
-- (last_card_at is the crisis card's time from now on).
ALTER TABLE case_member_state ADD COLUMN last_concern_card_at TEXT;

-- Messages already screened at a tier (crisis, concern), so an edited message is screened again
-- but answered once per message and tier. Ids only, never text; kept a day (an edit after that is
-- screened like a new message).
CREATE TABLE case_screened_messages (
    guild_id    INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    tier        TEXT    NOT NULL CHECK (tier IN ('crisis', 'concern')),
    screened_at TEXT    NOT NULL,
    PRIMARY KEY (guild_id, message_id, tier)
);
