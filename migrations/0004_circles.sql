-- Circles: onboarding with consent to versioned norms, seats, waitlists.
-- Every table carries guild_id and every query filters on it.

-- Server settings the circles capability adds to /setup.
ALTER TABLE guild_settings ADD COLUMN grace_days INTEGER NOT NULL DEFAULT 7;
ALTER TABLE guild_settings ADD COLUMN welcome_channel_id INTEGER;
-- 'none', 'forum' (a forum channel per circle) or 'threads' (a text channel whose posts get threads).
ALTER TABLE guild_settings ADD COLUMN stories_mode TEXT NOT NULL DEFAULT 'none';

CREATE TABLE circles (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id           INTEGER NOT NULL,
    name               TEXT NOT NULL,
    -- Case- and punctuation-folded name: two circles may not share it while open.
    name_key           TEXT NOT NULL,
    description        TEXT NOT NULL,
    topics             TEXT NOT NULL,          -- comma-separated topic keys (bot/circle_catalogue.py)
    language           TEXT NOT NULL,          -- language code (bot/circle_catalogue.py)
    capacity           INTEGER NOT NULL CHECK (capacity BETWEEN 2 AND 30),
    role_id            INTEGER,
    text_channel_id    INTEGER,
    voice_channel_id   INTEGER,
    stories_channel_id INTEGER,
    norms_version      INTEGER NOT NULL DEFAULT 1,
    created_by         INTEGER NOT NULL,
    created_at         TEXT NOT NULL,
    archived_at        TEXT
);
CREATE UNIQUE INDEX circles_open_name ON circles (guild_id, name_key) WHERE archived_at IS NULL;
CREATE INDEX circles_guild ON circles (guild_id, archived_at);

CREATE TABLE circle_facilitators (
    guild_id  INTEGER NOT NULL,
    circle_id INTEGER NOT NULL REFERENCES circles (id),
    user_id   INTEGER NOT NULL,
    added_by  INTEGER NOT NULL,
    added_at  TEXT NOT NULL,
    PRIMARY KEY (circle_id, user_id)
);

-- Every version of every circle's norms is kept: consent names the version agreed to.
CREATE TABLE circle_norms (
    guild_id   INTEGER NOT NULL,
    circle_id  INTEGER NOT NULL REFERENCES circles (id),
    version    INTEGER NOT NULL,
    text       TEXT NOT NULL,
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (circle_id, version)
);

-- A seat: held by a member who agreed to the norms. 'paused' keeps the seat without access
-- (the member has not agreed to newer norms in time).
CREATE TABLE circle_seats (
    guild_id          INTEGER NOT NULL,
    circle_id         INTEGER NOT NULL REFERENCES circles (id),
    user_id           INTEGER NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('active', 'paused')),
    joined_at         TEXT NOT NULL,
    consent_version   INTEGER NOT NULL,
    consented_at      TEXT NOT NULL,
    -- Set while newer norms wait for the member's agreement: access pauses at this time.
    reconsent_due_at  TEXT,
    PRIMARY KEY (circle_id, user_id)
);
CREATE INDEX circle_seats_user ON circle_seats (guild_id, user_id);
CREATE INDEX circle_seats_due ON circle_seats (reconsent_due_at) WHERE reconsent_due_at IS NOT NULL;

-- Append-only record of consent: who agreed to which version when, and every withdrawal.
CREATE TABLE consent_log (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id      INTEGER NOT NULL,
    circle_id     INTEGER NOT NULL,
    user_id       INTEGER NOT NULL,
    event         TEXT NOT NULL CHECK (event IN
                  ('agreed', 'left', 'left_server', 'paused', 'archived', 'undone')),
    norms_version INTEGER,
    at            TEXT NOT NULL
);
CREATE INDEX consent_log_member ON consent_log (guild_id, user_id, circle_id);

-- The only way to delete consent history is a member's own erasure request (data rights):
-- recording it here first lets the delete through; nothing may ever rewrite a row.
CREATE TABLE consent_erasures (
    guild_id  INTEGER NOT NULL,
    user_id   INTEGER NOT NULL,
    erased_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

-- engine: sqlite
CREATE TRIGGER consent_log_no_update BEFORE UPDATE ON consent_log
BEGIN
    SELECT RAISE(ABORT, 'consent_log is append-only');
END;

CREATE TRIGGER consent_log_no_delete BEFORE DELETE ON consent_log
WHEN NOT EXISTS (SELECT 1 FROM consent_erasures e
                 WHERE e.guild_id = OLD.guild_id AND e.user_id = OLD.user_id)
BEGIN
    SELECT RAISE(ABORT, 'consent_log is append-only');
END;
-- engine: postgresql
CREATE FUNCTION consent_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM consent_erasures e
                                    WHERE e.guild_id = OLD.guild_id AND e.user_id = OLD.user_id) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'consent_log is append-only' USING ERRCODE = 'integrity_constraint_violation';
END
$$;
CREATE TRIGGER consent_log_no_update BEFORE UPDATE ON consent_log
    FOR EACH ROW EXECUTE FUNCTION consent_log_append_only();
CREATE TRIGGER consent_log_no_delete BEFORE DELETE ON consent_log
    FOR EACH ROW EXECUTE FUNCTION consent_log_append_only();
-- engine: all

-- Waiting for a seat, in id order. An offered entry holds a freed seat until offer_expires_at.
CREATE TABLE circle_waitlist (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id         INTEGER NOT NULL,
    circle_id        INTEGER NOT NULL REFERENCES circles (id),
    user_id          INTEGER NOT NULL,
    added_at         TEXT NOT NULL,
    offered_at       TEXT,
    offer_expires_at TEXT,
    UNIQUE (circle_id, user_id)
);
CREATE INDEX circle_waitlist_due ON circle_waitlist (offer_expires_at) WHERE offer_expires_at IS NOT NULL;
