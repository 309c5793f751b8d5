"""Which of the bot's servers a member is in, from the database rather than a process's cache.

With several bot processes by shard range (issue 28) a member's DM reaches the process of shard 0,
which holds only its own servers; the member's may be on another. DM features (the support card,
"Talk to a moderator now", relays) ask here. The process holding a server keeps its rows: joins
and leaves as they happen, and the whole member list again whenever the server becomes available
(a start, a reconnect, the bot added), which also repairs anything missed while it was down.

Why a table of its own: the tables the bot already keeps name only some members (circle seats and
consents: circle members; cases: members who had one), while the support card and crisis DMs are
for every member of a server. Two columns a row, deleted when the member or the bot leaves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.db import Conn, Database, read_all, read_one


@dataclass(frozen=True)
class MemberServer:
    guild_id: int
    name: str


async def servers_of(db: Database, user_id: int) -> list[MemberServer]:
    """The servers ``user_id`` shares with the bot, by name (a server without a known name last)."""
    rows = await read_all(
        db.reader,
        "SELECT m.guild_id, n.name FROM member_servers m LEFT JOIN server_names n ON n.guild_id = m.guild_id"
        " WHERE m.user_id = ? ORDER BY lower(COALESCE(n.name, '')), m.guild_id", (user_id,))
    return [MemberServer(int(r[0]), str(r[1] or "")) for r in rows]


async def is_member(db: Database, guild_id: int, user_id: int) -> bool:
    return await read_one(db.reader, "SELECT 1 FROM member_servers WHERE guild_id = ? AND user_id = ?",
                          (guild_id, user_id)) is not None


async def server_name(db: Database, guild_id: int) -> str | None:
    row = await read_one(db.reader, "SELECT name FROM server_names WHERE guild_id = ?", (guild_id,))
    return None if row is None else str(row[0])


async def joined(conn: Conn, guild_id: int, user_id: int) -> None:
    await conn.execute("INSERT INTO member_servers (guild_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                       (guild_id, user_id))


async def left(conn: Conn, guild_id: int, user_id: int) -> None:
    await conn.execute("DELETE FROM member_servers WHERE guild_id = ? AND user_id = ?", (guild_id, user_id))


async def refresh_server(conn: Conn, guild_id: int, name: str, member_ids: Iterable[int]) -> None:
    """The server's whole member list and name, as the process holding it sees them now."""
    await conn.execute("DELETE FROM member_servers WHERE guild_id = ?", (guild_id,))
    await conn.executemany("INSERT INTO member_servers (guild_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                           [(guild_id, uid) for uid in set(member_ids)])
    await rename_server(conn, guild_id, name)


async def rename_server(conn: Conn, guild_id: int, name: str) -> None:
    await conn.execute("INSERT INTO server_names (guild_id, name) VALUES (?, ?)"
                       " ON CONFLICT (guild_id) DO UPDATE SET name = excluded.name", (guild_id, name))


async def forget_server(conn: Conn, guild_id: int) -> None:
    """The bot left the server: nobody is found there any more."""
    await conn.execute("DELETE FROM member_servers WHERE guild_id = ?", (guild_id,))
    await conn.execute("DELETE FROM server_names WHERE guild_id = ?", (guild_id,))
