"""The one source of "now" in the bot, injectable so tests can move time instead of sleeping."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


class Clock:
    """Real time. Always timezone-aware UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock(Clock):
    """A clock that only moves when told to. Listeners hear every move (the scheduler re-checks)."""

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self._listeners: list[Callable[[datetime], object]] = []
        self._pending: set[asyncio.Future[object]] = set()

    def now(self) -> datetime:
        return self._now

    def on_change(self, listener: Callable[[datetime], object]) -> None:
        self._listeners.append(listener)

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("FakeClock.set needs an aware datetime")
        self._now = when.astimezone(UTC)
        for listener in list(self._listeners):
            result = listener(self._now)
            if asyncio.iscoroutine(result):
                future = asyncio.ensure_future(result)
                self._pending.add(future)
                future.add_done_callback(self._pending.discard)

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        self.set(self._now + (delta or timedelta(**kwargs)))
        return self._now


def utcnow_iso(clock: Clock) -> str:
    """Timestamps stored in the database: ISO 8601 UTC, second precision, sortable as text."""
    return clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
