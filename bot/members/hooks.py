"""Who must hear when a member changes a setting that moves their pings (their time zone).

Capabilities that schedule things in a member's time zone (goals) add a listener at import; the
members capability calls them in the transaction that saves the new zone. Members imports no
capability: the arrow points from the listeners to here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.core.db import Conn

ZoneListener = Callable[[Conn, datetime, int, int, str], Awaitable[None]]
_ZONE_LISTENERS: list[ZoneListener] = []


def on_zone_change(listener: ZoneListener) -> None:
    if listener not in _ZONE_LISTENERS:
        _ZONE_LISTENERS.append(listener)


async def zone_changed(conn: Conn, now: datetime, guild_id: int, user_id: int, zone: str) -> None:
    for listener in _ZONE_LISTENERS:
        await listener(conn, now, guild_id, user_id, zone)
