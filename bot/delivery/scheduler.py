"""Runs schedules: the database holds every schedule; memory only holds wake-ups.

How it works
- Each schedule row carries ``next_fire_at`` (UTC). ``run_due()`` takes every active schedule of a
  registered kind whose ``next_fire_at`` has come and, in one transaction per batch of up to
  ``batch_size`` schedules, calls each kind's handler (which updates its own state and enqueues
  outbox rows on the same connection) and moves the schedules past the occurrences. A crash
  anywhere rolls the batch back, so its occurrences are handled after a restart, exactly once.
- Occurrences are computed by ``bot.delivery.recurrence`` in local time, so a daily 02:30 Europe/Berlin
  fires once on both DST change days; ``schedules.last_key`` (the occurrence's nominal local
  time) additionally guards against handling the same occurrence twice.
- ``WakeUps`` (``bot.delivery.wake_ups``: one task sleeping on the bot's ``Clock``) holds each
  distinct fire instant inside a rolling window (``window_minutes``, at most ``max_wake_jobs``),
  plus a sweep every ``sweep_seconds`` that looks for due work and refills the window. 100,000
  schedules therefore cost a few hundred instants in memory, not 100,000 timers.
- Tests take the same path: moving a ``FakeClock`` wakes that task, which asks for a pass when
  an instant came. Nothing branches on the clock's type.

Start-up never waits for the backlog: ``start()`` fills the window and starts the wake-ups, and
the first pass, the *catch-up*, settles whatever fell due while the bot was down in the
background, batch by batch (one transaction each, yielding to the event loop between them), so
the bot connects at once even after a day down with 100,000 schedules. ``caught_up()`` waits for
it (tests; the status of a fresh start). A crash mid-catch-up loses only the batch in progress,
which rolls back and is handled after the next start, exactly once.

Missed occurrences (the bot was down, or paused) follow the kind's ``MissedPolicy``: only the
latest due occurrence of a schedule can be sent, and only if it is on time (within
``ON_TIME``) or, for ``LATE`` kinds, within the grace window, marked late. Everything older is
recorded as missed. A restart after a day down sends at most one late message per schedule.

Handlers must not open their own transaction (the scheduler holds the write lock) and must not
call Discord: they write state and enqueue outbox rows with the connection they are given. A
batch runs without savepoints for speed; if a handler raises, the whole batch is rolled back and
run again with a savepoint per occurrence, so a handler can be called twice for one occurrence
with only the second call's writes kept: handlers change nothing outside the connection.

A failed occurrence is recorded ``error``. Ordinary kinds then move on; a safety kind
(``bot.delivery.safety.SAFETY_SCHEDULE_KINDS``: the cases' ladder and announcements) stays due and
is retried with backoff (5 s doubling to 2 minutes) until its handler succeeds or its schedule is
deleted (a claim or resolve stops a case's ladder): a page is never dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.core.clock import Clock, iso_utc
from bot.core.config import SchedulerSettings
from bot.core.db import Conn, Database
from bot.delivery import housekeeping, schedules
from bot.delivery.safety import is_safety_kind, retry_delay
from bot.delivery.schedules import Schedule
from bot.delivery.wake_ups import WakeUps

if TYPE_CHECKING:
    from bot.delivery.outbox import Outbox

log = logging.getLogger(__name__)

# An occurrence handled this long after its instant still counts as on time (not late).
ON_TIME = timedelta(minutes=5)
# Occurrences of one schedule counted in one pass after a long downtime (daily: ~3 years).
MAX_CATCH_UP = 1000
# Missed occurrences logged individually per schedule and pass; the rest are only counted.
MAX_MISSES_LOGGED = 50
# A handler that takes longer is abandoned (its work rolled back) and logged as an error.
HANDLER_TIMEOUT = 30.0
# Work done on the event loop between two yields inside a batch (seconds).
STEP_BUDGET = 0.002
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


Handler = Callable[[Conn, Occurrence], Awaitable[None]]


@dataclass(frozen=True)
class KindRegistration:
    handler: Handler
    policy: MissedPolicy
    grace: timedelta


class _HandlerFailed(Exception):
    """A handler failed in a batch run without savepoints: redo the batch carefully."""


@dataclass(frozen=True)
class _Plan:
    """What to do with one due schedule, decided before its handler runs."""

    instants: list[datetime]  # due occurrences, oldest first (at most MAX_CATCH_UP)
    next_fire: datetime | None
    fire: bool
    late: bool
    already: bool  # the latest was handled before (same occurrence key): never again
    keys: list[str]  # occurrence keys of the last MAX_MISSES_LOGGED instants

    @property
    def latest(self) -> datetime:
        return self.instants[-1]

    @property
    def latest_key(self) -> str:
        return self.keys[-1]

    @property
    def missed(self) -> int:
        """Occurrences that count as missed when the handler (if any) succeeds."""
        return len(self.instants) - 1 + (0 if self.fire or self.already else 1)

    def occurrence(self, schedule: Schedule) -> Occurrence:
        return Occurrence(
            schedule_id=schedule.id,
            kind=schedule.kind,
            guild_id=schedule.guild_id,
            owner_id=schedule.owner_id,
            payload=schedule.payload,
            scheduled_at=self.latest,
            local_time=self.latest.astimezone(schedule.rule.zone),
            key=self.latest_key,
            late=self.late,
        )

    def records(self, schedule: Schedule, *, handler_failed: bool) -> list[schedules.OccurrenceRecord]:
        """The occurrence log entries: older ones missed, the latest by what happened to it."""
        pairs = list(zip(self.keys, self.instants[-len(self.keys):], strict=True))
        records = [schedules.OccurrenceRecord(schedule, k, i, "missed") for k, i in pairs[:-1]]
        if handler_failed:
            outcome: str | None = "error"
        elif self.fire:
            outcome = "late" if self.late else None
        else:
            outcome = None if self.already else "missed"
        if outcome is not None:
            records.append(schedules.OccurrenceRecord(schedule, self.latest_key, self.latest, outcome))
        return records


def _plan(schedule: Schedule, now: datetime, registration: KindRegistration) -> _Plan:
    rule = schedule.rule
    assert schedule.next_fire_at is not None
    instants: list[datetime] = []
    current: datetime | None = schedule.next_fire_at
    while current is not None and current <= now and len(instants) < MAX_CATCH_UP:
        instants.append(current)
        current = rule.next_after(current)
    if current is not None and current <= now:
        current = rule.next_after(now)  # beyond MAX_CATCH_UP: jump; older ones only counted
    keys = [schedule.occurrence_key(i) for i in instants[-(MAX_MISSES_LOGGED + 1):]]
    lateness = now - instants[-1]
    already = keys[-1] == schedule.last_key
    if already:
        fire, late = False, False
    elif lateness <= ON_TIME:
        fire, late = True, False
    elif registration.policy is MissedPolicy.LATE and lateness <= registration.grace:
        fire, late = True, True
    else:
        fire, late = False, False
    return _Plan(instants, current, fire, late, already, keys)


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
        self._wakes = WakeUps(clock, self._kick, sweep_seconds=self.sweep_seconds)
        self._lock = asyncio.Lock()
        self._dirty = False
        self._runner: asyncio.Task[None] | None = None
        self._started = False
        self._last_prune: datetime | None = None
        self._stopping = False
        self._catch_up_done = asyncio.Event()
        self._catch_up_error: BaseException | None = None
        self._catch_up_handled = 0
        # Failures in a row of a safety occurrence (schedule id -> count), for its backoff. Kept in
        # memory: after a restart the retries start again from the shortest delay.
        self._failures: dict[int, int] = {}

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
        """Fill the window of wake-ups and start them, then return: occurrences that fell
        due while the bot was down are settled by a background catch-up pass (``caught_up()``
        waits for it), in batches that each hold the event loop for milliseconds, so the bot
        connects at once however large the backlog."""
        if self._started:
            return
        self._stopping = False
        self._catch_up_done.clear()
        self._catch_up_error = None
        self._catch_up_handled = 0
        await self._refill()
        self._wakes.start()
        self._started = True
        # The catch-up is the first pass: requests meanwhile (clock moves, wake-ups, sweeps)
        # merge into the pass that follows it, as with any pass in progress.
        self._runner = asyncio.create_task(self._catch_up(), name="scheduler-catch-up")

    async def caught_up(self) -> int:
        """Wait for the start-up catch-up; return the occurrences it handled. Raises what ended
        it early (a failing database, or a cancelled task as a stand-in for a killed process)."""
        if not self._started and not self._catch_up_done.is_set():
            return 0
        await self._catch_up_done.wait()
        if self._catch_up_error is not None:
            raise self._catch_up_error
        return self._catch_up_handled

    async def _catch_up(self) -> None:
        try:
            await self._warn_unregistered()
            self._catch_up_handled = await self._run_due(stoppable=True)
        except BaseException as exc:
            self._catch_up_error = exc
            if not isinstance(exc, Exception):
                raise  # cancelled: nothing more to run
            log.exception("scheduler catch-up failed; the next pass retries")
        finally:
            self._catch_up_done.set()
        if self._catch_up_handled:
            log.info("scheduler caught up occurrences=%s", self._catch_up_handled)
        self._dirty = True  # refill the window and serve anything asked for meanwhile
        await self._run_passes()

    async def shutdown(self) -> None:
        if not self._started:
            return
        self._started = False
        self._stopping = True  # a catch-up stops after its current batch
        await self._wakes.stop()
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
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if not runner.cancelled() or (task is not None and task.cancelling()):
                    raise  # we are being cancelled, not just the pass
        self._catch_up_done.set()

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
        elif when <= now + self.window:
            self._wakes.add([when])

    def _kick(self) -> None:
        """Run a pass soon; passes never overlap and requests during one merge into one more."""
        if not self._started:
            return  # before start() (which runs a pass itself) or after shutdown()
        self._dirty = True
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # the clock moved outside the event loop; the next pass will see it
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self._run_passes(), name="scheduler-pass")

    async def _run_passes(self) -> None:
        while self._dirty and not self._stopping:
            self._dirty = False
            try:
                await self._run_due(stoppable=True)
                await self._refill()
                await self._prune()
            except Exception:
                log.exception("scheduler pass failed")

    async def _refill(self) -> None:
        """Hold a wake-up for each distinct fire instant in (now, now + window]."""
        now = self.clock.now()
        # Instants already come stay until the wake-up task takes them: one that came during this
        # pass (after its reading of what was due) must still ask for the next pass.
        room = self.max_wake_jobs - len(self._wakes)
        if room <= 0:
            return
        instants = await schedules.upcoming_instants(self.db.reader, now, now + self.window, self.max_wake_jobs)
        self._wakes.add([i for i in instants if i not in self._wakes][:room])

    def wake_ups(self) -> list[datetime]:
        """The fire instants held in memory, earliest first (the sweep comes on top)."""
        return self._wakes.instants()

    # -- processing ---------------------------------------------------------------------------

    async def run_due(self) -> int:
        """Handle every occurrence due at ``clock.now()``; return how many were handled
        (fired, sent late or recorded missed)."""
        return await self._run_due(stoppable=False)

    async def _run_due(self, *, stoppable: bool) -> int:
        handled = 0
        async with self._lock:
            kinds = sorted(self._kinds)
            while kinds and not (stoppable and self._stopping):
                now = self.clock.now()
                if not await schedules.any_due(self.db.reader, now, kinds):
                    break  # the common case: no write transaction at all
                try:
                    count, size = await self._run_batch(now, kinds, careful=False)
                except _HandlerFailed:
                    # Redo the batch with a savepoint per occurrence, so only the failing
                    # handler's writes are undone (the first attempt was rolled back whole).
                    count, size = await self._run_batch(now, kinds, careful=True)
                handled += count
                if self.outbox is not None:
                    self.outbox.wake()
                if size < self.batch_size:
                    break
                # A backlog (after downtime) is many batches: let interaction replies and the
                # outbox, which wait for the same write lock, go between two of them.
                await asyncio.sleep(0)
        return handled

    async def _run_batch(self, now: datetime, kinds: list[str], *, careful: bool) -> tuple[int, int]:
        """One transaction: read a batch of due schedules, call their handlers, move them on.
        Returns (occurrences handled, schedules in the batch)."""
        moves: list[schedules.Advance] = []
        records: list[schedules.OccurrenceRecord] = []
        retries: list[datetime] = []
        handled = 0
        async with self.db.transaction() as conn:
            batch = await schedules.due(conn, now, kinds, self.batch_size, skip_locked=self.db.skip_locked)
            step_began = -STEP_BUDGET  # reading the batch was a step of its own: yield first
            for schedule in batch:
                if time.perf_counter() - step_began > STEP_BUDGET:
                    # Schedules that only record misses never await: without this, a batch of
                    # them would hold the event loop for tens of milliseconds.
                    await asyncio.sleep(0)
                    step_began = time.perf_counter()
                registration = self._kinds[schedule.kind]
                plan = _plan(schedule, now, registration)
                fired = plan.fire
                if plan.fire:
                    if careful:
                        await conn.execute("SAVEPOINT occurrence")
                    fired = await self._call_handler(conn, registration, plan.occurrence(schedule))
                    if not fired and not careful:
                        raise _HandlerFailed
                    if careful:
                        if not fired:
                            await conn.execute("ROLLBACK TO occurrence")
                        await conn.execute("RELEASE occurrence")
                if plan.fire and not fired and is_safety_kind(schedule.kind):
                    # A page must not be dropped: leave the occurrence unhandled and come back to it.
                    failures = self._failures.get(schedule.id, 0) + 1
                    self._failures[schedule.id] = failures
                    retry_at = now + timedelta(seconds=retry_delay(failures))
                    retries.append(retry_at)
                    moves.append(schedules.Advance(schedule, None, None, retry_at, 0, plan.missed))
                    log.warning("safety schedule will be retried schedule=%s kind=%s failures=%s at=%s",
                                schedule.id, schedule.kind, failures, iso_utc(retry_at))
                else:
                    if fired and plan.fire:
                        self._failures.pop(schedule.id, None)
                    moves.append(schedules.Advance(
                        schedule, plan.latest, plan.latest_key, plan.next_fire, int(fired), plan.missed,
                    ))
                records += plan.records(schedule, handler_failed=plan.fire and not fired)
                handled += len(plan.instants)
                if plan.missed:
                    log.info(
                        "schedule occurrences missed schedule=%s kind=%s missed=%s policy=%s",
                        schedule.id, schedule.kind, plan.missed, registration.policy.value,
                    )
            # A handler may have edited or deleted its own schedule: that edit wins (advance()
            # compares the version and skips it).
            await schedules.advance(conn, now, moves)
            await schedules.record_occurrences(conn, now, records)
        if retries and self._started:
            self._wakes.add(retries)
        return handled, len(batch)

    async def _call_handler(
        self, conn: Conn, registration: KindRegistration, occurrence: Occurrence
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
        # Only due rows (an index range, not a scan of every schedule): those are the ones waiting.
        rows = await self.db.fetchall(
            "SELECT kind, COUNT(*) FROM schedules WHERE active = 1 AND next_fire_at IS NOT NULL"
            " AND next_fire_at <= ? GROUP BY kind",
            (iso_utc(self.clock.now()),),
        )
        for kind, count in rows:
            if kind not in self._kinds:
                log.warning("due schedules of an unregistered kind are waiting kind=%s count=%s", kind, count)

    async def _prune(self) -> None:
        now = self.clock.now()
        if self._last_prune is not None and now - self._last_prune < timedelta(days=1):
            return
        self._last_prune = now
        async with self.db.transaction() as conn:
            await schedules.prune_occurrences(conn, now - OCCURRENCE_RETENTION)
            # The daily clean-up: spent outbox rows and one-off schedules, and packages' own rules.
            await housekeeping.prune_all(conn, now)
