"""What people type where the bot expects an id, a time zone or weekdays: read in one place.

Discord lets any text through a string option, autocomplete or not: an id typed by hand can be
larger than a database integer holds (SQLite's and PostgreSQL's BIGINT are signed 64-bit; a
bigger value raises ``OverflowError`` in the driver), use non-ASCII digits (``"²".isdigit()`` is
true, ``int("²")`` fails), or a "time zone" can be a path or 6,000 characters (``ZoneInfo`` then
raises ``OSError``). Everything here refuses what it doesn't recognise, never guesses, and never
raises anything but a ``TypedInputError`` (a ``UserFacingError``) or returns None, so callers
answer with their usual kind message and change nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.core.errors import UserFacingError

# The largest id a database integer holds (signed 64-bit). Discord snowflakes and row ids fit.
MAX_ID = 2**63 - 1
_ID = re.compile(r"#?([0-9]{1,19})")
ZONE_NAME_MAX = 64  # the longest IANA name is about 30 characters

WEEKDAY_WORDS: dict[str, int] = {}
for _number, _name in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")):
    WEEKDAY_WORDS[_name] = WEEKDAY_WORDS[_name[:3]] = _number
WEEKDAY_WORDS.update({"tues": 1, "weds": 2, "thur": 3, "thurs": 3})
del _number, _name
WEEKDAYS_ACCEPTED = "mon, tue, wed, thu, fri, sat or sun (or the full names, such as thursday)"

BAD_WEEKDAY = "{text!r} isn't a weekday I know. Please use {accepted}. Nothing was changed."
NO_WEEKDAY = "Please choose at least one weekday, such as mon,thu. Nothing was changed."


class TypedInputError(UserFacingError):
    """Typed input that cannot be used; the message says what was expected."""


def typed_id(text: str | int | None) -> int | None:
    """A positive id typed or picked (``"42"``, ``"#42"``), or None when it is not one the database
    could hold (malformed, non-ASCII digits, zero, or larger than a 64-bit integer)."""
    if isinstance(text, int):
        return text if 0 < text <= MAX_ID else None
    match = _ID.fullmatch((text or "").strip())
    if match is None:
        return None
    value = int(match[1])
    return value if 0 < value <= MAX_ID else None


@lru_cache(maxsize=1)
def _zones() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


def zone_name(text: str | None) -> str | None:
    """The canonical IANA name for what was typed ("europe/london", "America/New York"), or None.
    Only names in the zone database are looked up, so nothing typed ever reaches the file system."""
    cleaned = (text or "").strip()
    if not cleaned or len(cleaned) > ZONE_NAME_MAX:
        return None
    found = _zones().get(cleaned.lower()) or _zones().get(cleaned.lower().replace(" ", "_"))
    if found is None:
        return None
    try:
        ZoneInfo(found)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # listed but unreadable: treat as unknown
        return None
    return found


def weekdays(text: str) -> frozenset[int]:
    """'mon,thu' or 'Monday, Thursday' -> {0, 3}. A word that is not a weekday is refused with the
    words accepted ("thurz" is not read as Thursday: a strict parser says what it expected)."""
    days: set[int] = set()
    for part in re.split(r"[,\s]+", (text or "").strip().lower()):
        if not part:
            continue
        if part not in WEEKDAY_WORDS:
            raise TypedInputError(BAD_WEEKDAY.format(text=part[:20], accepted=WEEKDAYS_ACCEPTED))
        days.add(WEEKDAY_WORDS[part])
    if not days:
        raise TypedInputError(NO_WEEKDAY)
    return frozenset(days)
