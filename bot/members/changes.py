"""Changing a member's preferences: time zone, quiet hours, and flare breaks (start, end, auto-end).

Each change is one transaction. A flare break has a one-off schedule (kind ``member_flare_off``)
at its end; when it fires, the break ends and a gentle welcome-back DM is queued in the outbox
(exactly once, keyed by the break's end). If the break ends inside the member's quiet hours, the
welcome back waits for them to end (the same kind, once more, with ``welcome`` in its payload).
Nothing is caught up: pings that fell inside the break were never sent or held (goals record them
as flare days).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.core.clock import iso_utc, parse_iso_utc
from bot.core.db import Conn, Database
from bot.core.errors import UserFacingError
from bot.core.messages import Card
from bot.delivery import schedules
from bot.delivery.outbox import Outbox
from bot.delivery.recurrence import Recurrence
from bot.members import wording
from bot.members.hooks import zone_changed
from bot.members.prefs import MemberPrefs, get_prefs
from bot.members.zones import check_zone

FLARE_OFF_KIND = "member_flare_off"


async def _upsert(conn: Conn, now: datetime, guild_id: int, user_id: int, **values: Any) -> None:
    columns = list(values)
    await conn.execute(
        f"INSERT INTO member_prefs (guild_id, user_id, {', '.join(columns)}, updated_at)"
        f" VALUES (?, ?, {', '.join('?' for _ in columns)}, ?)"
        f" ON CONFLICT (guild_id, user_id) DO UPDATE SET "
        + ", ".join(f"{c} = excluded.{c}" for c in columns) + ", updated_at = excluded.updated_at",
        (guild_id, user_id, *values.values(), iso_utc(now)),
    )


async def set_timezone(db: Database, now: datetime, guild_id: int, user_id: int, typed: str) -> str:
    zone = check_zone(typed)
    async with db.transaction() as conn:
        await _upsert(conn, now, guild_id, user_id, timezone=zone)
        await zone_changed(conn, now, guild_id, user_id, zone)
    return zone


async def set_quiet_hours(
    db: Database, now: datetime, guild_id: int, user_id: int, start: str | None, end: str | None
) -> None:
    """start/end are 'HH:MM' (already read by bot.members.timeparse); both None turns them off."""
    if (start is None) != (end is None):
        raise UserFacingError("Please give both a start and an end for quiet hours.")
    if start is not None and start == end:
        raise UserFacingError(wording.QUIET_SAME)
    async with db.transaction() as conn:
        await _upsert(conn, now, guild_id, user_id, quiet_start=start, quiet_end=end)


async def start_flare(db: Database, now: datetime, guild_id: int, user_id: int, days: int) -> datetime:
    if not wording.FLARE_MIN_DAYS <= days <= wording.FLARE_MAX_DAYS:
        raise UserFacingError(wording.FLARE_DAYS)
    until = (now + timedelta(days=days)).replace(microsecond=0)
    async with db.transaction() as conn:
        await _upsert(conn, now, guild_id, user_id, flare_until=iso_utc(until))
        await schedules.delete_for_owner(conn, guild_id, FLARE_OFF_KIND, user_id)
        await schedules.create(conn, now, guild_id=guild_id, kind=FLARE_OFF_KIND, owner_id=user_id,
                               rule=Recurrence.once(until), payload={"until": iso_utc(until)})
    return until


async def end_flare(db: Database, now: datetime, guild_id: int, user_id: int) -> bool:
    """End a flare break early. False when none was on."""
    prefs = await get_prefs(db, guild_id, user_id)
    if not prefs.in_flare(now):
        return False
    async with db.transaction() as conn:
        await _upsert(conn, now, guild_id, user_id, flare_until=None)
        await schedules.delete_for_owner(conn, guild_id, FLARE_OFF_KIND, user_id)
    return True


async def flare_over(
    conn: Conn, now: datetime, guild_id: int, user_id: int, until: str, server_name: str,
    outbox: Outbox, default_zone: str = "UTC", *, welcome_only: bool = False,
) -> bool:
    """The break's one-off schedule fired: end it and queue the welcome back (once), or hold the
    welcome back until the member's quiet hours end. ``welcome_only``: a held welcome back's time
    has come. False when the break was ended or moved meanwhile."""
    async with conn.execute(
        "SELECT timezone, quiet_start, quiet_end, flare_until FROM member_prefs WHERE guild_id = ? AND user_id = ?",
        (guild_id, user_id),
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return False
    prefs = MemberPrefs(guild_id, user_id, row[0], row[1], row[2], row[3])
    if not welcome_only:
        if prefs.flare_until != until or parse_iso_utc(until) > now:
            return False
        await conn.execute(
            "UPDATE member_prefs SET flare_until = NULL, updated_at = ? WHERE guild_id = ? AND user_id = ?",
            (iso_utc(now), guild_id, user_id),
        )
    elif prefs.flare_until is not None:  # a new break started meanwhile: its own end welcomes them
        return False
    if prefs.in_quiet_hours(now, default_zone):
        await schedules.create(conn, now, guild_id=guild_id, kind=FLARE_OFF_KIND, owner_id=user_id,
                               rule=Recurrence.once(prefs.quiet_ends_after(now, default_zone)),
                               payload={"until": until, "welcome": True})
        return True
    card = Card(wording.FLARE_WELCOME_BACK.format(server=server_name))
    await outbox.enqueue(conn, key=f"member_flare_off:{guild_id}:{user_id}:{until}", kind=FLARE_OFF_KIND,
                         guild_id=guild_id, target_kind="dm", target_id=user_id, payload=card.to_payload())
    return True


def describe(prefs: MemberPrefs, default_zone: str) -> str:
    quiet = f"{prefs.quiet_start} to {prefs.quiet_end}" if prefs.quiet_start and prefs.quiet_end else None
    return wording.show(prefs.timezone, default_zone, quiet, prefs.flare_until)
