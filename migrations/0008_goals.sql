-- Goals: small, kind goals with a gentle nudge at a time the member picks, their answers,
-- accountability partners and the weekly recap. Every table carries guild_id and every query
-- filters on it. Goal and note text never leave these tables except in the member's own pings.

-- A goal. cadence: daily, weekdays, days (chosen weekdays), weekly (one weekday), every (every N days).
-- delivery: dm, circle (post in the member's circle channel), dm_or_circle (DM, the circle when DMs
-- are closed). status: active, paused; paused_reason: member, dm_closed.
CREATE TABLE goals (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id      INTEGER NOT NULL,
    user_id       INTEGER NOT NULL,
    text          TEXT NOT NULL,
    minimum       TEXT,
    cadence       TEXT NOT NULL CHECK (cadence IN ('daily', 'weekdays', 'days', 'weekly', 'every')),
    weekdays      INTEGER NOT NULL DEFAULT 0,      -- bit 0 = Monday, for days/weekly
    every_days    INTEGER NOT NULL DEFAULT 1,
    local_time    TEXT NOT NULL,                   -- 'HH:MM' in the member's time zone
    delivery      TEXT NOT NULL DEFAULT 'dm' CHECK (delivery IN ('dm', 'circle', 'dm_or_circle')),
    circle_id     INTEGER,
    end_date      TEXT,                            -- last local date, inclusive
    status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
    paused_reason TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX goals_member ON goals (guild_id, user_id, status);

-- One ping (an occurrence of a goal) and what the member answered. answer NULL: not answered yet
-- (after 24 hours it reads as "no answer"). state: held (quiet hours), sent (queued), flare
-- (flare mode was on: nothing sent). note: the member's private note, never shown to anyone else.
CREATE TABLE goal_pings (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id       INTEGER NOT NULL,
    goal_id        INTEGER NOT NULL,
    user_id        INTEGER NOT NULL,
    occurrence_key TEXT NOT NULL UNIQUE,
    local_date     TEXT NOT NULL,
    scheduled_at   TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('held', 'sent', 'flare')),
    answer         TEXT CHECK (answer IN ('done', 'minimum', 'not_today', 'flare')),
    answered_at    TEXT,
    snoozes        INTEGER NOT NULL DEFAULT 0,
    note           TEXT,
    created_at     TEXT NOT NULL
);
CREATE INDEX goal_pings_goal ON goal_pings (guild_id, goal_id, local_date);
CREATE INDEX goal_pings_member ON goal_pings (guild_id, user_id, created_at);

-- An accountability partner for one goal: invited, then active once they accept privately.
CREATE TABLE goal_partners (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id    INTEGER NOT NULL,
    goal_id     INTEGER NOT NULL,
    owner_id    INTEGER NOT NULL,
    partner_id  INTEGER NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('invited', 'active')),
    created_at  TEXT NOT NULL,
    accepted_at TEXT
);
CREATE UNIQUE INDEX goal_partners_pair ON goal_partners (guild_id, goal_id, partner_id);

-- A member's goal settings: the weekly recap (opt-in, on a weekday) and a pending notice that
-- their DMs were closed (told once, the next time they use the bot).
CREATE TABLE goal_members (
    guild_id        INTEGER NOT NULL,
    user_id         INTEGER NOT NULL,
    summary_weekday INTEGER,                       -- 0 = Monday; NULL: no weekly recap
    dm_notice       TEXT,                          -- 'paused' or 'circle' until told
    PRIMARY KEY (guild_id, user_id)
);
