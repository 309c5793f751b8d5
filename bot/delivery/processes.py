"""Live bot processes, and each one's share of Discord's global request budget.

Discord's global limit (about 50 requests a second) is per bot token, not per process. Each
process keeps a heartbeat row in ``bot_processes`` (renewed by the lease loop, every third of a
lease); a row not renewed for a whole lease belongs to a dead process. Every live process spends
``HEADROOM`` x limit / (live processes): the shares add up to under the limit. A process that has
just started takes only ``JOINING_RATE`` until every other process has had one tick to see it and
shrink its own share (one third of a lease), so the sum stays under the limit while processes
join; when one dies the others grow their shares a lease later (under-use, never a 429).

One process alone spends ``HEADROOM`` x limit after its first tick, as before leases existed, less
a little: the headroom is what keeps a join within the limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.clock import iso_utc
from bot.core.db import Conn, read_all

HEADROOM = 0.97  # a joining process's JOINING_RATE fits in the rest (1.5 requests a second of 50)
JOINING_RATE = 1.0


@dataclass(frozen=True)
class Share:
    live: int  # live processes, this one included
    settled: bool  # every other process has had a tick to see this one

    def rate(self, limit: float) -> float:
        if not self.settled:
            return min(JOINING_RATE, limit)
        return max(JOINING_RATE, HEADROOM * limit / max(1, self.live))


async def beat(conn: Conn, owner: str, now: datetime, lease: timedelta, started_at: datetime) -> Share:
    """Renew this process's heartbeat and count the live ones (a sweep: processes, not servers)."""
    stamp = iso_utc(now)
    await conn.execute(
        "INSERT INTO bot_processes (owner, started_at, seen_at) VALUES (?, ?, ?)"
        " ON CONFLICT (owner) DO UPDATE SET seen_at = excluded.seen_at, started_at = excluded.started_at",
        (owner, iso_utc(started_at), stamp))
    rows = await read_all(conn, "SELECT owner, seen_at FROM bot_processes WHERE seen_at >= ?",
                          (iso_utc(now - lease),))
    live = len(rows)
    settled = live == 1 or now - started_at >= lease / 3
    return Share(live, settled)


async def forget_dead(conn: Conn, now: datetime, lease: timedelta) -> int:
    """Rows of processes gone for ten leases (a host renamed its processes): no longer kept."""
    cursor = await conn.execute("DELETE FROM bot_processes WHERE seen_at < ?", (iso_utc(now - 10 * lease),))
    return cursor.rowcount
