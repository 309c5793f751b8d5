"""A member left the server: their goal pings, weekly recap and partnerships stop.

Goals are paused (reason ``left``), not deleted: a member who comes back finds them and resumes
with ``/goal resume``; ``/privacy delete`` erases them. Partnerships the member was in, on either
side, end (a partner's weekly update about someone who left, or to someone who left, helps
nobody), with their schedules. The recap schedule goes and the recap day is cleared.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.core.db import Conn
from bot.delivery import schedules
from bot.goals.data_rights import RECAP_KIND, erase_partners
from bot.goals.records import get_goal, set_status

log = logging.getLogger(__name__)

LEFT_REASON = "left"


@dataclass(frozen=True)
class Left:
    goals_paused: int
    partnerships_ended: int


async def member_left(conn: Conn, now: datetime, guild_id: int, user_id: int) -> Left:
    """In the caller's transaction: stop everything goals would send the member or about them."""
    async with conn.execute("SELECT id FROM goals WHERE guild_id = ? AND user_id = ? AND status = 'active'",
                            (guild_id, user_id)) as cursor:
        ids = [int(r[0]) for r in await cursor.fetchall()]
    goals = [g for g in [await get_goal(conn, guild_id, i) for i in ids] if g is not None]
    for goal in goals:
        await set_status(conn, now, goal, False, LEFT_REASON)
    ended = await erase_partners(conn, guild_id, user_id)
    await schedules.delete_for_owner(conn, guild_id, RECAP_KIND, user_id)
    await conn.execute("UPDATE goal_members SET summary_weekday = NULL WHERE guild_id = ? AND user_id = ?",
                       (guild_id, user_id))
    # Ids and counts only: never which goals.
    log.info("goals stopped for a member who left guild_id=%s goals=%d partnerships=%d", guild_id, len(goals), ended)
    return Left(len(goals), ended)
