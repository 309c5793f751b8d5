"""What organisers and members type: strict, documented formats and clear refusals."""

from __future__ import annotations

from datetime import date, time

import pytest

from bot.checkins.inputs import (
    CheckinInputError,
    check_duration,
    check_every,
    check_title,
    check_zone,
    offsets_text,
    parse_date,
    parse_offsets,
    parse_time,
    parse_weekdays,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("19:00", time(19, 0)), ("7:05", time(7, 5)), ("00:00", time(0, 0)), ("23:59", time(23, 59)),
    ("7pm", time(19, 0)), ("7 PM", time(19, 0)), ("7:30am", time(7, 30)), ("12am", time(0, 0)),
    ("12pm", time(12, 0)), ("12:15 a.m.", time(0, 15)), (" 9:45 pm ", time(21, 45)),
])
def test_times_in_documented_formats(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["25:00", "24:00", "7", "19:0", "13pm", "0am", "noon", "19.00", "", "7:60pm"])
def test_other_times_are_refused_with_the_formats(text: str) -> None:
    with pytest.raises(CheckinInputError, match="24-hour time such as 19:00"):
        parse_time(text)


def test_weekdays() -> None:
    assert parse_weekdays("mon,thu") == {0, 3}
    assert parse_weekdays("Monday, Thursday sun") == {0, 3, 6}
    with pytest.raises(CheckinInputError, match="isn't a weekday"):
        parse_weekdays("mon,funday")
    with pytest.raises(CheckinInputError, match="at least one weekday"):
        parse_weekdays(" , ")


def test_dates_zones_durations_intervals_and_titles() -> None:
    assert parse_date("2026-12-03") == date(2026, 12, 3)
    with pytest.raises(CheckinInputError, match="2026-12-03"):
        parse_date("3/12/2026")
    assert check_zone(" Europe/London ") == "Europe/London"
    with pytest.raises(CheckinInputError, match="isn't a time zone"):
        check_zone("Mars/Olympus")
    assert check_duration(15) == 15 and check_duration(240) == 240
    for bad in (0, 14, 241):
        with pytest.raises(CheckinInputError):
            check_duration(bad)
    assert check_every(4) == 4
    with pytest.raises(CheckinInputError):
        check_every(0)
    assert check_title("  Tea   and  talk ", "x") == "Tea and talk"
    assert check_title(None, "Default") == "Default"
    assert check_title("x" * 100, "d") == "x" * 100
    with pytest.raises(CheckinInputError, match="this one has 101"):
        check_title("x" * 101, "d")


def test_offsets() -> None:
    assert parse_offsets(None) == (1440, 15)
    assert parse_offsets("5m, 48h 1h") == (2880, 60, 5)
    assert offsets_text((2880, 60, 5)) == "48h, 1h, 5m"
    with pytest.raises(CheckinInputError, match="isn't one of the reminder times"):
        parse_offsets("3d")


@pytest.mark.parametrize("text", ["thurz", "mo", "mond", "tuesdays", "xmon"])
def test_weekdays_are_strict(text: str) -> None:
    with pytest.raises(CheckinInputError, match="mon, tue, wed, thu, fri, sat or sun"):
        parse_weekdays(text)
    assert parse_weekdays("thurs, tues,weds") == {1, 2, 3}
