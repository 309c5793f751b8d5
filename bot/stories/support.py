"""'Sending support' on a story: unique supporters counted by a keyed hash per story, never their ids."""

from __future__ import annotations

from bot.core.db import Conn, read_one
from bot.stories.keys import supporter_key


async def add_support(conn: Conn, guild_id: int, story_id: int, user_id: int) -> bool:
    """True when this member had not yet sent support to this story."""
    cursor = await conn.execute(
        "INSERT INTO story_support (guild_id, story_id, supporter_key) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        (guild_id, story_id, supporter_key(guild_id, story_id, user_id)))
    return cursor.rowcount == 1


async def support_count(conn: Conn, guild_id: int, story_id: int) -> int:
    row = await read_one(conn, "SELECT count(*) FROM story_support WHERE guild_id = ? AND story_id = ?",
                         (guild_id, story_id))
    return int(row[0]) if row else 0
