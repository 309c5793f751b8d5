"""Recurrence rules -> UTC occurrences, across daylight-saving changes."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.delivery.recurrence import Recurrence, RecurrenceError, parse_local_time, parse_weekdays, resolve_local

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def all_between(rule: Recurrence, start: datetime, end: datetime) -> list[datetime]:
    return list(rule.between(start, end))


def test_berlin_daily_0230_across_spring_forward_fires_once_at_first_valid_time() -> None:
    rule = Recurrence.daily(time(2, 30), BERLIN, start=date(2026, 1, 1))
    fires = all_between(rule, utc(2026, 3, 27, 12), utc(2026, 3, 30, 12))
    assert fires == [
        utc(2026, 3, 28, 1, 30),  # 02:30 CET
        utc(2026, 3, 29, 1, 0),   # 02:30 does not exist: 03:00 CEST, the first valid time after it
        utc(2026, 3, 30, 0, 30),  # 02:30 CEST
    ]
    assert fires[1].astimezone(ZoneInfo(BERLIN)).strftime("%H:%M") == "03:00"
    assert rule.occurrence_key(fires[1]) == "2026-03-29T02:30"


def test_berlin_daily_0230_across_fall_back_fires_once_at_the_first_instant() -> None:
    rule = Recurrence.daily(time(2, 30), BERLIN, start=date(2026, 1, 1))
    fires = all_between(rule, utc(2026, 10, 23, 12), utc(2026, 10, 26, 12))
    assert fires == [
        utc(2026, 10, 24, 0, 30),  # 02:30 CEST
        utc(2026, 10, 25, 0, 30),  # 02:30 happens twice; only the first (CEST) counts
        utc(2026, 10, 26, 1, 30),  # 02:30 CET
    ]
    # Asking again from just after the first 02:30 never yields the second 02:30 of that night.
    assert rule.next_after(utc(2026, 10, 25, 0, 30)) == utc(2026, 10, 26, 1, 30)
    assert rule.next_after(utc(2026, 10, 25, 1, 29)) == utc(2026, 10, 26, 1, 30)


def test_new_york_across_both_transitions() -> None:
    spring = Recurrence.daily(time(2, 30), NEW_YORK, start=date(2026, 1, 1))
    assert all_between(spring, utc(2026, 3, 7, 12), utc(2026, 3, 9, 12)) == [
        utc(2026, 3, 8, 7, 0),   # 02:30 EST does not exist on 8 March: 03:00 EDT
        utc(2026, 3, 9, 6, 30),  # 02:30 EDT
    ]
    autumn = Recurrence.daily(time(1, 30), NEW_YORK, start=date(2026, 1, 1))
    assert all_between(autumn, utc(2026, 10, 31, 12), utc(2026, 11, 2, 12)) == [
        utc(2026, 11, 1, 5, 30),  # 01:30 EDT, the first of the two 01:30s
        utc(2026, 11, 2, 6, 30),  # 01:30 EST
    ]


def test_weekly_on_two_weekdays_across_a_year_in_local_time() -> None:
    rule = Recurrence.weekly(time(18, 0), BERLIN, parse_weekdays("mon,thu"), start=date(2026, 1, 1))
    fires = all_between(rule, utc(2025, 12, 31), utc(2026, 12, 31, 23, 59))
    expected_days = [
        date(2026, 1, 1) + timedelta(days=n)
        for n in range(365)
        if (date(2026, 1, 1) + timedelta(days=n)).weekday() in (0, 3)
    ]
    assert len(fires) == len(expected_days) == 105
    assert len(set(fires)) == len(fires) and fires == sorted(fires)
    berlin = ZoneInfo(BERLIN)
    for fire, day in zip(fires, expected_days, strict=True):
        local = fire.astimezone(berlin)
        assert (local.date(), local.strftime("%H:%M")) == (day, "18:00")
        summer = date(2026, 3, 29) <= day < date(2026, 10, 25)
        assert fire.hour == (16 if summer else 17)


def test_fortnightly_keeps_its_rhythm_across_a_year_and_dst() -> None:
    rule = Recurrence.weekly(time(19, 0), NEW_YORK, {1}, start=date(2026, 1, 6), every_weeks=2)
    fires = all_between(rule, utc(2026, 1, 1), utc(2026, 12, 31))
    new_york = ZoneInfo(NEW_YORK)
    days = [f.astimezone(new_york).date() for f in fires]
    assert days[0] == date(2026, 1, 6) and len(days) == 26
    assert all((b - a).days == 14 for a, b in itertools.pairwise(days))
    assert {f.astimezone(new_york).strftime("%a %H:%M") for f in fires} == {"Tue 19:00"}


def test_every_n_days_until_an_end_date() -> None:
    rule = Recurrence.daily(time(8, 0), "UTC", start=date(2026, 11, 23), every_days=3, until=date(2026, 12, 2))
    assert all_between(rule, utc(2026, 11, 1), utc(2027, 1, 1)) == [
        utc(2026, 11, 23, 8), utc(2026, 11, 26, 8), utc(2026, 11, 29, 8), utc(2026, 12, 2, 8),
    ]
    assert rule.next_after(utc(2026, 12, 2, 8)) is None


def test_start_date_is_the_first_possible_occurrence() -> None:
    rule = Recurrence.weekly(time(9, 0), "UTC", {0}, start=date(2026, 11, 25))  # a Wednesday
    assert rule.next_after(utc(2026, 11, 1)) == utc(2026, 11, 30, 9)


def test_once_fires_at_its_instant_only() -> None:
    rule = Recurrence.once(datetime(2026, 11, 23, 10, 0, 30, 999, tzinfo=UTC))
    assert rule.at == utc(2026, 11, 23, 10, 0, 30)
    assert rule.next_after(utc(2026, 11, 23, 9)) == utc(2026, 11, 23, 10, 0, 30)
    assert rule.next_after(utc(2026, 11, 23, 10, 0, 30)) is None
    assert rule.occurrence_key(utc(2026, 11, 23, 10, 0, 30)) == "once"


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Recurrence.daily(time(8), "Mars/Olympus", start=date(2026, 1, 1)), "unknown time zone"),
        (lambda: Recurrence.weekly(time(8), "UTC", set(), start=date(2026, 1, 1)), "at least one weekday"),
        (lambda: Recurrence.weekly(time(8), "UTC", {0}, start=date(2026, 1, 1), every_weeks=0), "every 1 to 52"),
        (lambda: Recurrence.daily(time(8), "UTC", start=date(2026, 2, 1), until=date(2026, 1, 1)), "before"),
        (lambda: Recurrence("daily", "UTC", time(8), frozenset({1}), start=date(2026, 1, 1)), "only apply"),
        (lambda: Recurrence.once(datetime(2026, 1, 1)), "aware"),
        (lambda: Recurrence("daily", "UTC", time(8)), "start date"),
    ],
)
def test_unusable_rules_are_refused_with_a_reason(build: object, message: str) -> None:
    with pytest.raises(RecurrenceError, match=message):
        build()  # type: ignore[operator]


def test_parsing_times_and_weekdays() -> None:
    assert parse_local_time("08:30") == time(8, 30)
    assert parse_weekdays("Mon, wednesday,fri") == frozenset({0, 2, 4})
    for bad in ("8.30", "25:00", "08:3", "soon"):
        with pytest.raises(RecurrenceError, match="24-hour"):
            parse_local_time(bad)
    with pytest.raises(RecurrenceError, match="not a weekday"):
        parse_weekdays("mon,funday")
    with pytest.raises(RecurrenceError, match="at least one"):
        parse_weekdays(" , ")


def test_describe_has_no_surprises() -> None:
    rule = Recurrence.weekly(time(18, 0), BERLIN, {3, 0}, start=date(2026, 1, 1), every_weeks=2)
    assert rule.describe() == "weekly every 2 mon,thu 18:00 Europe/Berlin"


# Zones with unusual changes: 30-minute DST (Lord Howe), a 2-hour jump once (Troll), midnight
# changes (Santiago, Havana), southern hemisphere, and no DST at all.
ZONES = [BERLIN, NEW_YORK, "Australia/Lord_Howe", "Antarctica/Troll", "America/Santiago",
         "America/Havana", "Australia/Sydney", "Asia/Kolkata", "Pacific/Chatham"]


@settings(max_examples=30, deadline=None)
@given(
    zone_name=st.sampled_from(ZONES),
    minute_of_day=st.integers(0, 24 * 60 - 1),
    start=st.dates(date(2024, 1, 1), date(2027, 12, 1)),
)
def test_every_local_date_gives_exactly_one_correct_instant(zone_name: str, minute_of_day: int, start: date) -> None:
    zone = ZoneInfo(zone_name)
    local_time = time(minute_of_day // 60, minute_of_day % 60)
    rule = Recurrence.daily(local_time, zone_name, start=start)
    fires = all_between(rule, datetime.combine(start, time(0), UTC) - timedelta(days=2),
                        datetime.combine(start, time(0), UTC) + timedelta(days=400))
    assert fires == sorted(set(fires))
    nominal_days = [rule.nominal(f).date() for f in fires]
    assert nominal_days == [start + timedelta(days=n) for n in range(len(fires))]
    for fire, day in zip(fires, nominal_days, strict=True):
        wanted = datetime.combine(day, local_time)
        wall = fire.astimezone(zone).replace(tzinfo=None)
        if wall == wanted:
            # When the time happens twice, the first instant is taken.
            assert fire.astimezone(zone).fold == 0
        else:
            # It did not exist: the fire is the first valid local time after it.
            assert wall > wanted
            assert (fire - timedelta(seconds=1)).astimezone(zone).replace(tzinfo=None) < wanted


def test_resolve_local_gap_and_repeat_directly() -> None:
    berlin = ZoneInfo(BERLIN)
    assert resolve_local(datetime(2026, 3, 29, 2, 0), berlin) == utc(2026, 3, 29, 1, 0)
    assert resolve_local(datetime(2026, 3, 29, 2, 59), berlin) == utc(2026, 3, 29, 1, 0)
    assert resolve_local(datetime(2026, 10, 25, 2, 0), berlin) == utc(2026, 10, 25, 0, 0)
    assert resolve_local(datetime(2026, 10, 25, 3, 0), berlin) == utc(2026, 10, 25, 2, 0)
