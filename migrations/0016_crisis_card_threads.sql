-- Issue 24, closed DMs: a crisis card that the member's closed DMs refused is offered at once in a
-- private thread under the circle's text channel, with the member and whom the paging chain
-- reaches (bot/cases/closed_dm.py). One row per crisis card sent by DM from circle chat, keyed by
-- the card's outbox key; ids and states only, never text.
--   armed     the card DM is queued; a thread is wanted only if it fails
--   wanted    the DM failed: a thread is to be made
--   creating  the create call is in flight (back to wanted after a crash)
--   created   the thread exists (thread_id); members and the card still to add
--   done      members added, the card queued in the thread
--   failed    the thread could not be made (the card waits for the next interaction)
CREATE TABLE case_crisis_threads (
    guild_id     INTEGER NOT NULL,
    card_key     TEXT    NOT NULL,
    user_id      INTEGER NOT NULL,
    case_id      INTEGER,
    channel_id   INTEGER NOT NULL,
    state        TEXT    NOT NULL DEFAULT 'armed'
                 CHECK (state IN ('armed', 'wanted', 'creating', 'created', 'done', 'failed')),
    thread_id    INTEGER,
    detail       TEXT,
    armed_at     TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL,
    PRIMARY KEY (guild_id, card_key)
);
CREATE INDEX case_crisis_threads_todo ON case_crisis_threads (state) WHERE state IN ('wanted', 'creating', 'created');
CREATE INDEX case_crisis_threads_member ON case_crisis_threads (guild_id, user_id);
