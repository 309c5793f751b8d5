"""The scheduler's wake-ups: an instant asks for a pass when the clock reaches it, not before;
instants that come together ask once; an earlier instant added while it sleeps is not missed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.core.clock import FakeClock
from bot.delivery.wake_ups import WakeUps

NINE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_instants_wake_when_the_clock_reaches_them_and_together_once() -> None:
    clock = FakeClock(NINE)
    calls: list[datetime] = []
    wakes = WakeUps(clock, lambda: calls.append(clock.now()), sweep_seconds=3600)
    wakes.add([NINE + timedelta(minutes=10), NINE + timedelta(minutes=10, seconds=1), NINE + timedelta(minutes=20)])
    wakes.start()
    await settle()
    clock.set(NINE + timedelta(minutes=9, seconds=59))
    await settle()
    assert calls == [] and len(wakes) == 3

    clock.set(NINE + timedelta(minutes=15))  # two instants came: one call
    await settle()
    assert calls == [NINE + timedelta(minutes=15)]
    assert wakes.instants() == [NINE + timedelta(minutes=20)]
    await wakes.stop()


async def test_an_earlier_instant_added_while_sleeping_cuts_the_sleep_short() -> None:
    clock = FakeClock(NINE)
    calls: list[datetime] = []
    wakes = WakeUps(clock, lambda: calls.append(clock.now()), sweep_seconds=3600)
    wakes.add([NINE + timedelta(minutes=30)])
    wakes.start()
    await settle()
    wakes.add([NINE + timedelta(minutes=5)])
    await settle()
    clock.set(NINE + timedelta(minutes=5))
    await settle()
    assert calls == [NINE + timedelta(minutes=5)]
    await wakes.stop()
    assert len(wakes) == 0


async def test_the_sweep_comes_round_with_nothing_held() -> None:
    clock = FakeClock(NINE)
    calls: list[datetime] = []
    wakes = WakeUps(clock, lambda: calls.append(clock.now()), sweep_seconds=30)
    wakes.start()
    await settle()
    clock.set(NINE + timedelta(seconds=29))
    await settle()
    assert calls == []
    clock.set(NINE + timedelta(minutes=5))  # ten sweeps' worth of time: one call
    await settle()
    assert calls == [NINE + timedelta(minutes=5)]
    await wakes.stop()
