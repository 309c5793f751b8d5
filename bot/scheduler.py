"""Runs schedules: the database holds every schedule; APScheduler only holds wake-ups.

How it works
- Each schedule row carries ``next_fire_at`` (UTC). ``run_due()`` takes every active schedule of a
  registered kind whose ``next_fire_at`` has come, and inside one transaction per batch (one
  savepoint per schedule) moves the schedule past the occurrence and calls the kind's handler,
  which updates its own state and enqueues outbox rows on the same connection. A crash anywhere
  rolls the whole occurrence back, so it is handled again after a restart, exactly once.
- Occurrences are computed by ``bot.recurrence`` in local time, so a daily 02:30 Europe/Berlin
  fires once on both DST change days; ``schedules.last_key`` (the occurrence's nominal local
  time) additionally guards against handling the same occurrence twice.
- With the real clock, APScheduler (``AsyncIOScheduler``, in-memory store) holds one
  ``DateTrigger`` job per distinct fire instant inside a rolling window (``window_minutes``,
  at most ``max_wake_jobs``), plus one interval job that sweeps for due work and refills the
  window. 100,000 schedules therefore cost a few hundred small jobs, not 100,000 cron jobs, and
  APScheduler's cron trigger (which fires twice on fall-back) is never used.
- With a ``FakeClock``, nothing waits on real time: every move of the clock runs ``run_due()``.

Missed occurrences (the bot was down, or paused) follow the kind's ``MissedPolicy``: only the
latest due occurrence of a schedule can be sent, and only if it is on time (within
``ON_TIME``) or, for ``LATE`` kinds, within the grace window, marked late. Everything older is
recorded as missed. A restart after a day down sends at most one late message per schedule.

Handlers must not open their own transaction (the scheduler holds the write lock) and must not
call Discord: they write state and enqueue outbox rows with the connection they are given.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiosqlite
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_RUNNING
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot import schedules
from bot.clock import Clock, FakeClock, iso_utc
from bot.config import SchedulerSettings
from bot.db import Database
from bot.schedules import Schedule

if TYPE_CHECKING:
    from bot.outbox import Outbox

log = logging.getLogger(__name__)

# An occurrence handled this long after its instant still counts as on time (not late).
ON_TIME = timedelta(minutes=5)
# Occurrences of one schedule counted in one pass after a long downtime (daily: ~3 years).
MAX_CATCH_UP = 1000
# Missed occurrences logged individually per schedule and pass; the rest are only counted.
MAX_MISSES_LOGGED = 50
# A handler that takes longer is abandoned (its work rolled back) and logged as an error.
HANDLER_TIMEOUT = 30.0
# How long logged missed/late/error occurrences are kept.
OCCURRENCE_RETENTION = timedelta(days=30)


def where_raised(exc: BaseException) -> str:
    """'file.py:123 in function' of the innermost frame: a location, no values."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "?"
    last = frames[-1]
    return f"{Path(last.filename).name}:{last.lineno} in {last.name}"


class MissedPolicy(enum.Enum):
    """What to do with an occurrence that fell while the bot was down."""

    LATE = "late"  # send the latest one, marked late, if within the grace window
    SKIP = "skip"  # send nothing, record it as missed


@dataclass(frozen=True)
class Occurrence:
    """One occurrence handed to a kind's handler."""

    schedule_id: int
    kind: str
    guild_id: int
    owner_id: int
    payload: dict[str, Any]
    scheduled_at: datetime  # UTC instant of the occurrence
    local_time: datetime  # the same instant in the schedule's zone (for wording)
    key: str  # '<kind>:<schedule id>:<nominal local time>': unique, use it in outbox keys
    late: bool  # True when sent after downtime under MissedPolicy.LATE


Handler = Callable[[aiosqlite.Connection, Occurrence], Awaitable[None]]


@dataclass(frozen=True)
class KindRegistration:
    handler: Handler
    policy: MissedPolicy
    grace: timedelta


class Scheduler:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: SchedulerSettings,
        *,
        outbox: Outbox | None = None,
        batch_size: int = 200,
        max_wake_jobs: int = 500,
        sweep_seconds: float = 30.0,
    ) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings
        self.outbox = outbox
        self.batch_size = batch_size
        self.max_wake_jobs = max_wake_jobs
        self.window = timedelta(minutes=settings.window_minutes)
        # The sweep must come round at least once per window, or instants could slip through.
        self.sweep_seconds = min(sweep_seconds, self.window.total_seconds() / 2)
        self._kinds: dict[str, KindRegistration] = {}
        self._aps = AsyncIOScheduler(
            jobstores={"default": MemoryJobStore()},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone="UTC",
        )
        self._wakes: set[datetime] = set()
        self._lock = asyncio.Lock()
        self._dirty = False
        self._runner: asyncio.Task[None] | None = None
        self._started = False
        self._fake = isinstance(clock, FakeClock)
        self._last_prune: datetime | None = None

    # -- registration -------------------------------------------------------------------------

    def register_kind(
        self,
        kind: str,
        handler: Handler,
        policy: MissedPolicy = MissedPolicy.LATE,
        *,
        grace: timedelta | None = None,
    ) -> None:
        """Declare how occurrences of ``kind`` are handled and what happens to missed ones."""
        if kind in self._kinds:
            raise ValueError(f"schedule kind {kind!r} is already registered")
        if not isinstance(policy, MissedPolicy):
            raise TypeError("policy must be a MissedPolicy")
        grace = grace if grace is not None else timedelta(minutes=self.settings.late_grace_minutes)
        self._kinds[kind] = KindRegistration(handler, policy, grace)
        if self._started:
            self._kick()

    @property
    def kinds(self) -> dict[str, KindRegistration]:
        return dict(self._kinds)

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Apply missed policies to everything that fell due while down, fill the window of
        wake-ups, then start APScheduler."""
        if self._started:
            return
        await self._warn_unregistered()
        handled = await self.run_due()
        if handled:
            log.info("scheduler caught up occurrences=%s", handled)
        if self._fake:
            assert isinstance(self.clock, FakeClock)
            self.clock.on_change(self._on_clock)
        else:
            await self._refill()
            self._aps.add_job(
                self._on_sweep, IntervalTrigger(seconds=self.sweep_seconds), id="sweep", replace_existing=True
            )
        # Jobs added above are pending until now: start() adds them all with one wake-up.
        self._aps.start()
        self._started = True

    async def shutdown(self) -> None:
        if not self._started:
            return
        self._started = False
        if self._fake:
            assert isinstance(self.clock, FakeClock)
            self.clock.remove_listener(self._on_clock)
        if self._aps.running:
            self._aps.shutdown(wait=False)
        self._wakes.clear()
        runner = self._runner
        if runner is not None and not runner.done():
            # Let a pass in progress finish its transaction; cancelling mid-way is also safe
            # (the transaction rolls back) but wastes the work.
            try:
                await asyncio.wait_for(asyncio.shield(runner), timeout=HANDLER_TIMEOUT)
            except TimeoutError:
                runner.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await runner

    # -- waking -------------------------------------------------------------------------------

    def notify(self, when: Schedule | datetime | None) -> None:
        """Tell the scheduler a schedule was created or moved (call after the commit)."""
        if isinstance(when, Schedule):
            when = when.next_fire_at if when.active else None
        if when is None or not self._started:
            return
        now = self.clock.now()
        if when <= now:
            self._kick()
        elif not self._fake and when <= now + self.window:
            self._add_wakes([when])

    def _on_clock(self, _now: datetime) -> None:
        self._kick()

    def _kick(self) -> None:
        """Run a pass soon; passes never overlap and requests during one merge into one more."""
        self._dirty = True
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # the clock moved outside the event loop; the next pass will see it
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self._run_passes(), name="scheduler-pass")

    async def _run_passes(self) -> None:
        while self._dirty:
            self._dirty = False
            try:
                await self.run_due()
                await self._refill()
                await self._prune()
            except Exception:
                log.exception("scheduler pass failed")

    async def _on_wake(self, instant: datetime) -> None:
        self._wakes.discard(instant)
        self._kick()

    async def _on_sweep(self) -> None:
        self._kick()

    async def _refill(self) -> None:
        """Hold a wake-up job for each distinct fire instant in (now, now + window]."""
        if self._fake:
            return
        now = self.clock.now()
        for stale in [w for w in self._wakes if w <= now]:
            self._wakes.discard(stale)
        room = self.max_wake_jobs - len(self._wakes)
        if room <= 0:
            return
        instants = await schedules.upcoming_instants(self.db.conn, now, now + self.window, self.max_wake_jobs)
        self._add_wakes([i for i in instants if i not in self._wakes][:room])

    def _add_wakes(self, instants: list[datetime]) -> None:
        instants = [i for i in instants if i not in self._wakes]
        if not instants:
            return
        # On a running scheduler each add_job queues a wake-up of its own: add them paused.
        running = self._aps.state == STATE_RUNNING
        if running:
            self._aps.pause()
        try:
            for instant in instants:
                self._aps.add_job(
                    self._on_wake,
                    DateTrigger(run_date=instant),
                    args=[instant],
                    id=f"wake:{iso_utc(instant)}",
                    replace_existing=True,
                )
                self._wakes.add(instant)
        finally:
            if running:
                self._aps.resume()

    @property
    def jobs_in_memory(self) -> int:
        """APScheduler jobs currently held (wake-ups plus the sweep)."""
        return len(self._aps.get_jobs())

    # -- processing ---------------------------------------------------------------------------

    async def run_due(self) -> int:
        """Handle every occurrence due at ``clock.now()``; return how many were handled
        (fired, sent late or recorded missed)."""
        handled = 0
        async with self._lock:
            kinds = sorted(self._kinds)
            while kinds:
                now = self.clock.now()
                if not await schedules.any_due(self.db.conn, now, kinds):
                    break  # the common case: no write transaction at all
                async with self.db.transaction() as conn:
                    batch = await schedules.due(conn, now, kinds, self.batch_size)
                    for schedule in batch:
                        handled += await self._process(conn, schedule, now)
                if self.outbox is not None and batch:
                    self.outbox.wake()
                if len(batch) < self.batch_size:
                    break
        return handled

    async def _process(self, conn: aiosqlite.Connection, schedule: Schedule, now: datetime) -> int:
        registration = self._kinds[schedule.kind]
        rule = schedule.rule
        assert schedule.next_fire_at is not None
        instants: list[datetime] = []
        current: datetime | None = schedule.next_fire_at
        while current is not None and current <= now and len(instants) < MAX_CATCH_UP:
            instants.append(current)
            current = rule.next_after(current)
        if current is not None and current <= now:
            current = rule.next_after(now)  # beyond MAX_CATCH_UP: jump; older ones only counted
        next_fire = current
        latest = instants[-1]
        latest_key = schedule.occurrence_key(latest)
        older = instants[:-1]

        lateness = now - latest
        if latest_key == schedule.last_key:
            fire, late = False, False  # already handled once: never again
        elif lateness <= ON_TIME:
            fire, late = True, False
        elif registration.policy is MissedPolicy.LATE and lateness <= registration.grace:
            fire, late = True, True
        else:
            fire, late = False, False
        already = latest_key == schedule.last_key
        missed = len(older) + (0 if fire or already else 1)

        await conn.execute("SAVEPOINT occurrence")
        try:
            moved = await schedules.advance(
                conn, schedule, now, handled_at=latest, handled_key=latest_key,
                next_fire=next_fire, fired=int(fire), missed=missed,
            )
            if not moved:
                return 0
            await self._log_misses(conn, schedule, older, latest if missed > len(older) else None, now)
            if fire:
                occurrence = Occurrence(
                    schedule_id=schedule.id,
                    kind=schedule.kind,
                    guild_id=schedule.guild_id,
                    owner_id=schedule.owner_id,
                    payload=schedule.payload,
                    scheduled_at=latest,
                    local_time=latest.astimezone(rule.zone),
                    key=latest_key,
                    late=late,
                )
                if not await self._call_handler(conn, registration, occurrence):
                    await conn.execute("ROLLBACK TO occurrence")
                    await schedules.advance(
                        conn, schedule, now, handled_at=latest, handled_key=latest_key,
                        next_fire=next_fire, fired=0, missed=len(older),
                    )
                    await self._log_misses(conn, schedule, older, None, now)
                    await schedules.record_occurrence(conn, schedule, latest_key, latest, "error", now)
                elif late:
                    await schedules.record_occurrence(conn, schedule, latest_key, latest, "late", now)
        finally:
            await conn.execute("RELEASE occurrence")
        if missed:
            log.info(
                "schedule occurrences missed schedule=%s kind=%s missed=%s policy=%s",
                schedule.id, schedule.kind, missed, registration.policy.value,
            )
        return len(instants)

    async def _log_misses(
        self,
        conn: aiosqlite.Connection,
        schedule: Schedule,
        older: list[datetime],
        latest: datetime | None,
        now: datetime,
    ) -> None:
        missed = [*older, latest] if latest is not None else list(older)
        for instant in missed[-MAX_MISSES_LOGGED:]:
            await schedules.record_occurrence(conn, schedule, schedule.occurrence_key(instant), instant, "missed", now)

    async def _call_handler(
        self, conn: aiosqlite.Connection, registration: KindRegistration, occurrence: Occurrence
    ) -> bool:
        try:
            async with asyncio.timeout(HANDLER_TIMEOUT):
                await registration.handler(conn, occurrence)
        except TimeoutError:
            log.error(
                "schedule handler timed out schedule=%s kind=%s (handlers must use the connection "
                "they are given, never a transaction of their own)",
                occurrence.schedule_id, occurrence.kind,
            )
            return False
        except Exception as exc:
            # The exception's text may quote member content: log its type and where it was
            # raised, never its message.
            log.error(
                "schedule handler failed schedule=%s kind=%s error=%s at=%s",
                occurrence.schedule_id, occurrence.kind, type(exc).__name__, where_raised(exc),
            )
            return False
        return True

    async def _warn_unregistered(self) -> None:
        rows = await self.db.fetchall(
            "SELECT kind, COUNT(*) FROM schedules WHERE active = 1 AND next_fire_at IS NOT NULL GROUP BY kind"
        )
        for kind, count in rows:
            if kind not in self._kinds:
                log.warning("schedules of an unregistered kind are waiting kind=%s count=%s", kind, count)

    async def _prune(self) -> None:
        now = self.clock.now()
        if self._last_prune is not None and now - self._last_prune < timedelta(days=1):
            return
        self._last_prune = now
        async with self.db.transaction() as conn:
            await schedules.prune_occurrences(conn, now - OCCURRENCE_RETENTION)
