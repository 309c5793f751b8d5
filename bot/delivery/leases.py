"""Leases on in-flight rows, so several bot processes can share one database.

Three kinds of work are claimed before a Discord call and finished after it: an outbox row
(``pending -> sending``), a story (``ready -> publishing``) and a crisis card's private thread
(``wanted -> creating``). A claim records its **owner** (this process's name) and a **lease**, a
time until which the claim is the owner's alone. While a process lives, one loop renews the
leases of everything it holds (every third of the lease). A process that dies stops renewing:
once its leases run out, any other process puts those rows back (``recover``), and they are done
again, with the same idempotency key or nonce, exactly as a restart would have done.

At start a process takes back at once what it held in an earlier life (same owner name: the
process for a shard range keeps its name across restarts) and rows claimed before leases
existed (no owner); rows another live process holds are left alone. One process on its own (the
README's default) therefore behaves exactly as before: a restart resets its own in-flight rows.

Two processes must never share an owner name (``owner_name``: it is derived from the shard range,
which processes of one bot never share).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.core.clock import Clock, iso_utc
from bot.core.db import Database
from bot.delivery import processes

log = logging.getLogger(__name__)

DEFAULT_LEASE = timedelta(seconds=60)


@dataclass(frozen=True)
class Leased:
    """A table whose rows are claimed: the claimed state, the state a lost claim returns to, and
    what else a return resets (constant SQL, ``?`` placeholders filled with the recovery time)."""
    table: str
    claimed: str
    returns_to: str
    also_set: str = ""
    also_params: int = 0  # how many "now" values ``also_set`` takes


OUTBOX = Leased("outbox", "sending", "pending", ", sending_since = NULL, next_attempt_at = ?", 1)
STORIES = Leased("stories", "publishing", "ready")
CRISIS_THREADS = Leased("case_crisis_threads", "creating", "wanted")
LEASED = (OUTBOX, STORIES, CRISIS_THREADS)


def owner_name(shards: str | None = None) -> str:
    """This process's name in ``lease_owner``: its shard range, stable across restarts."""
    return f"shards {shards}" if shards else "single"


@dataclass(frozen=True)
class Claim:
    """What a claiming UPDATE writes: ``lease_owner = ?, lease_until = ?``."""
    owner: str
    until: str

    SET = "lease_owner = ?, lease_until = ?"

    @property
    def params(self) -> tuple[str, str]:
        return (self.owner, self.until)


@dataclass
class Leases:
    db: Database
    clock: Clock
    owner: str = "single"
    duration: timedelta = DEFAULT_LEASE
    _wakes: dict[str, Callable[[], object]] = field(default_factory=dict)
    # The heartbeat rides on the same loop: each tick tells the budget this process's share.
    on_share: Callable[[processes.Share], object] | None = None
    started_at: datetime | None = None
    _last_beat: datetime | None = None

    def claim(self, now: datetime | None = None) -> Claim:
        return Claim(self.owner, iso_utc((now or self.clock.now()) + self.duration))

    def on_recovered(self, leased: Leased, wake: Callable[[], object]) -> None:
        """``wake`` runs after ``leased`` rows came back from a dead process (its worker looks again)."""
        self._wakes[leased.table] = wake

    async def recover(self, leased: Leased, *, at_start: bool = False) -> int:
        """Put back the claims whose lease ran out; ``at_start`` also this owner's own from an
        earlier life and claims without an owner. A sweep across servers (allow-listed in
        tests/unit/app/test_guild_scoping.py): a dead process held rows of any server."""
        now = iso_utc(self.clock.now())
        mine = " OR lease_owner IS NULL OR lease_owner = ?" if at_start else ""
        params: list[object] = [leased.returns_to, *([now] * leased.also_params), leased.claimed, now]
        if at_start:
            params.append(self.owner)
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                f"UPDATE {leased.table} SET state = ?, lease_owner = NULL, lease_until = NULL{leased.also_set}"
                f" WHERE state = ? AND (lease_until < ?{mine})", params)
        if cursor.rowcount:
            log.warning("claims taken back table=%s count=%s at_start=%s", leased.table, cursor.rowcount, at_start)
        return cursor.rowcount

    async def renew(self) -> int:
        """Extend every lease this process holds (a sweep across servers: its own claims), and its
        heartbeat; the budget hears the process's share of the global limit."""
        now = self.clock.now()
        until = self.claim(now).until
        renewed = 0
        async with self.db.transaction() as conn:
            for leased in LEASED:
                cursor = await conn.execute(
                    f"UPDATE {leased.table} SET lease_until = ? WHERE state = ? AND lease_owner = ?",
                    (until, leased.claimed, self.owner))
                renewed += cursor.rowcount
            if self._last_beat is None or now - self._last_beat > self.duration:
                # First beat, or back from a stall the others took for death: join afresh.
                self.started_at = now
            self._last_beat = now
            assert self.started_at is not None
            share = await processes.beat(conn, self.owner, now, self.duration, self.started_at)
            await processes.forget_dead(conn, now, self.duration)
        if self.on_share is not None:
            self.on_share(share)
        return renewed

    async def tick(self) -> int:
        """One round: renew ours, take back what dead processes held, wake the workers concerned."""
        await self.renew()
        recovered = 0
        for leased in LEASED:
            count = await self.recover(leased)
            recovered += count
            wake = self._wakes.get(leased.table)
            if count and wake is not None:
                wake()
        return recovered

    async def run(self) -> None:
        """The lease loop: a tick every third of the lease, on the injected clock."""
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a busy database: the next tick renews in time (a third of the lease)
                log.error("lease renewal failed error=%s", type(exc).__name__)
            await self.clock.sleep_until(self.clock.now() + self.duration / 3, None)
