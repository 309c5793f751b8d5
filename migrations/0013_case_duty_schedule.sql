-- Moderators' weekly duty windows (/case duty add|list|remove). A window is wall-clock time in its
-- own IANA time zone: "Monday 22:00 to 02:00 Europe/London" covers Monday 22:00 to Tuesday 02:00
-- local time, whatever the season (computed with zoneinfo). A moderator is on duty when they said
-- so (case_duty) or now falls inside one of their windows; the ladder pages those on duty first.
CREATE TABLE case_duty_windows (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id     INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    weekday      INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),          -- Monday 0 ... Sunday 6, the start's day
    start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),  -- minutes after local midnight
    end_minute   INTEGER NOT NULL CHECK (end_minute BETWEEN 0 AND 1439),    -- exclusive; at or before start: the next day
    timezone     TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    CHECK (end_minute <> start_minute)
);
CREATE INDEX case_duty_windows_member ON case_duty_windows (guild_id, user_id);
