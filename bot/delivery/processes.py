"""Live bot processes, and each one's share of Discord's global request budget.

Discord's global limit (about 50 requests a second) is per bot token, not per process. Each
process keeps a heartbeat row in ``bot_processes`` (renewed by the lease loop, every third of a
lease); a row not renewed for a whole lease belongs to a dead process.

- A process without a shard range (``owner_name()`` is "single") holds every shard: no other
  process can share its token, so it spends the whole limit, as before leases existed.
- Processes by shard range split the limit less ``JOIN_ROOM`` among the live ones in whole
  requests a second, the remainder to the first by owner name ([17, 16, 16] of 49 for three):
  each process's budget keeps at most its share in any window of a second by the time Discord
  answered (``bot.delivery.budget``), so whole shares that add up to the limit keep the sum of
  arrivals under it in every second; fractional ones would each be rounded down by the budget's
  window and waste up to a request a second per process. A process that has just started takes
  only ``JOINING_RATE`` (from login, before its first beat, too) until every other process has had
  one tick to see it and shrink its own share (one third of a lease); two joining at once fit in
  the ``JOIN_ROOM`` the settled shares leave, so the sum stays within the limit while processes
  join (three processes started together included); when one dies the others grow their shares
  a lease later (under-use, never a 429).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.clock import iso_utc
from bot.core.db import Conn, read_all

JOINING_RATE = 0.5  # what a process spends until the others have seen it (and before its first beat)
JOIN_ROOM = 1  # requests a second the settled shares leave free: two processes joining at once fit
WHOLE = "single"  # leases.owner_name() of a process without a shard range


@dataclass(frozen=True)
class Share:
    live: int  # live processes, this one included
    settled: bool  # every other process has had a tick to see this one
    rank: int = 0  # this process's place among the live ones, by owner name
    whole: bool = False  # no shard range: the only process its token can have

    def rate(self, limit: float) -> float:
        if self.whole:
            return limit
        if not self.settled:
            return min(JOINING_RATE, limit)
        live = max(1, self.live)
        total = max(live, math.floor(limit - JOIN_ROOM))
        base, extra = divmod(total, live)
        return float(base + (1 if self.rank < extra else 0))


async def beat(conn: Conn, owner: str, now: datetime, lease: timedelta, started_at: datetime) -> Share:
    """Renew this process's heartbeat and count the live ones (a sweep: processes, not servers)."""
    stamp = iso_utc(now)
    await conn.execute(
        "INSERT INTO bot_processes (owner, started_at, seen_at) VALUES (?, ?, ?)"
        " ON CONFLICT (owner) DO UPDATE SET seen_at = excluded.seen_at, started_at = excluded.started_at",
        (owner, iso_utc(started_at), stamp))
    rows = await read_all(conn, "SELECT owner FROM bot_processes WHERE seen_at >= ? ORDER BY owner",
                          (iso_utc(now - lease),))
    owners = [str(r[0]) for r in rows]
    live = len(owners)
    settled = live == 1 or now - started_at >= lease / 3
    return Share(live, settled, owners.index(owner) if owner in owners else 0, owner == WHOLE)


def before_first_beat(whole: bool) -> Share:
    """A process's share from login until its first beat: a process of a fleet joins."""
    return Share(1, whole, whole=whole)


async def forget_dead(conn: Conn, now: datetime, lease: timedelta) -> int:
    """Rows of processes gone for ten leases (a host renamed its processes): no longer kept."""
    cursor = await conn.execute("DELETE FROM bot_processes WHERE seen_at < ?", (iso_utc(now - 10 * lease),))
    return cursor.rowcount
