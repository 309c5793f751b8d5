-- Privacy and operations: each server's retention settings, servers the bot was removed from
-- (purged after a grace period unless the bot is added back), and counts of unexpected errors
-- by kind for /status (never content).

-- Days each kind of record is kept, per server; defaults are the ones PRIVACY.md promises.
CREATE TABLE privacy_settings (
    guild_id                         INTEGER PRIMARY KEY,
    retention_attendance_days        INTEGER NOT NULL DEFAULT 90  CHECK (retention_attendance_days BETWEEN 1 AND 3650),
    retention_goal_answers_days      INTEGER NOT NULL DEFAULT 365 CHECK (retention_goal_answers_days BETWEEN 1 AND 3650),
    retention_cases_days             INTEGER NOT NULL DEFAULT 365 CHECK (retention_cases_days BETWEEN 1 AND 3650),
    retention_declined_stories_days  INTEGER NOT NULL DEFAULT 30  CHECK (retention_declined_stories_days BETWEEN 1 AND 3650),
    departure_grace_days             INTEGER NOT NULL DEFAULT 30  CHECK (departure_grace_days BETWEEN 1 AND 365),
    updated_at                       TEXT NOT NULL
);

-- The bot was removed from this server at left_at; its data goes at purge_at unless it is added back.
CREATE TABLE guild_departures (
    guild_id  INTEGER PRIMARY KEY,
    left_at   TEXT NOT NULL,
    purge_at  TEXT NOT NULL
);

-- Unexpected errors counted per server (0: outside a server), kind and UTC hour ('YYYY-MM-DDTHH').
-- A kind is where and which exception type ('command:privacy export:KeyError'), never a message.
CREATE TABLE error_counts (
    guild_id INTEGER NOT NULL,
    kind     TEXT NOT NULL,
    hour     TEXT NOT NULL,
    count    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, kind, hour)
) WITHOUT ROWID;
CREATE INDEX error_counts_hour ON error_counts (hour);
