-- Screening: each server's own word settings and its own crisis-resource entries.
-- Neither table holds member text or member ids: words and services are set by organisers.

-- A server's words: 'block' words are screened as profanity too, 'allow' words never are.
-- One row per word, so a word is either blocked or allowed, not both.
CREATE TABLE screening_words (
    guild_id   INTEGER NOT NULL,
    word       TEXT    NOT NULL,   -- normalised: lower case, single spaces
    kind       TEXT    NOT NULL CHECK (kind IN ('block', 'allow')),
    created_at TEXT    NOT NULL,
    PRIMARY KEY (guild_id, word)
) WITHOUT ROWID;

-- Crisis services a server adds to its crisis card (shown before the shipped directory's).
CREATE TABLE local_crisis_resources (
    id           INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    phone        TEXT,
    text_contact TEXT,
    web          TEXT,
    hours        TEXT,
    language     TEXT,
    created_at   TEXT    NOT NULL
);
CREATE INDEX local_crisis_resources_guild ON local_crisis_resources (guild_id, id);
