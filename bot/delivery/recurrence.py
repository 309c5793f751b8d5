"""Recurrence rules -> UTC occurrences, computed in local time so daylight saving is handled.

A rule is a local time of day in an IANA zone (daily, every N days, weekly on chosen weekdays,
every N weeks) or one UTC instant. Each occurrence is first a *nominal* local date and time,
then converted to UTC on its own:

- a local time that does not exist (the spring-forward gap) moves to the first valid local time
  after it (02:30 Europe/Berlin on the last Sunday of March fires at 03:00 CEST);
- a local time that happens twice (the autumn fall-back) fires once, at the first instant
  (``fold=0``).

So every nominal date yields exactly one UTC instant, and an occurrence is named by its nominal
local date and time (``occurrence_key``), which stays the same whatever the zone does.
Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Frequency = Literal["once", "daily", "weekly"]
FREQUENCIES: tuple[Frequency, ...] = ("once", "daily", "weekly")
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_INTERVAL = {"daily": 366, "weekly": 52}


class RecurrenceError(ValueError):
    """A rule that cannot be used, worded for the person who asked for it."""


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a hostile name (too long, a path)
        raise RecurrenceError(f"unknown time zone {name!r} (expected an IANA name such as Europe/Berlin)") from None


def parse_local_time(text: str) -> time:
    """'HH:MM' (24-hour) -> time."""
    try:
        hours, minutes = text.strip().split(":")
        if len(minutes) != 2:
            raise ValueError
        return time(int(hours), int(minutes))
    except ValueError:
        raise RecurrenceError(f"time {text!r} is not a 24-hour time such as 08:30") from None


def parse_weekdays(text: str) -> frozenset[int]:
    """'mon,wed,fri' -> {0, 2, 4}."""
    days: set[int] = set()
    for part in text.lower().replace(" ", "").split(","):
        if not part:
            continue
        if part[:3] not in WEEKDAY_NAMES:
            raise RecurrenceError(f"{part!r} is not a weekday (use mon, tue, wed, thu, fri, sat, sun)")
        days.add(WEEKDAY_NAMES.index(part[:3]))
    if not days:
        raise RecurrenceError("choose at least one weekday")
    return frozenset(days)


@dataclass(frozen=True)
class Recurrence:
    """One schedule's rule. Build it with ``once``, ``daily`` or ``weekly``; they validate."""

    frequency: Frequency
    timezone: str = "UTC"
    local_time: time | None = None
    weekdays: frozenset[int] = field(default_factory=frozenset)
    interval: int = 1  # days for daily, weeks for weekly
    start: date | None = None  # first local date; anchors every-N-days/weeks
    until: date | None = None  # last local date, inclusive
    at: datetime | None = None  # the instant of a "once" rule (UTC, whole seconds)

    def __post_init__(self) -> None:
        if self.frequency not in FREQUENCIES:
            raise RecurrenceError(f"frequency must be one of {', '.join(FREQUENCIES)}")
        if self.frequency == "once":
            if self.at is None or self.at.tzinfo is None:
                raise RecurrenceError("a one-off schedule needs an aware instant")
            object.__setattr__(self, "at", self.at.astimezone(UTC).replace(microsecond=0))
            return
        zone(self.timezone)
        if self.local_time is None:
            raise RecurrenceError("a repeating schedule needs a local time")
        if self.local_time.tzinfo is not None:
            raise RecurrenceError("the local time must not carry a zone: the zone is given separately")
        object.__setattr__(self, "local_time", self.local_time.replace(second=0, microsecond=0))
        if not 1 <= self.interval <= MAX_INTERVAL[self.frequency]:
            unit = "days" if self.frequency == "daily" else "weeks"
            raise RecurrenceError(f"repeat every 1 to {MAX_INTERVAL[self.frequency]} {unit}")
        if self.frequency == "weekly":
            if not self.weekdays or not all(0 <= d <= 6 for d in self.weekdays):
                raise RecurrenceError("a weekly schedule needs at least one weekday")
            object.__setattr__(self, "weekdays", frozenset(self.weekdays))
        elif self.weekdays:
            raise RecurrenceError("weekdays only apply to weekly schedules")
        if self.start is None:
            raise RecurrenceError("a repeating schedule needs a start date (its first local date)")
        if self.until is not None and self.until < self.start:
            raise RecurrenceError("the end date is before the start date")

    # -- constructors -------------------------------------------------------------------------

    @classmethod
    def once(cls, at: datetime) -> Recurrence:
        return cls("once", at=at)

    @classmethod
    def daily(
        cls, local_time: time, timezone: str, *, start: date, every_days: int = 1, until: date | None = None
    ) -> Recurrence:
        return cls("daily", timezone, local_time, interval=every_days, start=start, until=until)

    @classmethod
    def weekly(
        cls,
        local_time: time,
        timezone: str,
        weekdays: frozenset[int] | set[int],
        *,
        start: date,
        every_weeks: int = 1,
        until: date | None = None,
    ) -> Recurrence:
        return cls("weekly", timezone, local_time, frozenset(weekdays), every_weeks, start, until)

    # -- occurrences --------------------------------------------------------------------------

    @property
    def zone(self) -> ZoneInfo:
        return zone(self.timezone)

    def occurs_on(self, day: date) -> bool:
        """Whether ``day`` (a local date) is one of this rule's nominal dates."""
        if self.frequency == "once" or self.start is None or day < self.start:
            return False
        if self.until is not None and day > self.until:
            return False
        if self.frequency == "daily":
            return (day - self.start).days % self.interval == 0
        week = (day - (self.start - timedelta(days=self.start.weekday()))).days // 7
        return day.weekday() in self.weekdays and week % self.interval == 0

    def instant_on(self, day: date) -> datetime:
        """The UTC instant of the nominal occurrence on local ``day`` (DST-resolved)."""
        assert self.local_time is not None
        return resolve_local(datetime.combine(day, self.local_time), self.zone)

    def next_after(self, after: datetime) -> datetime | None:
        """The first occurrence strictly after ``after`` (UTC), or None when the rule has ended."""
        if self.frequency == "once":
            assert self.at is not None
            return self.at if self.at > after else None
        assert self.start is not None
        # Start a day early: a gap can move an occurrence of the previous date past midnight.
        day = max(self.start, after.astimezone(self.zone).date() - timedelta(days=1))
        span = self.interval * (7 if self.frequency == "weekly" else 1) + 9
        for _ in range(span):
            if self.until is not None and day > self.until:
                return None
            if self.occurs_on(day):
                instant = self.instant_on(day)
                if instant > after:
                    return instant
            day += timedelta(days=1)
        raise AssertionError("no occurrence within one period")  # pragma: no cover

    def between(self, after: datetime, until: datetime) -> Iterator[datetime]:
        """Occurrences in (after, until], in order."""
        current = self.next_after(after)
        while current is not None and current <= until:
            yield current
            current = self.next_after(current)

    def nominal(self, instant: datetime) -> datetime:
        """The nominal local date-time (naive) whose occurrence is ``instant``."""
        if self.frequency == "once":
            assert self.at is not None
            return instant.astimezone(UTC).replace(tzinfo=None)
        local = instant.astimezone(self.zone)
        for day in (local.date(), local.date() - timedelta(days=1)):
            if self.occurs_on(day) and self.instant_on(day) == instant:
                assert self.local_time is not None
                return datetime.combine(day, self.local_time)
        raise RecurrenceError("that instant is not an occurrence of this rule")

    def occurrence_key(self, instant: datetime) -> str:
        """A stable name for an occurrence: its nominal local date and time ('2026-11-23T08:00')."""
        if self.frequency == "once":
            return "once"
        return self.nominal(instant).strftime("%Y-%m-%dT%H:%M")

    def describe(self) -> str:
        """Short, content-free description for operators ('weekly mon,thu 18:00 Europe/Berlin')."""
        if self.frequency == "once":
            assert self.at is not None
            return f"once {self.at:%Y-%m-%dT%H:%M:%SZ}"
        assert self.local_time is not None
        every = f" every {self.interval}" if self.interval > 1 else ""
        days = ""
        if self.frequency == "weekly":
            days = " " + ",".join(WEEKDAY_NAMES[d] for d in sorted(self.weekdays))
        return f"{self.frequency}{every}{days} {self.local_time:%H:%M} {self.timezone}"


def _wall(instant: datetime, tz: ZoneInfo) -> datetime:
    return instant.astimezone(tz).replace(tzinfo=None)


def resolve_local(naive: datetime, tz: ZoneInfo) -> datetime:
    """Local wall time -> UTC: gaps move forward to the first valid time, repeats take fold=0."""
    first = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if _wall(first, tz) == naive:
        return first
    # In a gap. fold=1 reads it with the offset after the change, landing before the gap; fold=0
    # lands after it. The first instant whose wall time reaches ``naive`` is the change itself.
    low = int(naive.replace(tzinfo=tz, fold=1).timestamp())
    high = int(first.timestamp())
    if low > high:
        low, high = high, low
    # Invariant: wall(low) < naive <= wall(high), whole seconds (zone changes fall on them).
    while high - low > 1:
        middle = (low + high) // 2
        if _wall(datetime.fromtimestamp(middle, UTC), tz) >= naive:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)
