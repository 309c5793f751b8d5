"""Weekly duty windows: wall-clock time in the window's own zone, across midnight, the week's end
and daylight-saving changes; who is on duty (by hand or by window); bad input changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.cases.duty import DutyWindow, add_window, on_duty, parse_time, remove_window, set_on_duty, windows_of
from bot.core.clock import FakeClock
from bot.core.db import Database
from bot.core.errors import UserFacingError

MON, FRI, SAT, SUN = 0, 4, 5, 6


def window(weekday: int, start: str, end: str, zone: str) -> DutyWindow:
    return DutyWindow(1, 1, 7, weekday, parse_time(start), parse_time(end), zone)


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_a_window_is_local_time_in_winter_and_in_summer() -> None:
    office = window(MON, "09:00", "17:00", "Europe/London")
    assert office.covers(at(2026, 1, 5, 9, 30))       # Monday 09:30 GMT
    assert office.covers(at(2026, 1, 5, 16, 30))      # 16:30 GMT
    assert not office.covers(at(2026, 1, 5, 17, 0))   # the end is exclusive
    assert office.covers(at(2026, 7, 6, 8, 30))       # Monday 09:30 BST = 08:30 UTC
    assert not office.covers(at(2026, 7, 6, 16, 30))  # 17:30 BST: over
    assert not office.covers(at(2026, 1, 6, 9, 30))   # Tuesday


def test_a_window_after_midnight_ends_on_the_next_day() -> None:
    late = window(FRI, "22:00", "02:00", "America/New_York")
    assert late.crosses_midnight
    assert late.covers(at(2026, 1, 10, 3, 0))        # Friday 22:00 EST
    assert late.covers(at(2026, 1, 10, 6, 30))       # Saturday 01:30 EST
    assert not late.covers(at(2026, 1, 10, 7, 0))    # Saturday 02:00: over
    assert not late.covers(at(2026, 1, 10, 2, 59))   # Friday 21:59
    assert not late.covers(at(2026, 1, 9, 4, 0))     # Thursday 23:00
    sunday = window(SUN, "23:00", "01:00", "UTC")
    assert sunday.covers(at(2026, 1, 12, 0, 30)), "Sunday night runs into Monday"
    assert not sunday.covers(at(2026, 1, 6, 0, 30)), "not into Tuesday"


def test_the_night_the_clocks_go_forward_and_back() -> None:
    # New York, Sunday 8 March 2026: 02:00 EST becomes 03:00 EDT.
    night = window(SAT, "23:00", "03:30", "America/New_York")
    assert night.covers(at(2026, 3, 8, 6, 59))       # 01:59 EST
    assert night.covers(at(2026, 3, 8, 7, 0))        # 03:00 EDT, a minute later
    assert not night.covers(at(2026, 3, 8, 7, 30))   # 03:30 EDT: over
    # Sunday 1 November 2026: 01:00-02:00 happens twice; the window covers both.
    repeated = window(SUN, "01:00", "01:30", "America/New_York")
    assert repeated.covers(at(2026, 11, 1, 5, 15))   # 01:15 EDT
    assert repeated.covers(at(2026, 11, 1, 6, 15))   # 01:15 EST
    assert not repeated.covers(at(2026, 11, 1, 6, 45))


def test_a_half_hour_zone_shifts_the_day() -> None:
    kolkata = window(MON, "00:00", "01:00", "Asia/Kolkata")
    assert kolkata.covers(at(2026, 1, 4, 18, 45))    # Sunday 18:45 UTC = Monday 00:15 IST
    assert not kolkata.covers(at(2026, 1, 5, 0, 15))


@pytest.mark.parametrize("text", ["24:00", "9", "12:60", "noon", "", "1:2"])
def test_bad_times_are_refused(text: str) -> None:
    with pytest.raises(UserFacingError):
        parse_time(text)


def test_times_are_read_kindly() -> None:
    assert parse_time("9:30") == 570 and parse_time("21.45") == 1305 and parse_time(" 00:00 ") == 0


async def test_add_list_remove_and_who_is_on_duty(db: Database, clock: FakeClock) -> None:
    # The clock: Monday 2026-11-23 09:00 UTC.
    mine = await add_window(db, clock, guild_id=1, user_id=7, weekday=MON, start="08:00", end="10:00",
                            timezone="Europe/London")
    await add_window(db, clock, guild_id=1, user_id=8, weekday=MON, start="18:00", end="20:00", timezone="UTC")
    await add_window(db, clock, guild_id=2, user_id=9, weekday=MON, start="08:00", end="10:00", timezone="UTC")
    assert await on_duty(db.conn, 1, clock.now()) == [7], "inside a window; not the other one, not the other server"
    await set_on_duty(db, clock, 1, 8, True)
    assert await on_duty(db.conn, 1, clock.now()) == [8, 7], "by hand first, then by window, once each"
    await set_on_duty(db, clock, 1, 7, True)
    assert sorted(await on_duty(db.conn, 1, clock.now())) == [7, 8]
    clock.advance(hours=1)
    await set_on_duty(db, clock, 1, 7, False)
    assert await on_duty(db.conn, 1, clock.now()) == [8], "10:00: window over"

    assert [w.id for w in await windows_of(db, 1, 7)] == [mine.id]
    assert not await remove_window(db, guild_id=1, user_id=8, window_id=mine.id), "only your own"
    assert await remove_window(db, guild_id=1, user_id=7, window_id=mine.id)
    assert await windows_of(db, 1, 7) == []


@pytest.mark.parametrize(("start", "end", "zone"), [("09:00", "09:00", "UTC"), ("09:00", "25:00", "UTC"),
                                                     ("09:00", "10:00", "Mars/Olympus"), ("x", "10:00", "UTC")])
async def test_bad_windows_change_nothing(db: Database, clock: FakeClock, start: str, end: str, zone: str) -> None:
    with pytest.raises(UserFacingError):
        await add_window(db, clock, guild_id=1, user_id=7, weekday=MON, start=start, end=end, timezone=zone)
    assert await windows_of(db, 1, 7) == []
