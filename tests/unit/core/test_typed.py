"""Ids, time zones and weekdays as people type them: refused cleanly, never a traceback."""

from __future__ import annotations

import pytest

from bot.core.typed import MAX_ID, TypedInputError, typed_id, weekdays, zone_name


@pytest.mark.parametrize("text, expected", [
    ("42", 42), ("#42", 42), (" 7 ", 7), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None), ("9" * 40, None),
    ("0", None), ("-3", None), ("²", None), ("١٢", None), ("12a", None), ("", None), (None, None), ("1e5", None),
])
def test_typed_ids(text: str | None, expected: int | None) -> None:
    assert typed_id(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Europe/London", "Europe/London"), ("europe/london", "Europe/London"), ("America/New York", "America/New_York"),
    ("UTC", "UTC"), ("x" * 6000, None), ("../../etc/passwd", None), ("/etc/localtime", None), ("Mars/Olympus", None),
    ("Europe/London\x00", None), ("", None), (None, None),
])
def test_zone_names(text: str | None, expected: str | None) -> None:
    assert zone_name(text) == expected


def test_weekdays_strict() -> None:
    assert weekdays("Mon, thursday,sun") == {0, 3, 6}
    for bad in ("thurz", "mo", "funday", "m\u00f6n"):
        with pytest.raises(TypedInputError, match="isn't a weekday I know"):
            weekdays(bad)
    with pytest.raises(TypedInputError, match="at least one weekday"):
        weekdays(" ,, ")
