"""Check-in series: a circle's recurring meeting (or one-off session) and its rule.

A series is stored in ``checkin_series``; its occurrences come from ``bot.delivery.recurrence``
(computed in local time, DST-safe). A one-off is a weekly rule on its date's weekday that ends on
that date, so both kinds share one path. Each active series owns one *horizon* schedule with the
series' own rule: each time it fires, the next sessions are made (bot.checkins.sessions).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.core.clock import iso_utc
from bot.core.db import Conn, read_all, read_one
from bot.delivery import schedules
from bot.delivery.recurrence import WEEKDAY_NAMES, Recurrence

HORIZON_KIND = "checkin_horizon"  # owner: the series

_COLUMNS = ("id, guild_id, circle_id, kind, title, timezone, local_time, weekdays, every_weeks, start_date,"
            " duration_minutes, facilitator_id, open_to_all, status, schedule_id, created_by")


@dataclass(frozen=True)
class Series:
    id: int
    guild_id: int
    circle_id: int
    kind: str  # 'weekly' | 'once'
    title: str
    timezone: str
    local_time: time
    weekdays: frozenset[int]
    every_weeks: int
    start_date: date
    duration_minutes: int
    facilitator_id: int | None
    open_to_all: bool
    status: str
    schedule_id: int | None
    created_by: int

    @property
    def rule(self) -> Recurrence:
        until = self.start_date if self.kind == "once" else None
        days = frozenset({self.start_date.weekday()}) if self.kind == "once" else self.weekdays
        return Recurrence.weekly(self.local_time, self.timezone, days, start=self.start_date,
                                 every_weeks=self.every_weeks, until=until)

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    def describe(self) -> str:
        """'every week on Mon, Thu at 19:00 Europe/London' (content-free, for organisers)."""
        if self.kind == "once":
            return f"once on {self.start_date.isoformat()} at {self.local_time:%H:%M} {self.timezone}"
        every = "every week" if self.every_weeks == 1 else f"every {self.every_weeks} weeks"
        days = ", ".join(WEEKDAY_NAMES[d].title() for d in sorted(self.weekdays))
        return f"{every} on {days} at {self.local_time:%H:%M} {self.timezone}"

    def next_instants(self, after: datetime, count: int) -> list[datetime]:
        found: list[datetime] = []
        current = self.rule.next_after(after)
        while current is not None and len(found) < count:
            found.append(current)
            current = self.rule.next_after(current)
        return found


def _series(row: Any) -> Series:
    return Series(
        id=row[0], guild_id=row[1], circle_id=row[2], kind=row[3], title=row[4], timezone=row[5],
        local_time=time.fromisoformat(row[6]), weekdays=frozenset(d for d in range(7) if row[7] >> d & 1),
        every_weeks=row[8], start_date=date.fromisoformat(row[9]), duration_minutes=row[10],
        facilitator_id=row[11], open_to_all=bool(row[12]), status=row[13], schedule_id=row[14], created_by=row[15],
    )


@dataclass(frozen=True)
class SeriesDraft:
    """A validated request for a new series (bot.checkins.manage builds it)."""

    guild_id: int
    circle_id: int
    kind: str
    title: str
    timezone: str
    local_time: time
    weekdays: frozenset[int]
    every_weeks: int
    start_date: date
    duration_minutes: int
    facilitator_id: int | None
    open_to_all: bool
    created_by: int


async def insert_series(conn: Conn, now: datetime, draft: SeriesDraft) -> Series:
    """Store a series and its horizon schedule, in the caller's transaction."""
    stamp = iso_utc(now)
    cursor = await conn.execute(
        "INSERT INTO checkin_series (guild_id, circle_id, kind, title, timezone, local_time, weekdays, every_weeks,"
        " start_date, duration_minutes, facilitator_id, open_to_all, created_by, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (draft.guild_id, draft.circle_id, draft.kind, draft.title, draft.timezone, draft.local_time.strftime("%H:%M"),
         sum(1 << d for d in draft.weekdays), draft.every_weeks, draft.start_date.isoformat(),
         draft.duration_minutes, draft.facilitator_id, int(draft.open_to_all), draft.created_by, stamp, stamp),
    )
    series_id = cursor.lastrowid or 0
    series = await get_series(conn, draft.guild_id, series_id)
    assert series is not None
    schedule = await schedules.create(conn, now, guild_id=draft.guild_id, kind=HORIZON_KIND, owner_id=series_id,
                                      rule=series.rule)
    await conn.execute("UPDATE checkin_series SET schedule_id = ? WHERE id = ? AND guild_id = ?",
                       (schedule.id, series_id, draft.guild_id))
    series = await get_series(conn, draft.guild_id, series_id)
    assert series is not None
    return series


async def get_series(conn: Conn, guild_id: int, series_id: int) -> Series | None:
    row = await read_one(conn, f"SELECT {_COLUMNS} FROM checkin_series WHERE guild_id = ? AND id = ?",
                               (guild_id, series_id))
    return None if row is None else _series(row)


async def list_series(conn: Conn, guild_id: int, *, circle_id: int | None = None,
                      statuses: tuple[str, ...] = ("active", "paused")) -> list[Series]:
    marks = ",".join("?" * len(statuses))
    sql = f"SELECT {_COLUMNS} FROM checkin_series WHERE guild_id = ? AND status IN ({marks})"
    params: list[Any] = [guild_id, *statuses]
    if circle_id is not None:
        sql += " AND circle_id = ?"
        params.append(circle_id)
    return [_series(r) for r in await read_all(conn, sql + " ORDER BY id", params)]


async def set_status(conn: Conn, now: datetime, series: Series, status: str) -> None:
    """Pause or cancel (or resume) a series; its horizon schedule follows."""
    await conn.execute("UPDATE checkin_series SET status = ?, updated_at = ? WHERE id = ? AND guild_id = ?",
                       (status, iso_utc(now), series.id, series.guild_id))
    if series.schedule_id is not None:
        if status == "cancelled":
            await schedules.delete(conn, series.guild_id, series.schedule_id)
        else:
            await schedules.set_active(conn, now, series.guild_id, series.schedule_id, status == "active")


async def update_series(conn: Conn, now: datetime, series: Series, *, local_time: time,
                        duration_minutes: int, facilitator_id: int | None) -> Series:
    await conn.execute(
        "UPDATE checkin_series SET local_time = ?, duration_minutes = ?, facilitator_id = ?, updated_at = ?"
        " WHERE id = ? AND guild_id = ?",
        (local_time.strftime("%H:%M"), duration_minutes, facilitator_id, iso_utc(now), series.id, series.guild_id),
    )
    updated = await get_series(conn, series.guild_id, series.id)
    assert updated is not None
    if updated.schedule_id is not None and local_time != series.local_time:
        await schedules.update(conn, now, series.guild_id, updated.schedule_id, rule=updated.rule)
    return updated
