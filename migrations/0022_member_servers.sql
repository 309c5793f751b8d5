-- Which of the bot's servers each member is in, and the servers' names (issue 28). With several
-- processes by shard range a member's DM reaches shard 0's process, which may not hold their server:
-- "Talk to a moderator now", the crisis card's server buttons and relays read these instead of the
-- process's own guild list. The process holding a server keeps its rows: a member's join and leave,
-- and the whole server's list again whenever the server becomes available.
CREATE TABLE member_servers (
    guild_id INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id)
) WITHOUT ROWID;

CREATE INDEX member_servers_by_user ON member_servers (user_id);

CREATE TABLE server_names (
    guild_id INTEGER PRIMARY KEY,
    name     TEXT    NOT NULL
);
