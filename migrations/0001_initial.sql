-- Foundation: per-server settings and bot metadata.

-- Key/value facts about the bot itself (e.g. the hash of the last synced command tree).
CREATE TABLE bot_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- One row per Discord server that has run /setup. Every other table is scoped by guild_id too.
CREATE TABLE guild_settings (
    guild_id           INTEGER PRIMARY KEY,
    organiser_role_id  INTEGER,
    moderator_role_id  INTEGER,
    queue_channel_id   INTEGER,
    oncall_role_id     INTEGER,
    crisis_region      TEXT NOT NULL DEFAULT 'US',
    circle_category_id INTEGER,
    timezone           TEXT NOT NULL DEFAULT 'UTC',
    setup_done         INTEGER NOT NULL DEFAULT 0,
    updated_at         TEXT NOT NULL
);
