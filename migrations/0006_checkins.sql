-- Scheduled voice check-ins: series, their sessions (one Discord scheduled event each), members'
-- reminder choices, attendance from voice state (ids and times only) and the anonymous pulse.
-- Every table carries guild_id and every query filters on it.

-- A circle's recurring meeting (kind 'weekly') or a one-off session (kind 'once'), at a local
-- time in an IANA zone. schedule_id is the horizon schedule that keeps the next sessions made.
CREATE TABLE checkin_series (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id         INTEGER NOT NULL,
    circle_id        INTEGER NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('weekly', 'once')),
    title            TEXT NOT NULL,
    timezone         TEXT NOT NULL,
    local_time       TEXT NOT NULL,              -- 'HH:MM'
    weekdays         INTEGER NOT NULL DEFAULT 0,  -- bit 0 = Monday
    every_weeks      INTEGER NOT NULL DEFAULT 1 CHECK (every_weeks BETWEEN 1 AND 4),
    start_date       TEXT NOT NULL,              -- first local date
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes BETWEEN 15 AND 240),
    facilitator_id   INTEGER,
    open_to_all      INTEGER NOT NULL DEFAULT 0,  -- a one-off open to non-members
    status           TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'cancelled')),
    schedule_id      INTEGER,
    created_by       INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX checkin_series_guild ON checkin_series (guild_id, circle_id, status);

-- One occurrence of a series, named by its nominal local date. starts_at/ends_at are UTC (a moved
-- session differs from the rule). event_state is what Discord holds for it, kept in step by the cog.
CREATE TABLE checkin_sessions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id    INTEGER NOT NULL,
    series_id   INTEGER NOT NULL REFERENCES checkin_series (id),
    circle_id   INTEGER NOT NULL,
    local_date  TEXT NOT NULL,
    starts_at   TEXT NOT NULL,
    ends_at     TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'scheduled'
                CHECK (status IN ('scheduled', 'skipped', 'started', 'completed', 'cancelled')),
    moved       INTEGER NOT NULL DEFAULT 0,
    note        TEXT,                            -- the organiser's note to members on a skip
    event_id    INTEGER,
    event_state TEXT NOT NULL DEFAULT 'none'
                CHECK (event_state IN ('none', 'scheduled', 'active', 'completed', 'canceled', 'failed')),
    event_sig   TEXT,                            -- name|start|end last sent to Discord
    UNIQUE (series_id, local_date)
);
CREATE INDEX checkin_sessions_guild ON checkin_sessions (guild_id, circle_id, starts_at);
CREATE INDEX checkin_sessions_event ON checkin_sessions (guild_id, event_id);

-- A member's reminder choices for one circle: DM reminders at offsets (minutes before, comma
-- separated), a ping in the start notice, and the post-session pulse.
CREATE TABLE checkin_optins (
    guild_id   INTEGER NOT NULL,
    circle_id  INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    reminders  INTEGER NOT NULL DEFAULT 1,
    offsets    TEXT NOT NULL DEFAULT '1440,15',
    start_ping INTEGER NOT NULL DEFAULT 0,
    pulse      INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, circle_id, user_id)
);

-- Members who pressed "Interested" on a session's Discord event: reminders for that session.
CREATE TABLE checkin_interest (
    guild_id   INTEGER NOT NULL,
    session_id INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    PRIMARY KEY (session_id, user_id)
);

-- Time spent in circle voice channels: ids and times only, kept retention_attendance_days.
CREATE TABLE checkin_voice (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id   INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    joined_at  TEXT NOT NULL,
    left_at    TEXT
);
CREATE INDEX checkin_voice_channel ON checkin_voice (guild_id, channel_id, joined_at);
CREATE INDEX checkin_voice_open ON checkin_voice (guild_id, user_id) WHERE left_at IS NULL;

-- A pulse asked after a session, with the answer, while its window is open. When the window
-- closes the answers move to checkin_pulse_answers without the member's id and these rows go.
CREATE TABLE checkin_pulse_pending (
    guild_id   INTEGER NOT NULL,
    session_id INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    score      INTEGER CHECK (score BETWEEN 1 AND 5),
    answered   INTEGER NOT NULL DEFAULT 0,       -- 1 also for "skip" (score NULL)
    PRIMARY KEY (session_id, user_id)
);

-- Anonymous pulse answers: no member id.
CREATE TABLE checkin_pulse_answers (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id   INTEGER NOT NULL,
    circle_id  INTEGER NOT NULL,
    session_id INTEGER NOT NULL,
    score      INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5)
);
CREATE INDEX checkin_pulse_answers_circle ON checkin_pulse_answers (guild_id, circle_id, session_id);
