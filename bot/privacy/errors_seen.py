"""Unexpected errors counted by kind and hour (table ``error_counts``), for /status. A kind names
where and which exception type ('command:privacy export:KeyError'); never a message or content."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.clock import iso_utc
from bot.core.db import Conn

KEEP = timedelta(days=8)


def hour_of(now: datetime) -> str:
    return iso_utc(now)[:13]


async def record_error(conn: Conn, guild_id: int | None, kind: str, now: datetime) -> None:
    await conn.execute(
        "INSERT INTO error_counts (guild_id, kind, hour, count) VALUES (?, ?, ?, 1)"
        " ON CONFLICT (guild_id, kind, hour) DO UPDATE SET count = error_counts.count + 1",
        (guild_id or 0, kind[:120], hour_of(now)),
    )
    await prune(conn, now)


async def prune(conn: Conn, now: datetime) -> None:
    """Retention: counts older than ``KEEP``, of every server (counts of error kinds, no content)."""
    await conn.execute("DELETE FROM error_counts WHERE hour < ?", (hour_of(now - KEEP),))
