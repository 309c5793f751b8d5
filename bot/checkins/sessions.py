"""Sessions: the occurrences of a series that are made ahead of time, and their timed jobs.

A session is named by its series and nominal local date (``UNIQUE (series_id, local_date)``), so
making the same occurrence twice is impossible. The next ``HORIZON`` sessions that will happen
always exist (a skipped one does not count), so members see them in Discord's Events list.

Each session owns one-off schedules (the database is the source of truth; a restart loses none):
start, end, the pulse's close, and one reminder per offset members can choose. They are made
again whenever the session moves, so a stale job never fires for an old time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.checkins.inputs import OFFSETS
from bot.checkins.series import Series
from bot.core.clock import iso_utc, parse_iso_utc
from bot.core.db import Conn, read_all, read_one
from bot.delivery import schedules
from bot.delivery.recurrence import Recurrence

HORIZON = 2  # upcoming sessions kept made per series (each with its Discord event)
START_KIND = "checkin_start"
END_KIND = "checkin_end"
REMIND_KIND = "checkin_remind"
PULSE_CLOSE_KIND = "checkin_pulse_close"
SESSION_KINDS = (START_KIND, END_KIND, REMIND_KIND, PULSE_CLOSE_KIND)
PULSE_WINDOW = timedelta(hours=24)  # how long after a session its pulse can be answered

_COLUMNS = ("id, guild_id, series_id, circle_id, local_date, starts_at, ends_at, status, moved, note, event_id,"
            " event_state, event_sig")


@dataclass(frozen=True)
class Session:
    id: int
    guild_id: int
    series_id: int
    circle_id: int
    local_date: str
    starts_at: datetime
    ends_at: datetime
    status: str
    moved: bool
    note: str | None
    event_id: int | None
    event_state: str
    event_sig: str | None


def _session(row: Any) -> Session:
    return Session(row[0], row[1], row[2], row[3], row[4], parse_iso_utc(row[5]), parse_iso_utc(row[6]), row[7],
                   bool(row[8]), row[9], row[10], row[11], row[12])


async def get_session(conn: Conn, guild_id: int, session_id: int) -> Session | None:
    row = await read_one(conn, f"SELECT {_COLUMNS} FROM checkin_sessions WHERE guild_id = ? AND id = ?",
                               (guild_id, session_id))
    return None if row is None else _session(row)


async def session_on(conn: Conn, series: Series, local_date: str) -> Session | None:
    row = await read_one(
        conn, f"SELECT {_COLUMNS} FROM checkin_sessions WHERE guild_id = ? AND series_id = ? AND local_date = ?",
        (series.guild_id, series.id, local_date),
    )
    return None if row is None else _session(row)


async def sessions_where(conn: Conn, guild_id: int, where: str, params: tuple[Any, ...] = (),
                         ) -> list[Session]:
    """Sessions of one server matching an extra condition (on checkin_sessions' columns)."""
    return [_session(r) for r in await read_all(
        conn, f"SELECT {_COLUMNS} FROM checkin_sessions WHERE guild_id = ? AND ({where}) ORDER BY starts_at, id",
        (guild_id, *params),
    )]


async def insert_session(conn: Conn, now: datetime, series: Series, instant: datetime,
                         *, status: str = "scheduled") -> Session:
    local_date = series.rule.nominal(instant).date().isoformat()
    cursor = await conn.execute(
        "INSERT INTO checkin_sessions (guild_id, series_id, circle_id, local_date, starts_at, ends_at, status)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (series.guild_id, series.id, series.circle_id, local_date, iso_utc(instant),
         iso_utc(instant + series.duration), status),
    )
    session = await get_session(conn, series.guild_id, cursor.lastrowid or 0)
    assert session is not None
    if status == "scheduled":
        await schedule_jobs(conn, now, session)
    return session


async def materialise(conn: Conn, now: datetime, series: Series) -> list[Session]:
    """Make the series' next sessions until ``HORIZON`` upcoming ones exist; returns those made."""
    if series.status != "active":
        return []
    made: list[Session] = []
    upcoming = 0
    current = series.rule.next_after(now)
    for _ in range(4 * HORIZON + 8):  # skipped dates are passed over, within reason
        if current is None or upcoming >= HORIZON:
            break
        existing = await session_on(conn, series, series.rule.nominal(current).date().isoformat())
        if existing is None:
            made.append(await insert_session(conn, now, series, current))
            upcoming += 1
        elif existing.status == "scheduled":
            upcoming += 1
        current = series.rule.next_after(current)
    return made


async def next_starts(conn: Conn, series: Series, now: datetime, count: int) -> list[datetime]:
    """When the series really meets next: its occurrences after ``now`` with skipped (or otherwise
    called-off) sessions left out and moved ones at their new time, soonest first. Dates beyond the
    made sessions are the rule's. What organisers and the finder are shown."""
    times: list[datetime] = []
    current = series.rule.next_after(now)
    looked = 0
    while current is not None and looked < count + 8 and len(times) < count * 2:
        looked += 1
        session = await session_on(conn, series, series.rule.nominal(current).date().isoformat())
        if session is None:
            times.append(current)
        elif session.status == "scheduled" and session.starts_at > now:
            times.append(session.starts_at)
        current = series.rule.next_after(current)
    return sorted(times)[:count]


async def drop_jobs(conn: Conn, session: Session) -> None:
    for kind in SESSION_KINDS:
        await schedules.delete_for_owner(conn, session.guild_id, kind, session.id)


async def schedule_jobs(conn: Conn, now: datetime, session: Session) -> None:
    """(Re)make the session's one-off schedules for its current start and end."""
    await drop_jobs(conn, session)

    async def once(kind: str, at: datetime, payload: dict[str, Any] | None = None) -> None:
        await schedules.create(conn, now, guild_id=session.guild_id, kind=kind, owner_id=session.id,
                               rule=Recurrence.once(at), payload=payload)

    await once(START_KIND, session.starts_at)
    await once(END_KIND, session.ends_at)
    await once(PULSE_CLOSE_KIND, session.ends_at + PULSE_WINDOW)
    for minutes in OFFSETS.values():
        at = session.starts_at - timedelta(minutes=minutes)
        if at > now:  # a reminder time already gone when the session was made is not sent late
            await once(REMIND_KIND, at, {"offset": minutes})


async def set_session_status(conn: Conn, session: Session, status: str,
                             *, note: str | None = None) -> None:
    await conn.execute("UPDATE checkin_sessions SET status = ?, note = COALESCE(?, note) WHERE id = ? AND guild_id = ?",
                       (status, note, session.id, session.guild_id))


async def move_session(conn: Conn, now: datetime, session: Session, starts_at: datetime,
                       ends_at: datetime, *, moved: bool) -> Session:
    await conn.execute(
        "UPDATE checkin_sessions SET starts_at = ?, ends_at = ?, moved = ? WHERE id = ? AND guild_id = ?",
        (iso_utc(starts_at), iso_utc(ends_at), int(moved), session.id, session.guild_id),
    )
    updated = await get_session(conn, session.guild_id, session.id)
    assert updated is not None
    await schedule_jobs(conn, now, updated)
    return updated


async def call_off_upcoming(conn: Conn, now: datetime, series: Series) -> list[Session]:
    """Cancel every session of the series that has not started yet (their events follow)."""
    found = await sessions_where(conn, series.guild_id, "series_id = ? AND status = 'scheduled'", (series.id,))
    for session in found:
        await set_session_status(conn, session, "cancelled")
        await drop_jobs(conn, session)
    return found


async def upcoming_for_circles(conn: Conn, guild_id: int, circle_ids: list[int],
                               now: datetime) -> list[Session]:
    if not circle_ids:
        return []
    marks = ",".join("?" * len(circle_ids))
    return await sessions_where(conn, guild_id, f"circle_id IN ({marks}) AND status = 'scheduled' AND starts_at > ?",
                                (*circle_ids, iso_utc(now)))
