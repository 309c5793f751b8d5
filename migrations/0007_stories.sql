-- Anonymous stories. No table here holds a member's user id: an author is known only by
-- author_key, a keyed one-way hash (HMAC-SHA256 of server id + member id, its secret outside the
-- database; see bot/core/anonymity.py). Every table carries guild_id and every query filters on it.

-- A server's story settings, changed by /story-admin settings.
CREATE TABLE story_settings (
    guild_id     INTEGER PRIMARY KEY,
    daily_limit  INTEGER NOT NULL DEFAULT 3 CHECK (daily_limit BETWEEN 1 AND 50),
    min_length   INTEGER NOT NULL DEFAULT 20 CHECK (min_length BETWEEN 1 AND 4000),
    review_mode  TEXT    NOT NULL DEFAULT 'off' CHECK (review_mode IN ('off', 'new', 'all')),
    delay        INTEGER NOT NULL DEFAULT 0,      -- 1: publish 1-10 minutes after Post, at random
    next_number  INTEGER NOT NULL DEFAULT 1,      -- the next "Story #N" in this server
    updated_at   TEXT    NOT NULL
);

-- One story. body is NULL once it is published (it lives in Discord), declined, or removed.
-- created_at is rounded to the hour so it does not line up with anything that names a member.
CREATE TABLE stories (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id         INTEGER NOT NULL,
    circle_id        INTEGER NOT NULL,
    number           INTEGER NOT NULL,
    author_key       TEXT    NOT NULL,
    receipt_hash     TEXT    NOT NULL UNIQUE,
    title            TEXT,
    content_warning  TEXT,
    body             TEXT,
    state            TEXT    NOT NULL CHECK (state IN
                     ('review', 'scheduled', 'ready', 'publishing', 'published', 'declined', 'removed')),
    crisis           INTEGER NOT NULL DEFAULT 0,  -- held for moderators because of crisis language
    decline_reason   TEXT,
    channel_id       INTEGER,                     -- the stories channel posted in
    thread_id        INTEGER,                     -- the story's thread (a forum post is its thread)
    message_id       INTEGER,                     -- the starter message (threads mode)
    queue_message_id INTEGER,                     -- the review card in the moderators' queue
    publish_at       TEXT,
    created_at       TEXT    NOT NULL,
    published_at     TEXT,
    UNIQUE (guild_id, number)
);
CREATE INDEX stories_state ON stories (guild_id, state);
CREATE INDEX stories_thread ON stories (guild_id, thread_id);
CREATE INDEX stories_author ON stories (guild_id, author_key);

-- How many stories an author key shared on a UTC day (kept after a retraction, so retracting
-- does not reset the limit). Rows older than a couple of days are pruned on the next share.
CREATE TABLE story_quota (
    guild_id   INTEGER NOT NULL,
    author_key TEXT    NOT NULL,
    day        TEXT    NOT NULL,
    shared     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, author_key, day)
) WITHOUT ROWID;

-- Authors blocked from sharing, by key only: moderators never learn who it is.
CREATE TABLE story_blocks (
    guild_id   INTEGER NOT NULL,
    author_key TEXT    NOT NULL,
    until      TEXT    NOT NULL,
    story_id   INTEGER NOT NULL,                  -- the story the block was placed from
    reason     TEXT    NOT NULL DEFAULT '',
    created_at TEXT    NOT NULL,
    PRIMARY KEY (guild_id, author_key)
) WITHOUT ROWID;

-- "Sending support": one row per supporter and story, the supporter as a keyed hash per story.
CREATE TABLE story_support (
    guild_id      INTEGER NOT NULL,
    story_id      INTEGER NOT NULL,
    supporter_key TEXT    NOT NULL,
    PRIMARY KEY (story_id, supporter_key)
) WITHOUT ROWID;

-- What moderators (and authors, anonymously) did to stories. actor_id is the moderator, or NULL
-- for the bot and for the author (a retraction names nobody).
CREATE TABLE story_audit (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id  INTEGER NOT NULL,
    story_id  INTEGER NOT NULL,
    number    INTEGER NOT NULL,
    actor_id  INTEGER,
    action    TEXT    NOT NULL,                  -- submitted, approved, declined, published, retracted, removed, blocked, unblocked
    detail    TEXT    NOT NULL DEFAULT '',
    at        TEXT    NOT NULL
);
CREATE INDEX story_audit_story ON story_audit (guild_id, story_id, id);
