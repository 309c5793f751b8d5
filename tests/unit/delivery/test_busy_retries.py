"""BusyRetries: a gateway-event write that finds the database busy is tried again on the bot's
clock until it goes through; a newer event with the same key replaces it; a stop tries it once
more; other errors are not swallowed."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta

import pytest

from bot.core.clock import FakeClock
from bot.core.errors import DatabaseBusy
from bot.delivery.busy_retries import BusyRetries, retry_delay


class Flaky:
    """A write that finds the database busy ``busy`` times, then goes through."""

    def __init__(self, busy: int, error: BaseException | None = None) -> None:
        self.busy, self.calls, self.done = busy, 0, 0
        self.error = error or sqlite3.OperationalError("database is locked")

    async def __call__(self) -> None:
        self.calls += 1
        if self.calls <= self.busy:
            raise self.error
        self.done += 1


async def settle() -> None:
    for _ in range(10):
        await asyncio.sleep(0)


def test_the_delay_doubles_from_five_seconds_up_to_five_minutes() -> None:
    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [5.0, 10.0, 20.0, 40.0]
    assert retry_delay(30) == 300.0


async def test_a_write_that_goes_through_is_done_at_once(clock: FakeClock) -> None:
    retries, work = BusyRetries(clock), Flaky(0)
    assert await retries.run("k", "test.kind", 1, work) is True
    assert work.done == 1 and retries.waiting() == []


async def test_a_busy_write_is_tried_again_on_the_clock_until_it_goes_through(clock: FakeClock) -> None:
    retries, work = BusyRetries(clock), Flaky(2)
    assert await retries.run("k", "test.kind", 1, work) is False
    assert retries.waiting() == ["test.kind"] and work.calls == 1
    clock.advance(seconds=4)
    await settle()
    assert work.calls == 1, "not before its time"
    clock.advance(seconds=1)
    await settle()
    assert work.calls == 2 and work.done == 0, "tried at 5 s, still busy"
    clock.advance(seconds=9)
    await settle()
    assert work.calls == 2, "the next try is 10 s later"
    clock.advance(seconds=1)
    await settle()
    assert work.done == 1 and retries.waiting() == []


async def test_database_busy_from_an_interactive_wait_counts_as_busy_too(clock: FakeClock) -> None:
    retries, work = BusyRetries(clock), Flaky(1, DatabaseBusy())
    assert await retries.run("k", "test.kind", 1, work) is False
    clock.advance(timedelta(seconds=5))
    await settle()
    assert work.done == 1


async def test_a_newer_event_with_the_same_key_replaces_the_waiting_write(clock: FakeClock) -> None:
    retries, older, newer = BusyRetries(clock), Flaky(5), Flaky(0)
    await retries.run(("members", 1, 2), "members.member_left", 1, older)
    assert await retries.run(("members", 1, 2), "members.member_joined", 1, newer) is True
    clock.advance(seconds=60)
    await settle()
    assert older.calls == 1, "the older write is not run after the newer one"
    assert retries.waiting() == []


async def test_other_errors_are_raised_not_retried(clock: FakeClock) -> None:
    retries = BusyRetries(clock)
    with pytest.raises(sqlite3.OperationalError):
        await retries.run("k", "test.kind", 1, Flaky(1, sqlite3.OperationalError("no such table: x")))
    assert retries.waiting() == []


async def test_a_stop_tries_each_waiting_write_once_more(clock: FakeClock) -> None:
    retries, work = BusyRetries(clock), Flaky(1)
    await retries.run("k", "test.kind", 1, work)
    await retries.stop()
    assert work.done == 1 and retries.waiting() == []


async def test_logs_name_the_kind_and_server_never_the_member(clock: FakeClock, caplog) -> None:
    member = 738_291_046_518_273_049
    retries = BusyRetries(clock)
    caplog.set_level("INFO")
    await retries.run(("circles.member_left", 10, member), "circles.member_left", 10, Flaky(1))
    clock.advance(seconds=5)
    await settle()
    assert "circles.member_left" in caplog.text and "guild_id=10" in caplog.text
    assert str(member) not in caplog.text
