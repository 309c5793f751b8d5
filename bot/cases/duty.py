"""Moderators on duty: by hand (table case_duty, /case on-duty on|off) or by a weekly schedule
(table case_duty_windows, /case duty add|list|remove). The ladder pages those on duty first.

A window is wall-clock time in its own IANA time zone, from a start on one weekday to an end that
may fall after midnight (then on the next day). Whether it covers a moment is computed by turning
that moment into the zone's local time with zoneinfo, so daylight-saving changes move nothing:
"Monday 09:00-17:00 America/New_York" is 09:00-17:00 New York time in January and in July. On the
night the clocks go forward a window covering the skipped hour is that much shorter; when they go
back, the repeated hour is covered twice (both are the local times the moderator chose).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.cases import wording
from bot.core.clock import Clock, iso_utc
from bot.core.db import Conn, Database, read_all
from bot.core.errors import UserFacingError

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_WINDOWS = 21
_HHMM = re.compile(r"^\s*(\d{1,2})[:.h](\d{2})\s*$")


# -- by hand -------------------------------------------------------------------------------------------

async def set_on_duty(db: Database, clock: Clock, guild_id: int, user_id: int, on: bool) -> None:
    if on:
        await db.execute("INSERT INTO case_duty (guild_id, user_id, since) VALUES (?, ?, ?)"
                         " ON CONFLICT (guild_id, user_id) DO NOTHING", (guild_id, user_id, iso_utc(clock.now())))
    else:
        await db.execute("DELETE FROM case_duty WHERE guild_id = ? AND user_id = ?", (guild_id, user_id))


# -- weekly windows -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DutyWindow:
    id: int
    guild_id: int
    user_id: int
    weekday: int        # Monday 0 ... Sunday 6: the day the window starts
    start_minute: int   # minutes after local midnight
    end_minute: int     # exclusive; at or before the start: on the next day
    timezone: str

    @property
    def crosses_midnight(self) -> bool:
        return self.end_minute <= self.start_minute

    def covers(self, moment: datetime) -> bool:
        """Whether ``moment`` (aware) falls inside this window, in the window's own time zone."""
        local = moment.astimezone(ZoneInfo(self.timezone))
        minute = local.hour * 60 + local.minute
        day = local.weekday()
        if not self.crosses_midnight:
            return day == self.weekday and self.start_minute <= minute < self.end_minute
        return ((day == self.weekday and minute >= self.start_minute)
                or (day == (self.weekday + 1) % 7 and minute < self.end_minute))

    def describe(self) -> str:
        end_day = f" ({DAYS[(self.weekday + 1) % 7]})" if self.crosses_midnight else ""
        return (f"{DAYS[self.weekday]} {hhmm(self.start_minute)} to {hhmm(self.end_minute)}{end_day}"
                f" {self.timezone}")


def hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def parse_time(text: str) -> int:
    """Minutes after midnight from "HH:MM" (24-hour clock; "9:30" and "21.30" too)."""
    match = _HHMM.match(text or "")
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise UserFacingError(wording.DUTY_BAD_TIME.format(text=(text or "")[:20]))
    return int(match.group(1)) * 60 + int(match.group(2))


def check_zone(name: str) -> str:
    cleaned = (name or "").strip()
    try:
        ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserFacingError(wording.DUTY_BAD_ZONE.format(zone=cleaned[:60])) from None
    return cleaned


async def add_window(db: Database, clock: Clock, *, guild_id: int, user_id: int, weekday: int, start: str, end: str,
                     timezone: str) -> DutyWindow:
    """Add a weekly window for a moderator (the cog checks they are one). Bad input changes nothing."""
    if not 0 <= weekday <= 6:
        raise UserFacingError(wording.DUTY_BAD_DAY)
    first, last, zone = parse_time(start), parse_time(end), check_zone(timezone)
    if first == last:
        raise UserFacingError(wording.DUTY_SAME_TIMES)
    async with db.transaction() as conn:
        async with conn.execute("SELECT COUNT(*) FROM case_duty_windows WHERE guild_id = ? AND user_id = ?",
                                (guild_id, user_id)) as cursor:
            row = await cursor.fetchone()
        if row is not None and int(row[0]) >= MAX_WINDOWS:
            raise UserFacingError(wording.DUTY_TOO_MANY.format(limit=MAX_WINDOWS))
        cursor = await conn.execute(
            "INSERT INTO case_duty_windows (guild_id, user_id, weekday, start_minute, end_minute, timezone, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)", (guild_id, user_id, weekday, first, last, zone, iso_utc(clock.now())))
        return DutyWindow(int(cursor.lastrowid or 0), guild_id, user_id, weekday, first, last, zone)


_WINDOW_COLUMNS = "id, guild_id, user_id, weekday, start_minute, end_minute, timezone"


async def windows_of(db: Database, guild_id: int, user_id: int) -> list[DutyWindow]:
    rows = await db.fetchall(f"SELECT {_WINDOW_COLUMNS} FROM case_duty_windows WHERE guild_id = ? AND user_id = ?"
                             " ORDER BY weekday, start_minute, id", (guild_id, user_id))
    return [DutyWindow(*row) for row in rows]


async def remove_window(db: Database, *, guild_id: int, user_id: int, window_id: int) -> bool:
    """Remove one of the moderator's own windows; False when they have no such window."""
    async with db.transaction() as conn:
        cursor = await conn.execute("DELETE FROM case_duty_windows WHERE guild_id = ? AND user_id = ? AND id = ?",
                                    (guild_id, user_id, window_id))
    return cursor.rowcount > 0


# -- who is on duty now -------------------------------------------------------------------------------

async def on_duty(conn: Conn, guild_id: int, now: datetime) -> list[int]:
    """Moderators on duty at ``now``: those who said so (longest first), then those inside a window."""
    duty = await read_all(conn, "SELECT user_id FROM case_duty WHERE guild_id = ? ORDER BY since", (guild_id,))
    found = [int(r[0]) for r in duty]
    rows = await read_all(conn, f"SELECT {_WINDOW_COLUMNS} FROM case_duty_windows WHERE guild_id = ? ORDER BY id",
                          (guild_id,))
    windows = [DutyWindow(*row) for row in rows]
    for window in windows:
        if window.user_id not in found and _covers_safely(window, now):
            found.append(window.user_id)
    return found


def _covers_safely(window: DutyWindow, now: datetime) -> bool:
    try:
        return window.covers(now)
    except (ZoneInfoNotFoundError, ValueError):  # a zone this machine no longer knows: not on duty by it
        return False


async def duty_list(db: Database, guild_id: int, now: datetime) -> list[int]:
    return await on_duty(db.reader, guild_id, now)
