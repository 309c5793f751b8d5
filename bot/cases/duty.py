"""Moderators on duty (table case_duty): /case on-duty on|off. The ladder pages them first."""

from __future__ import annotations

from bot.core.clock import Clock, iso_utc
from bot.core.db import Database


async def set_on_duty(db: Database, clock: Clock, guild_id: int, user_id: int, on: bool) -> None:
    if on:
        await db.execute("INSERT INTO case_duty (guild_id, user_id, since) VALUES (?, ?, ?)"
                         " ON CONFLICT (guild_id, user_id) DO NOTHING", (guild_id, user_id, iso_utc(clock.now())))
    else:
        await db.execute("DELETE FROM case_duty WHERE guild_id = ? AND user_id = ?", (guild_id, user_id))


async def duty_list(db: Database, guild_id: int) -> list[int]:
    rows = await db.fetchall("SELECT user_id FROM case_duty WHERE guild_id = ? ORDER BY since", (guild_id,))
    return [int(r[0]) for r in rows]
