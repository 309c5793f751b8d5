"""/circle find: which open circles suit a member, and why.

Matching uses topics, language and free seats. Meeting times come from a pluggable source (the
check-ins capability provides one): until a source knows a circle's schedule, days and times
are simply not part of the match, and the finder does not ask for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.circles.catalogue import TOPICS, language_name
from bot.circles.records import CircleListing, list_circles
from bot.core.db import Database

# Parts of the day in the member's own time zone: (first hour, hour after the last).
PARTS_OF_DAY: dict[str, tuple[int, int]] = {
    "morning": (6, 12),
    "afternoon": (12, 17),
    "evening": (17, 22),
    "night": (22, 30),  # 22:00 to 06:00 the next day
}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class MeetingTimes(Protocol):
    """Where circles' upcoming check-ins come from (bot/checkins provides the real one)."""

    available: bool  # False: no circle has a schedule yet, so the finder does not ask about times

    async def upcoming(
        self, db: Database, guild_id: int, circle_ids: Sequence[int], now: datetime, per_circle: int,
    ) -> dict[int, list[datetime]]: ...


class NoMeetingTimes:
    """The source used until check-ins exist: no circle has meeting times."""

    available = False

    async def upcoming(
        self, db: Database, guild_id: int, circle_ids: Sequence[int], now: datetime, per_circle: int,
    ) -> dict[int, list[datetime]]:
        return {}


NO_MEETING_TIMES = NoMeetingTimes()


@dataclass(frozen=True)
class Preferences:
    topics: frozenset[str] = frozenset()
    language: str | None = None
    days: frozenset[int] = frozenset()         # 0 = Monday
    parts_of_day: frozenset[str] = frozenset()
    timezone: str | None = None                # the member's IANA zone, once something asks for it
    # False when the member set no zone and ``timezone`` is the server's: the member is told which
    # zone their days and times were read in, never "your time".
    zone_is_own: bool = True


@dataclass(frozen=True)
class Match:
    listing: CircleListing
    score: int
    reasons: tuple[str, ...]
    meetings: tuple[datetime, ...] = field(default=())


def _part_of_day(hour: int) -> str:
    for name, (start, end) in PARTS_OF_DAY.items():
        if start <= hour < end or start <= hour + 24 < end:
            return name
    return "night"


def meeting_fits(when: datetime, prefs: Preferences) -> bool:
    """Does a meeting fall on a chosen day and part of the day, in the member's time zone?"""
    local = when.astimezone(ZoneInfo(prefs.timezone or "UTC"))
    if prefs.days and local.weekday() not in prefs.days:
        return False
    return not prefs.parts_of_day or _part_of_day(local.hour) in prefs.parts_of_day


def score_circle(listing: CircleListing, prefs: Preferences, meetings: Sequence[datetime] = ()) -> Match | None:
    """A match with its reasons, or None when the circle does not fit what the member asked for."""
    circle = listing.circle
    score = 0
    reasons: list[str] = []
    if prefs.topics:
        shared = [t for t in circle.topics if t in prefs.topics]
        if shared:
            score += 3 * len(shared)
            reasons.append("about " + ", ".join(TOPICS[t].lower() if t != "crps" else "CRPS" for t in shared))
        elif "general" in circle.topics:
            score += 1
            reasons.append("open to anyone living with chronic pain")
        else:
            return None
    if prefs.language is not None:
        if circle.language != prefs.language:
            return None
        score += 2
        reasons.append(f"held in {language_name(circle.language)}")
    if listing.seats_left > 0:
        score += 1
        reasons.append("1 seat free" if listing.seats_left == 1 else f"{listing.seats_left} seats free")
    else:
        reasons.append("full now, with a waitlist")
    fitting = tuple(m for m in meetings if meeting_fits(m, prefs))
    if (prefs.days or prefs.parts_of_day) and meetings:
        if not fitting:
            return None
        score += 2
        read_in = "your time" if prefs.zone_is_own else f"read in {prefs.timezone or 'UTC'}, the server's time zone"
        reasons.append(f"meets at times you chose (next <t:{int(fitting[0].timestamp())}:F>, {read_in})")
    return Match(listing, score, tuple(reasons), fitting or tuple(meetings))


async def find_matches(
    db: Database, guild_id: int, prefs: Preferences, *, now: datetime,
    source: MeetingTimes = NO_MEETING_TIMES, limit: int = 3,
) -> list[Match]:
    """The best open circles in this server for these preferences, best first."""
    listings = await list_circles(db, guild_id)
    meetings = await source.upcoming(db, guild_id, [li.circle.id for li in listings], now, 8)
    matches = [m for li in listings if (m := score_circle(li, prefs, meetings.get(li.circle.id, ()))) is not None]
    matches.sort(key=lambda m: (-m.score, -m.listing.seats_left, m.listing.circle.name.casefold()))
    return matches[:limit]


async def next_meetings(
    db: Database, guild_id: int, circle_ids: Sequence[int], *, now: datetime, source: MeetingTimes = NO_MEETING_TIMES,
) -> dict[int, datetime]:
    """Each circle's next check-in, where the source knows one (for /circle list and /circle mine)."""
    upcoming = await source.upcoming(db, guild_id, circle_ids, now, 1)
    return {cid: times[0] for cid, times in upcoming.items() if times}
