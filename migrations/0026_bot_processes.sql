-- Issue 28, one REST budget for the bot token: each live bot process keeps a heartbeat row
-- (bot/delivery/processes.py); every process spends limit / (live processes) of Discord's global
-- request budget. Process names (a shard range) and times only.
CREATE TABLE bot_processes (
    owner      TEXT PRIMARY KEY,
    started_at TEXT NOT NULL,
    seen_at    TEXT NOT NULL
);
