-- Member preferences the capabilities share, and the moderators' cases.
-- Every table carries guild_id and every query filters on it.

-- A member's own settings in one server: time zone, quiet hours (local 'HH:MM', the end may be
-- earlier than the start: the quiet span crosses midnight) and flare mode (every ping and
-- reminder paused until flare_until, UTC ISO text).
CREATE TABLE member_prefs (
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    timezone    TEXT,
    quiet_start TEXT,
    quiet_end   TEXT,
    flare_until TEXT,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

-- A case in the moderators' queue: a report, a request for help, a crisis or concern alert.
-- subject_user_id is whom it is about (NULL when it must stay anonymous, e.g. a story's author);
-- opened_by is who raised it (NULL when the bot raised it). snapshot is JSON the moderators need
-- (a reported message's content, author, channel, link), kept only as long as the case.
CREATE TABLE cases (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id         INTEGER NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('report', 'help', 'crisis', 'concern', 'slur', 'review')),
    urgency          TEXT NOT NULL CHECK (urgency IN ('normal', 'urgent')),
    status           TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'claimed', 'resolved')),
    source           TEXT NOT NULL,          -- chat, story, goal_note, help_request, report, reach_out, ...
    subject_user_id  INTEGER,
    opened_by        INTEGER,
    summary          TEXT NOT NULL DEFAULT '',
    snapshot         TEXT NOT NULL DEFAULT '{}',
    dedupe_key       TEXT,                   -- e.g. 'report:<message id>': one case per reported message
    claimed_by       INTEGER,
    outcome          TEXT,
    queue_message_id INTEGER,
    thread_id        INTEGER,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    resolved_at      TEXT
);
CREATE UNIQUE INDEX cases_dedupe ON cases (guild_id, dedupe_key) WHERE dedupe_key IS NOT NULL;
CREATE INDEX cases_queue ON cases (guild_id, status, urgency);

-- Append-only: every change to a case (who, what, when).
CREATE TABLE case_events (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id INTEGER NOT NULL,
    case_id  INTEGER NOT NULL REFERENCES cases (id),
    actor_id INTEGER,                        -- NULL: the bot
    event    TEXT NOT NULL,                  -- opened, claimed, note, escalated, paged, resolved, action
    detail   TEXT NOT NULL DEFAULT '',
    at       TEXT NOT NULL
);
CREATE INDEX case_events_case ON case_events (guild_id, case_id, id);
