"""The one source of "now" in the bot, injectable so tests can move time instead of sleeping."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any


class Clock:
    """Real time. Always timezone-aware UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep_until(self, when: datetime | None, wake: asyncio.Event | None = None) -> None:
        """Return at ``when`` (None: never) or as soon as ``wake`` is set, whichever is first."""
        delay = None if when is None else max(0.0, (when - self.now()).total_seconds())
        if wake is None:
            if delay is None:
                await asyncio.Event().wait()
            await asyncio.sleep(delay or 0)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), timeout=delay)


class FakeClock(Clock):
    """A clock that only moves when told to. Listeners hear every move (the scheduler re-checks)."""

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self._listeners: list[Callable[[datetime], object]] = []
        # Futures of tasks in sleep_until: resolved on every move so they re-check the time.
        self._sleepers: list[asyncio.Future[None]] = []
        self._tasks: set[asyncio.Future[object]] = set()  # listener coroutines, kept from the GC

    def now(self) -> datetime:
        return self._now

    def on_change(self, listener: Callable[[datetime], object]) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[datetime], object]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("FakeClock.set needs an aware datetime")
        self._now = when.astimezone(UTC)
        sleepers, self._sleepers = self._sleepers, []
        for future in sleepers:
            if not future.done():
                future.set_result(None)
        for listener in list(self._listeners):
            result = listener(self._now)
            if asyncio.iscoroutine(result):
                task = asyncio.ensure_future(result)
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        self.set(self._now + (delta or timedelta(**kwargs)))
        return self._now

    async def sleep_until(self, when: datetime | None, wake: asyncio.Event | None = None) -> None:
        """Fake time never passes by itself: wait for the clock to be moved past ``when``."""
        loop = asyncio.get_running_loop()
        while (when is None or self._now < when) and not (wake is not None and wake.is_set()):
            moved: asyncio.Future[None] = loop.create_future()
            self._sleepers.append(moved)
            waits: set[asyncio.Future[Any]] = {moved}
            woken = asyncio.ensure_future(wake.wait()) if wake is not None else None
            if woken is not None:
                waits.add(woken)
            try:
                await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for future in waits:
                    if not future.done():
                        future.cancel()


def iso_utc(when: datetime) -> str:
    """Timestamps stored in the database: ISO 8601 UTC, second precision, sortable as text."""
    if when.tzinfo is None:
        raise ValueError("iso_utc needs an aware datetime")
    # isoformat() is several times faster than strftime(_ISO), and the scheduler formats a lot.
    return when.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def parse_iso_utc(text: str) -> datetime:
    """The inverse of ``iso_utc``."""
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None or parsed.utcoffset() != timedelta(0):
        raise ValueError(f"not a UTC timestamp: {text!r}")
    return parsed.astimezone(UTC)


def utcnow_iso(clock: Clock) -> str:
    """Timestamps stored in the database: ISO 8601 UTC, second precision, sortable as text."""
    return iso_utc(clock.now())
