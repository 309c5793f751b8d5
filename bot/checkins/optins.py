"""Members' own reminder choices per circle (``checkin_optins``) and "Interested" presses on a
session's Discord event (``checkin_interest``), and who may be pinged right now.

Nothing is sent to anyone who did not ask: a reminder goes to members who turned reminders on
for the circle (at the offsets they chose) or pressed Interested on that session's event. Members
in flare mode or quiet hours get none (``MemberPrefs.may_ping``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.checkins.inputs import DEFAULT_OFFSETS
from bot.core.clock import iso_utc
from bot.core.db import Conn, read_all, read_one
from bot.members.prefs import prefs_on


@dataclass(frozen=True)
class OptIn:
    guild_id: int
    circle_id: int
    user_id: int
    reminders: bool
    offsets: tuple[int, ...]
    start_ping: bool
    pulse: bool


def _offsets(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(",") if p.strip().isdigit()) or DEFAULT_OFFSETS


async def get_optin(conn: Conn, guild_id: int, circle_id: int, user_id: int) -> OptIn | None:
    row = await read_one(
        conn, "SELECT reminders, offsets, start_ping, pulse FROM checkin_optins"
        " WHERE guild_id = ? AND circle_id = ? AND user_id = ?", (guild_id, circle_id, user_id),
    )
    if row is None:
        return None
    return OptIn(guild_id, circle_id, user_id, bool(row[0]), _offsets(row[1]), bool(row[2]), bool(row[3]))


async def save_optin(conn: Conn, now: datetime, optin: OptIn) -> None:
    await conn.execute(
        "INSERT INTO checkin_optins (guild_id, circle_id, user_id, reminders, offsets, start_ping, pulse, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, circle_id, user_id) DO UPDATE SET"
        " reminders = excluded.reminders, offsets = excluded.offsets, start_ping = excluded.start_ping,"
        " pulse = excluded.pulse, updated_at = excluded.updated_at",
        (optin.guild_id, optin.circle_id, optin.user_id, int(optin.reminders),
         ",".join(str(m) for m in optin.offsets), int(optin.start_ping), int(optin.pulse), iso_utc(now)),
    )


async def seated_optins(conn: Conn, guild_id: int, circle_id: int) -> list[OptIn]:
    """Opt-ins of members who hold an active seat in the circle now."""
    rows = await read_all(
        conn, "SELECT o.user_id, o.reminders, o.offsets, o.start_ping, o.pulse FROM checkin_optins o"
        " JOIN circle_seats s ON s.guild_id = o.guild_id AND s.circle_id = o.circle_id AND s.user_id = o.user_id"
        " WHERE o.guild_id = ? AND o.circle_id = ? AND s.status = 'active' ORDER BY o.user_id",
        (guild_id, circle_id),
    )
    return [OptIn(guild_id, circle_id, r[0], bool(r[1]), _offsets(r[2]), bool(r[3]), bool(r[4])) for r in rows]


async def set_interest(conn: Conn, guild_id: int, session_id: int, user_id: int,
                       interested: bool) -> bool:
    """Record or drop an Interested press; True when something changed."""
    if interested:
        cursor = await conn.execute(
            "INSERT INTO checkin_interest (guild_id, session_id, user_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (guild_id, session_id, user_id))
    else:
        cursor = await conn.execute(
            "DELETE FROM checkin_interest WHERE guild_id = ? AND session_id = ? AND user_id = ?",
            (guild_id, session_id, user_id))
    return cursor.rowcount == 1


async def interested_in(conn: Conn, guild_id: int, session_id: int) -> list[int]:
    rows = await read_all(conn, "SELECT user_id FROM checkin_interest WHERE guild_id = ? AND session_id = ?"
                                " ORDER BY user_id", (guild_id, session_id))
    return [r[0] for r in rows]


async def reminder_recipients(conn: Conn, guild_id: int, circle_id: int, session_id: int,
                              offset: int) -> list[int]:
    """Who asked for a reminder ``offset`` minutes before this session (before quiet hours/flare)."""
    chosen = {o.user_id for o in await seated_optins(conn, guild_id, circle_id)
              if o.reminders and offset in o.offsets}
    for user_id in await interested_in(conn, guild_id, session_id):
        optin = await get_optin(conn, guild_id, circle_id, user_id)
        if offset in (optin.offsets if optin is not None else DEFAULT_OFFSETS):
            chosen.add(user_id)
    return sorted(chosen)


async def may_ping(conn: Conn, guild_id: int, user_id: int, now: datetime, server_zone: str) -> bool:
    return (await prefs_on(conn, guild_id, user_id)).may_ping(now, server_zone)
