-- Scheduling and delivery: schedules (the source of truth for every timed job), occurrences that
-- did not fire normally, the outbox of messages the bot sends on its own, and members whose DMs
-- are closed to the bot. No table here holds member text except outbox.payload, which is cleared
-- as soon as the row is sent or has failed.

-- One row per schedule. A repeating rule is a local time in an IANA zone; a one-off is an instant.
-- next_fire_at is the next occurrence (UTC, ISO text), NULL once a rule has ended.
CREATE TABLE schedules (
    id             INTEGER PRIMARY KEY,
    guild_id       INTEGER NOT NULL,
    kind           TEXT    NOT NULL,
    owner_id       INTEGER NOT NULL,
    payload        TEXT    NOT NULL DEFAULT '{}',   -- JSON of ids and options, never member text
    frequency      TEXT    NOT NULL CHECK (frequency IN ('once', 'daily', 'weekly')),
    timezone       TEXT    NOT NULL DEFAULT 'UTC',
    local_time     TEXT,                            -- 'HH:MM' for daily/weekly
    weekdays       INTEGER NOT NULL DEFAULT 0,      -- bit 0 = Monday ... bit 6 = Sunday
    interval       INTEGER NOT NULL DEFAULT 1,      -- every N days (daily) or weeks (weekly)
    start_date     TEXT,                            -- first local date, anchors every-N
    until_date     TEXT,                            -- last local date, inclusive
    at_utc         TEXT,                            -- the instant of a 'once' rule
    active         INTEGER NOT NULL DEFAULT 1,      -- 0 = paused (e.g. flare mode)
    next_fire_at   TEXT,
    last_fired_at  TEXT,                            -- scheduled instant of the last occurrence handled
    last_key       TEXT,                            -- its occurrence key: guards against a second run
    fired_count    INTEGER NOT NULL DEFAULT 0,
    missed_count   INTEGER NOT NULL DEFAULT 0,
    version        INTEGER NOT NULL DEFAULT 0,      -- bumped by every edit; the scheduler compares it
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL
);
CREATE INDEX schedules_due ON schedules (next_fire_at) WHERE active = 1 AND next_fire_at IS NOT NULL;
CREATE INDEX schedules_owner ON schedules (guild_id, kind, owner_id);

-- Occurrences that did not fire on time: missed (skipped, superseded or past grace), sent late,
-- or whose handler failed. On-time fires are not logged (the schedule row counts them).
CREATE TABLE schedule_occurrences (
    schedule_id    INTEGER NOT NULL,
    occurrence_key TEXT    NOT NULL,
    guild_id       INTEGER NOT NULL,
    kind           TEXT    NOT NULL,
    scheduled_at   TEXT    NOT NULL,
    outcome        TEXT    NOT NULL CHECK (outcome IN ('missed', 'late', 'error')),
    recorded_at    TEXT    NOT NULL,
    PRIMARY KEY (schedule_id, occurrence_key)
) WITHOUT ROWID;
CREATE INDEX schedule_occurrences_recorded ON schedule_occurrences (recorded_at);

-- Every message the bot sends on its own. key is the idempotency key: a second enqueue of the
-- same key changes nothing. state: pending -> sending -> sent | failed (sending -> pending again
-- on a retry or after a crash).
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    key              TEXT    NOT NULL UNIQUE,
    guild_id         INTEGER NOT NULL,
    kind             TEXT    NOT NULL,
    target_kind      TEXT    NOT NULL CHECK (target_kind IN ('dm', 'channel')),
    target_id        INTEGER NOT NULL,
    payload          TEXT,                          -- message JSON; NULL once sent or failed
    fallback         TEXT,                          -- name of a registered fallback, if any
    state            TEXT    NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,    -- send calls made
    errors           INTEGER NOT NULL DEFAULT 0,    -- of which ended in 5xx or network errors
    next_attempt_at  TEXT    NOT NULL,
    created_at       TEXT    NOT NULL,
    sending_since    TEXT,
    sent_at          TEXT,
    message_id       INTEGER,
    failure_reason   TEXT,                          -- dm_closed, unknown_target, ... never content
    last_error       TEXT                           -- e.g. 'http 503', 'ClientConnectionError'
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX outbox_state ON outbox (state, failure_reason);

-- Members whose DMs the bot cannot reach in a server (Discord error 50007), so features can offer
-- another way. Cleared by the next DM that goes through.
CREATE TABLE dm_unreachable (
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    reason     TEXT    NOT NULL,
    since      TEXT    NOT NULL,
    PRIMARY KEY (guild_id, user_id)
) WITHOUT ROWID;
