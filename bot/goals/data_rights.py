"""The goals' tables in the personal-data registry, and what a member's erasure takes with them.

Goals, pings and partnerships own schedules (``goal_ping`` by goal, ``goal_release`` by ping,
``goal_partner_weekly`` and ``goal_partner_dm`` by partnership): each table's erasure cancels
them with its rows. The weekly recap (``goal_recap``) is owned by the member's user id and is
cancelled by the registry's member schedule kinds.
"""

from __future__ import annotations

from bot.core.db import Conn
from bot.core.personal_data import PersonalTable, register, register_member_schedule_kind
from bot.delivery.schedules import delete_for_owner

GOAL_PING_KIND = "goal_ping"
RELEASE_KIND = "goal_release"
PARTNER_KINDS = ("goal_partner_weekly", "goal_partner_dm")
RECAP_KIND = "goal_recap"


async def _ids(conn: Conn, sql: str, params: tuple[int, ...]) -> list[int]:
    async with conn.execute(sql, params) as cursor:
        return [int(r[0]) for r in await cursor.fetchall()]


async def _cancel(conn: Conn, guild_id: int, kinds: tuple[str, ...], owners: list[int]) -> None:
    for owner in owners:
        for kind in kinds:
            await delete_for_owner(conn, guild_id, kind, owner)


async def erase_goals(conn: Conn, guild_id: int, user_id: int) -> int:
    owners = await _ids(conn, "SELECT id FROM goals WHERE guild_id = ? AND user_id = ?", (guild_id, user_id))
    await _cancel(conn, guild_id, (GOAL_PING_KIND,), owners)
    cursor = await conn.execute("DELETE FROM goals WHERE guild_id = ? AND user_id = ?", (guild_id, user_id))
    return cursor.rowcount


async def erase_pings(conn: Conn, guild_id: int, user_id: int) -> int:
    owners = await _ids(conn, "SELECT id FROM goal_pings WHERE guild_id = ? AND user_id = ?", (guild_id, user_id))
    await _cancel(conn, guild_id, (RELEASE_KIND,), owners)
    cursor = await conn.execute("DELETE FROM goal_pings WHERE guild_id = ? AND user_id = ?", (guild_id, user_id))
    return cursor.rowcount


async def erase_partners(conn: Conn, guild_id: int, user_id: int) -> int:
    params = (guild_id, user_id, user_id)
    owners = await _ids(conn, "SELECT id FROM goal_partners WHERE guild_id = ? AND (owner_id = ? OR partner_id = ?)",
                        params)
    await _cancel(conn, guild_id, PARTNER_KINDS, owners)
    cursor = await conn.execute("DELETE FROM goal_partners WHERE guild_id = ? AND (owner_id = ? OR partner_id = ?)",
                                params)
    return cursor.rowcount


register(PersonalTable(
    "goals", "goals", "your goals, their hard-day minimums, times and where pings go",
    "until you delete them", "nobody but you", ("user_id",), erase=erase_goals,
))
register(PersonalTable(
    "goal_pings", "goals", "each goal ping, your answer and your private notes",
    "one year", "nobody but you (partners see weekly counts only, never notes)", ("user_id",),
    erase=erase_pings, retention_setting="retention_goal_answers_days", age_column="scheduled_at",
))
register(PersonalTable(
    "goal_partners", "goals", "accountability partnerships you asked for or accepted",
    "until either of you ends it", "you and your partner", ("owner_id", "partner_id"), erase=erase_partners,
))
register(PersonalTable(
    "goal_partner_declines", "goals", "that an invitation to be accountability partners was declined, which holds"
    " the same invitation for 30 days", "30 days, then deleted", "nobody (the inviter is only told when they may"
    " ask again)", ("owner_id", "partner_id"),
))
register(PersonalTable(
    "goal_members", "goals", "your weekly recap day and whether a closed-DM notice is waiting for you",
    "until you change or delete them", "nobody but you", ("user_id",),
))
register_member_schedule_kind(RECAP_KIND)
