"""Member preferences: zones, typed times read by the kept parser, quiet hours, flare breaks."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.clock import iso_utc
from bot.core.errors import UserFacingError
from bot.delivery import schedules
from bot.members import changes
from bot.members.prefs import MemberPrefs, get_prefs
from bot.members.timeparse import TimeNotUnderstood, parse_date, parse_moment, parse_time_of_day
from bot.members.zones import check_zone, suggest

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(("typed", "expected"), [("7pm", time(19)), ("19:30", time(19, 30)),
                                                 ("7:30 am", time(7, 30)), ("noon", time(12))])
def test_times_of_day(typed, expected):
    assert parse_time_of_day(typed) == expected


@pytest.mark.parametrize("typed", ["25:61", "banana", "", "tomorrow 8am", "x" * 200])
def test_times_that_cannot_be_read_say_so(typed):
    with pytest.raises(TimeNotUnderstood):
        parse_time_of_day(typed)


def test_moments_are_read_in_the_members_zone():
    assert parse_moment("in 2 hours", NOW, BERLIN) == NOW + timedelta(hours=2)
    assert parse_moment("tomorrow 8am", NOW, BERLIN) == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
    assert parse_moment("7pm", NOW, BERLIN) == datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
    assert parse_moment("8am", NOW, BERLIN) == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)  # passed today


def test_dates():
    assert parse_date("2026-12-31", date(2026, 11, 23)) == date(2026, 12, 31)
    assert parse_date("31 Dec", date(2026, 11, 23)) == date(2026, 12, 31)
    with pytest.raises(TimeNotUnderstood):
        parse_date("whenever", date(2026, 11, 23))


def test_zones_are_checked_and_suggested():
    assert check_zone("europe/berlin") == "Europe/Berlin"
    assert check_zone("America/New York") == "America/New_York"
    with pytest.raises(UserFacingError):
        check_zone("Mars/Olympus")
    assert suggest("berl")[0] == "Europe/Berlin"
    assert len(suggest("")) == 25


async def test_flare_break_schedules_its_end_and_welcomes_back_once(db):
    until = await changes.start_flare(db, NOW, 1, 7, 3)
    prefs = await get_prefs(db, 1, 7)
    assert prefs.in_flare(NOW) and not prefs.may_ping(NOW, "UTC")
    assert until == NOW + timedelta(days=3)
    sent: list[str] = []

    class Outbox:
        async def enqueue(self, conn, *, key, **kwargs):
            sent.append(key)
            return True

    async with db.transaction() as conn:
        assert not await changes.flare_over(conn, NOW, 1, 7, prefs.flare_until, "S", Outbox())  # too early
        assert await changes.flare_over(conn, until, 1, 7, prefs.flare_until, "S", Outbox())
        assert not await changes.flare_over(conn, until, 1, 7, prefs.flare_until, "S", Outbox())  # once
    assert len(sent) == 1
    assert not (await get_prefs(db, 1, 7)).in_flare(until)


async def test_flare_days_are_bounded_and_ending_early_removes_the_auto_end(db):
    for days in (0, 15):
        with pytest.raises(UserFacingError):
            await changes.start_flare(db, NOW, 1, 7, days)
    await changes.start_flare(db, NOW, 1, 7, 14)
    assert await changes.end_flare(db, NOW, 1, 7)
    assert not await changes.end_flare(db, NOW, 1, 7)
    async with db.transaction() as conn:
        assert await schedules.list_schedules(conn, 1, kind=changes.FLARE_OFF_KIND) == []


async def test_quiet_hours_need_two_different_times(db):
    with pytest.raises(UserFacingError):
        await changes.set_quiet_hours(db, NOW, 1, 7, "22:00", None)
    with pytest.raises(UserFacingError):
        await changes.set_quiet_hours(db, NOW, 1, 7, "22:00", "22:00")
    await changes.set_quiet_hours(db, NOW, 1, 7, "22:00", "07:00")
    prefs = await get_prefs(db, 1, 7)
    late = datetime(2026, 11, 23, 23, 0, tzinfo=UTC)
    assert prefs.in_quiet_hours(late, "UTC")
    assert prefs.quiet_ends_after(late, "UTC") == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
    await changes.set_timezone(db, NOW, 1, 7, "Europe/Berlin")
    assert (await get_prefs(db, 1, 7)).quiet_start == "22:00", "one setting never clears another"


def test_next_ping_time_waits_for_the_flare_break_then_quiet_hours():
    free = MemberPrefs(1, 7)
    assert free.next_ping_time(NOW, "UTC") == NOW
    quiet = MemberPrefs(1, 7, None, "08:00", "10:00")
    assert quiet.next_ping_time(NOW, "UTC") == NOW.replace(hour=10)
    resting = MemberPrefs(1, 7, None, "08:00", "10:00", iso_utc(NOW + timedelta(days=1)))
    assert resting.next_ping_time(NOW, "UTC") == NOW.replace(hour=10) + timedelta(days=1)
    ended = MemberPrefs(1, 7, None, None, None, iso_utc(NOW - timedelta(hours=1)))
    assert ended.next_ping_time(NOW, "UTC") == NOW
