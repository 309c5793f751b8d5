"""The scheduler's alarm: wake-up instants held in memory, slept on with the bot's ``Clock``.

The database holds every schedule; this holds only the distinct fire instants of the coming
window (the scheduler decides which, and how many) and a sweep interval, and calls ``on_wake``
when an instant comes or the sweep is due. One task sleeps with
``clock.sleep_until(earliest, wake=changed)``: the real clock sleeps on real time, a ``FakeClock``
wakes it when a test moves it, so tests take production's path and nothing branches on the
clock's type. Instants that come together (a burst, sweeps passed while the loop waited) give one
call: ``on_wake`` only asks for a pass, and passes read what is due from the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from bot.core.clock import Clock


class WakeUps:
    def __init__(self, clock: Clock, on_wake: Callable[[], None], *, sweep_seconds: float) -> None:
        self.clock = clock
        self._on_wake = on_wake
        self._sweep = timedelta(seconds=sweep_seconds)
        self._held: set[datetime] = set()
        self._heap: list[datetime] = []  # the same instants, earliest first
        self._changed = asyncio.Event()  # an instant earlier than the one slept for was added
        self._next_sweep: datetime | None = None
        self._task: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        return len(self._held)

    def __contains__(self, instant: object) -> bool:
        return instant in self._held

    def instants(self) -> list[datetime]:
        """The instants held, earliest first."""
        return sorted(self._held)

    def add(self, instants: Iterable[datetime]) -> None:
        earliest = self._heap[0] if self._heap else None
        for instant in instants:
            if instant not in self._held:
                self._held.add(instant)
                heapq.heappush(self._heap, instant)
        if self._heap and (earliest is None or self._heap[0] < earliest):
            self._changed.set()

    def drop_until(self, now: datetime) -> bool:
        """Forget the instants at or before ``now``; True if there were any."""
        dropped = False
        while self._heap and self._heap[0] <= now:
            self._held.discard(heapq.heappop(self._heap))
            dropped = True
        return dropped

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._next_sweep = self.clock.now() + self._sweep
            self._task = asyncio.create_task(self._run(), name="scheduler-wake-ups")

    async def stop(self) -> None:
        task, self._task = self._task, None
        self._held.clear()
        self._heap.clear()
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        assert self._next_sweep is not None
        while True:
            now = self.clock.now()
            due = self.drop_until(now)
            if now >= self._next_sweep:
                due = True
                self._next_sweep = now + self._sweep
            if due:
                self._on_wake()
            target = min(self._heap[0], self._next_sweep) if self._heap else self._next_sweep
            # No await between reading the earliest instant and sleeping: an add() from now on
            # sets the event and cuts the sleep short.
            self._changed.clear()
            await self.clock.sleep_until(target, wake=self._changed)
