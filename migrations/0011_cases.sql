-- The cases capability: its server settings (escalation ladder, chat moderation choices), the
-- crisis-card rate limit and the "show this card next time" mark per member, and who is on duty.

-- One row per server, written by /case-admin settings; a server without a row uses the defaults.
CREATE TABLE case_settings (
    guild_id               INTEGER PRIMARY KEY,
    repage_minutes         INTEGER NOT NULL DEFAULT 5,    -- an urgent case unclaimed this long re-pages on call
    organiser_minutes      INTEGER NOT NULL DEFAULT 15,   -- ... and this long pages the organisers
    normal_raise_hours     INTEGER NOT NULL DEFAULT 24,   -- a normal case unclaimed this long is raised once
    profanity_mode         TEXT NOT NULL DEFAULT 'off' CHECK (profanity_mode IN ('off', 'remove')),
    concern_opens_case     INTEGER NOT NULL DEFAULT 0,
    tell_member_of_actions INTEGER NOT NULL DEFAULT 1,
    updated_at             TEXT NOT NULL
);

-- Per member and server: when the last crisis card went out (one an hour at most) and a card
-- waiting to be shown at the member's next interaction (their DMs were closed).
CREATE TABLE case_member_state (
    guild_id      INTEGER NOT NULL,
    user_id       INTEGER NOT NULL,
    last_card_at  TEXT,
    pending_level TEXT CHECK (pending_level IN ('crisis', 'concern')),
    pending_since TEXT,
    PRIMARY KEY (guild_id, user_id)
);
CREATE INDEX case_member_pending ON case_member_state (user_id) WHERE pending_level IS NOT NULL;

-- Moderators who said /case on-duty on: the ladder pages them first.
CREATE TABLE case_duty (
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    since      TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);
