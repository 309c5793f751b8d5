"""Reading times, moments and dates that members type ("7pm", "19:30", "in 2 hours",
"tomorrow 8am", "next friday") in the member's own time zone.

The reading itself is done by kept libraries: parsedatetime for natural phrases, python-dateutil
for written dates. Both import in well under 20 ms (dateparser takes about 75 ms to import and
150 ms for its first parse, and 30 ms a parse after that; measured in docs/goals.md), so the bot
starts fast. parsedatetime is imported on first use.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.errors import UserFacingError
from bot.delivery.recurrence import resolve_local

MAX_TEXT = 60


class TimeNotUnderstood(UserFacingError):
    """A time or date a member typed that could not be read."""


@lru_cache(maxsize=1)
def _calendar() -> Any:
    import parsedatetime

    return parsedatetime.Calendar(version=parsedatetime.VERSION_CONTEXT_STYLE)


def _parse(text: str, base: datetime) -> tuple[datetime, Any]:
    text = (text or "").strip()
    if not text or len(text) > MAX_TEXT:
        raise TimeNotUnderstood("Please type a short time such as 7pm, 19:30, in 2 hours or tomorrow 8am.")
    result, context = _calendar().parseDT(text, sourceTime=base)
    if not context.hasDateOrTime:
        raise TimeNotUnderstood(
            f"I couldn't read \u201c{text[:MAX_TEXT]}\u201d as a time. Try 7pm, 19:30, in 2 hours or tomorrow 8am."
        )
    return result, context


def parse_time_of_day(text: str) -> time:
    """'7pm', '19:30', '7:30 am' -> a local time of day. Phrases with a date are refused."""
    base = datetime.combine(date(2000, 1, 3), time())  # naive local: only the time of day is kept
    result, context = _parse(text, base)
    if not context.hasTime or context.hasDate:
        raise TimeNotUnderstood(f"Please give a time of day such as 7pm or 19:30 (not \u201c{text[:MAX_TEXT]}\u201d).")
    return result.time().replace(second=0, microsecond=0)


def parse_moment(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """'in 2 hours', 'tomorrow 8am', '7pm' -> a UTC instant in the future. A bare time that has
    passed today means tomorrow."""
    local_now = now.astimezone(zone).replace(tzinfo=None, microsecond=0)
    result, context = _parse(text, local_now)
    if context.hasTime and not context.hasDate and result <= local_now:
        result += timedelta(days=1)
    instant = resolve_local(result.replace(microsecond=0), zone)
    if instant <= now:
        raise TimeNotUnderstood("That time has already passed. Please give one in the future.")
    return instant.astimezone(UTC)


def parse_date(text: str, today: date) -> date:
    """'2026-12-31', '31 Dec', 'next friday', 'in 3 weeks' -> a local date."""
    cleaned = (text or "").strip()
    try:
        from dateutil import parser as dateutil_parser

        written = dateutil_parser.parse(cleaned, default=datetime.combine(today, time()), dayfirst=True)
        return written.date()
    except (ValueError, OverflowError):
        pass
    result, context = _parse(cleaned, datetime.combine(today, time(12, 0)))
    if not context.hasDate:
        raise TimeNotUnderstood(
            f"Please give a date such as 2026-12-31 or next friday (not \u201c{cleaned[:MAX_TEXT]}\u201d).")
    return result.date()


def parse_hhmm(text: str) -> str:
    """A typed time of day as stored: 'HH:MM'."""
    return parse_time_of_day(text).strftime("%H:%M")
