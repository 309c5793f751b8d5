"""When the bot is removed from a server: its data goes after a grace period, unless it is added back.

``mark_departure`` records the removal (table ``guild_departures``) and schedules a one-off purge
at the end of the server's grace period; ``cancel_departure`` (the bot was added back) removes
both, so everything is as it was. ``purge_guild`` deletes every row of the server in every table
that has a ``guild_id`` column, personal tables through their declared ``erase_server``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.core.clock import iso_utc
from bot.core.db import Conn, tables_with_column
from bot.core.personal_data import personal_tables
from bot.delivery import schedules
from bot.delivery.recurrence import Recurrence
from bot.privacy.settings import read_privacy_settings

log = logging.getLogger(__name__)

PURGE_KIND = "privacy_purge"


async def mark_departure(conn: Conn, guild_id: int, now: datetime) -> datetime:
    """Record that the bot left; returns when the server's data will be deleted."""
    grace = (await read_privacy_settings(conn, guild_id)).departure_grace_days
    purge_at = (now + timedelta(days=grace)).replace(microsecond=0)
    await conn.execute(
        "INSERT INTO guild_departures (guild_id, left_at, purge_at) VALUES (?, ?, ?)"
        " ON CONFLICT (guild_id) DO UPDATE SET left_at = excluded.left_at, purge_at = excluded.purge_at",
        (guild_id, iso_utc(now), iso_utc(purge_at)),
    )
    await schedules.delete_for_owner(conn, guild_id, PURGE_KIND, 0)
    await schedules.create(conn, now, guild_id=guild_id, kind=PURGE_KIND, owner_id=0,
                           rule=Recurrence.once(purge_at))
    return purge_at


async def cancel_departure(conn: Conn, guild_id: int) -> bool:
    """The bot is back: forget the departure. True when one was pending."""
    cursor = await conn.execute("DELETE FROM guild_departures WHERE guild_id = ?", (guild_id,))
    await schedules.delete_for_owner(conn, guild_id, PURGE_KIND, 0)
    return cursor.rowcount > 0


async def departure_of(conn: Conn, guild_id: int) -> str | None:
    async with conn.execute("SELECT purge_at FROM guild_departures WHERE guild_id = ?", (guild_id,)) as cursor:
        row = await cursor.fetchone()
    return None if row is None else str(row[0])


async def due_departures(conn: Conn, now: datetime) -> list[int]:
    """Servers whose grace period has ended (their purge may not have run: a crash, a restart)."""
    async with conn.execute(
        "SELECT guild_id FROM guild_departures WHERE purge_at <= ? ORDER BY guild_id", (iso_utc(now),)
    ) as cursor:
        return [int(r[0]) for r in await cursor.fetchall()]


async def purge_if_due(conn: Conn, guild_id: int, now: datetime) -> dict[str, int] | None:
    """Purge ``guild_id`` when its departure is still recorded and due; None otherwise."""
    purge_at = await departure_of(conn, guild_id)
    if purge_at is None or purge_at > iso_utc(now):
        return None  # the bot came back, or the grace period was moved on
    return await purge_guild(conn, guild_id)


async def tables_with_guild_id(conn: Conn) -> list[str]:
    return await tables_with_column(conn, "guild_id")


async def purge_guild(conn: Conn, guild_id: int) -> dict[str, int]:
    """Delete everything of ``guild_id`` in the caller's transaction; rows deleted by table."""
    await conn.execute("PRAGMA defer_foreign_keys = ON")
    declared = {t.table: t for t in personal_tables()}
    deleted: dict[str, int] = {}
    for name in await tables_with_guild_id(conn):
        table = declared.get(name)
        if table is not None:
            count = await table.erase_server(conn, guild_id)
        else:
            cursor = await conn.execute(f"DELETE FROM {name} WHERE guild_id = ?", (guild_id,))
            count = cursor.rowcount
        if count:
            deleted[name] = count
    log.info("server data purged guild_id=%s tables=%d rows=%d", guild_id, len(deleted), sum(deleted.values()))
    return deleted
