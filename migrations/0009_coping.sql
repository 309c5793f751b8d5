-- Coping: shared strategies, small wins, curated resources. Every table carries guild_id and every
-- query filters on it. Anonymous posts store NO author id (author_id is NULL); nothing links them
-- to the member who wrote them.

-- A strategy a member shared in a circle: text already screened (profanity censored, links
-- wrapped in <> so Discord shows but does not embed them). helped_count mirrors coping_helped.
CREATE TABLE coping_strategies (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id     INTEGER NOT NULL,
    circle_id    INTEGER NOT NULL REFERENCES circles (id),
    author_id    INTEGER,                 -- NULL: shared anonymously
    category     TEXT NOT NULL,
    body         TEXT NOT NULL,
    helps_with   TEXT NOT NULL DEFAULT '',
    helped_count INTEGER NOT NULL DEFAULT 0,
    pinned_at    TEXT,
    pinned_by    INTEGER,
    removed_at   TEXT,
    removed_by   INTEGER,
    created_at   TEXT NOT NULL
);
CREATE INDEX coping_strategies_browse ON coping_strategies (guild_id, circle_id, removed_at, category);

-- "This helped me too": one row per member and strategy (personal data: who found what helpful).
CREATE TABLE coping_helped (
    guild_id    INTEGER NOT NULL,
    strategy_id INTEGER NOT NULL REFERENCES coping_strategies (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    at          TEXT NOT NULL,
    PRIMARY KEY (strategy_id, user_id)
);

-- A member's private list of saved strategies.
CREATE TABLE coping_saved (
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    strategy_id INTEGER NOT NULL REFERENCES coping_strategies (id) ON DELETE CASCADE,
    saved_at    TEXT NOT NULL,
    PRIMARY KEY (user_id, strategy_id)
);
CREATE INDEX coping_saved_member ON coping_saved (guild_id, user_id, saved_at);

-- A small win. recap_name: the author (named posts only) agreed to be named in the weekly recap.
CREATE TABLE coping_wins (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id    INTEGER NOT NULL,
    circle_id   INTEGER NOT NULL REFERENCES circles (id),
    author_id   INTEGER,                  -- NULL: shared anonymously
    recap_name  INTEGER NOT NULL DEFAULT 0 CHECK (recap_name IN (0, 1)),
    body        TEXT NOT NULL,
    cheer_count INTEGER NOT NULL DEFAULT 0,
    removed_at  TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX coping_wins_week ON coping_wins (guild_id, circle_id, created_at);

-- Celebrate presses: one per member and win.
CREATE TABLE coping_cheers (
    guild_id INTEGER NOT NULL,
    win_id   INTEGER NOT NULL REFERENCES coping_wins (id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL,
    at       TEXT NOT NULL,
    PRIMARY KEY (win_id, user_id)
);

-- Trusted resources curated by organisers (circle_id NULL: the whole server) and facilitators.
CREATE TABLE coping_resources (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id   INTEGER NOT NULL,
    circle_id  INTEGER REFERENCES circles (id),
    title      TEXT NOT NULL,
    url        TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    position   INTEGER NOT NULL,
    added_by   INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX coping_resources_list ON coping_resources (guild_id, circle_id, position);

-- Who pinned, unpinned or removed a strategy, and changed resources: ids and actions, no text.
CREATE TABLE coping_audit (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id    INTEGER NOT NULL,
    circle_id   INTEGER,
    actor_id    INTEGER NOT NULL,
    action      TEXT NOT NULL,            -- pin, unpin, remove, resource_add, resource_remove, resource_move
    target_kind TEXT NOT NULL,            -- strategy, resource
    target_id   INTEGER NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX coping_audit_guild ON coping_audit (guild_id, at);
