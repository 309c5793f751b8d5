"""What organisers and members type for check-ins, checked and turned into values.

A tiny strict parser rather than a natural-language library: organisers pick from documented
formats ("19:00", "7pm", "7:30 pm"; "mon,thu"; "2026-12-03"), and a strict parser can say
exactly what it expected, where a lenient one would guess ("7" as 07:00 or 19:00?). Every error
is a ``CheckinInputError`` worded for the person who typed it; nothing is changed on one.
"""

from __future__ import annotations

import re
from datetime import date, time

from bot.checkins import wording
from bot.core import typed
from bot.core.errors import UserFacingError

DURATION_MIN, DURATION_MAX = 15, 240
EVERY_MIN, EVERY_MAX = 1, 4
TITLE_MAX = 100
NOTE_MAX = 300
# Reminder offsets members may choose, in minutes before the session (5 min to 48 h).
OFFSETS: dict[str, int] = {
    "5m": 5, "15m": 15, "30m": 30, "1h": 60, "2h": 120, "6h": 360, "12h": 720, "24h": 1440, "48h": 2880,
}
DEFAULT_OFFSETS: tuple[int, ...] = (1440, 15)

_24H = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_12H = re.compile(r"^(1[0-2]|0?[1-9])(?::([0-5]\d))?\s*([ap])\.?m\.?$")


class CheckinInputError(UserFacingError):
    """Input that cannot be used; the message says what was expected."""


def parse_time(text: str) -> time:
    """'19:00', '7:05', '7pm', '7:30 pm', '12am' -> a local time of day."""
    value = text.strip().lower()
    if match := _24H.match(value):
        return time(int(match[1]), int(match[2]))
    if match := _12H.match(value):
        hour = int(match[1]) % 12 + (12 if match[3] == "p" else 0)
        return time(hour, int(match[2] or 0))
    raise CheckinInputError(wording.BAD_TIME.format(text=text.strip()[:20]))


def parse_weekdays(text: str) -> frozenset[int]:
    """'mon,thu' or 'Monday, Thursday' -> {0, 3}; anything else is refused (bot.core.typed)."""
    try:
        return typed.weekdays(text)
    except typed.TypedInputError as exc:
        raise CheckinInputError(str(exc)) from None


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CheckinInputError(wording.BAD_DATE.format(text=text.strip()[:20])) from None


def check_zone(name: str) -> str:
    found = typed.zone_name(name)
    if found is None:
        raise CheckinInputError(wording.BAD_ZONE.format(text=name.strip()[:60]))
    return found


def check_duration(minutes: int) -> int:
    if not DURATION_MIN <= minutes <= DURATION_MAX:
        raise CheckinInputError(wording.BAD_DURATION)
    return minutes


def check_every(weeks: int) -> int:
    if not EVERY_MIN <= weeks <= EVERY_MAX:
        raise CheckinInputError(wording.BAD_EVERY)
    return weeks


def check_title(text: str | None, default: str) -> str:
    value = " ".join((text or "").split()) or default
    if len(value) > TITLE_MAX:
        raise CheckinInputError(wording.BAD_TITLE.format(limit=TITLE_MAX, length=len(value)))
    return value


def check_note(text: str | None) -> str | None:
    value = " ".join((text or "").split())
    if len(value) > NOTE_MAX:
        raise CheckinInputError(wording.BAD_NOTE.format(limit=NOTE_MAX))
    return value or None


def parse_offsets(text: str | None) -> tuple[int, ...]:
    """'24h,15m' -> (1440, 15); empty -> the defaults."""
    if not text or not text.strip():
        return DEFAULT_OFFSETS
    found: set[int] = set()
    for part in re.split(r"[,\s]+", text.strip().lower()):
        if not part:
            continue
        if part not in OFFSETS:
            raise CheckinInputError(wording.BAD_OFFSET.format(text=part[:10], choices=", ".join(OFFSETS)))
        found.add(OFFSETS[part])
    return tuple(sorted(found, reverse=True)) or DEFAULT_OFFSETS


def offsets_text(offsets: tuple[int, ...]) -> str:
    names = {minutes: name for name, minutes in OFFSETS.items()}
    return ", ".join(names.get(m, f"{m}m") for m in sorted(offsets, reverse=True))
