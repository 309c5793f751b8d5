"""Organisers' and members' check-in actions: validate, then change everything in one transaction.

Each function checks all of its input before writing, so bad input raises a ``UserFacingError``
(shown ephemerally) and changes nothing. Permission checks are the cog's (bot.circles.access),
made before these are called. Notices to a circle's channel go through the outbox in the same
transaction. After a commit the caller tells the scheduler (``notify``) and syncs the events.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time

from bot.checkins import wording
from bot.checkins.inputs import (
    CheckinInputError,
    check_duration,
    check_every,
    check_note,
    check_title,
    check_zone,
    parse_date,
    parse_offsets,
    parse_time,
    parse_weekdays,
)
from bot.checkins.optins import OptIn, get_optin, save_optin
from bot.checkins.series import Series, SeriesDraft, get_series, insert_series, list_series, set_status, update_series
from bot.checkins.sessions import (
    Session,
    call_off_upcoming,
    drop_jobs,
    insert_session,
    materialise,
    move_session,
    next_starts,
    session_on,
    sessions_where,
    set_session_status,
    upcoming_for_circles,
)
from bot.circles.records import Circle, get_circle
from bot.core.clock import Clock, iso_utc
from bot.core.db import Conn, Database
from bot.core.errors import UserFacingError
from bot.core.messages import Card, timestamp
from bot.core.text import display
from bot.core.typed import typed_id
from bot.delivery.outbox import Outbox
from bot.delivery.recurrence import resolve_local, zone


@dataclass(frozen=True)
class Scheduled:
    series: Series
    next_five: list[datetime]


def _require_voice(circle: Circle) -> None:
    if circle.voice_channel_id is None:
        raise UserFacingError(wording.NO_VOICE.format(circle=display(circle.name)))


def _today(zone_name: str, now: datetime) -> date:
    return now.astimezone(zone(zone_name)).date()


async def schedule_series(
    db: Database, clock: Clock, circle: Circle, *, weekdays: str, at: str, timezone: str, duration: int,
    every: int = 1, start: str | None = None, title: str | None = None, facilitator_id: int | None = None,
    created_by: int,
) -> Scheduled:
    """A recurring check-in: validated, stored, its first sessions made."""
    _require_voice(circle)
    now = clock.now()
    zone_name = check_zone(timezone)
    draft = SeriesDraft(
        guild_id=circle.guild_id, circle_id=circle.id, kind="weekly",
        title=check_title(title, f"{circle.name} check-in"), timezone=zone_name,
        local_time=parse_time(at), weekdays=parse_weekdays(weekdays), every_weeks=check_every(every),
        start_date=parse_date(start) if start else _today(zone_name, now),
        duration_minutes=check_duration(duration), facilitator_id=facilitator_id,
        open_to_all=False, created_by=created_by,
    )
    if draft.start_date < _today(zone_name, now):
        raise CheckinInputError(wording.PAST_DATE)
    async with db.transaction() as conn:
        series = await insert_series(conn, now, draft)
        await materialise(conn, now, series)
    return Scheduled(series, series.next_instants(now, 5))


async def schedule_once(
    db: Database, clock: Clock, circle: Circle, *, on: str, at: str, timezone: str, duration: int,
    title: str | None = None, facilitator_id: int | None = None, open_to_all: bool = False, created_by: int,
) -> Scheduled:
    """A one-off session (a guest speaker, a workshop, an introduction for newcomers)."""
    _require_voice(circle)
    day = parse_date(on)
    local_time = parse_time(at)
    zone_name = check_zone(timezone)
    draft = SeriesDraft(
        guild_id=circle.guild_id, circle_id=circle.id, kind="once", title=check_title(title, f"{circle.name} session"),
        timezone=zone_name, local_time=local_time, weekdays=frozenset({day.weekday()}), every_weeks=1,
        start_date=day, duration_minutes=check_duration(duration), facilitator_id=facilitator_id,
        open_to_all=open_to_all, created_by=created_by,
    )
    now = clock.now()
    if day < _today(zone_name, now):
        raise CheckinInputError(wording.PAST_DATE)
    if resolve_local(datetime.combine(day, local_time), zone(zone_name)) <= now:
        raise CheckinInputError(wording.PAST_TIME)
    async with db.transaction() as conn:
        series = await insert_series(conn, now, draft)
        await materialise(conn, now, series)
    return Scheduled(series, series.next_instants(now, 1))


async def find_series(db: Database, guild_id: int, text: str) -> Series:
    """A series of this server from an autocomplete value (its id) or a typed id."""
    series_id = typed_id(text)
    series = await get_series(db.reader, guild_id, series_id) if series_id is not None else None
    if series is None or series.status == "cancelled":
        raise UserFacingError(wording.SERIES_NOT_FOUND)
    return series


@dataclass(frozen=True)
class _Found:
    """The circle's session on a date: made already, or (further ahead than the horizon) still to make."""

    series: Series
    session: Session | None
    instant: datetime

    async def made(self, conn: Conn, now: datetime, status: str = "scheduled") -> Session:
        if self.session is not None:
            return self.session
        return await insert_session(conn, now, self.series, self.instant, status=status)


async def _session_for(db: Database, clock: Clock, circle: Circle, on: str, verb: str) -> _Found:
    """The circle's session on a local date; nothing is written."""
    day = parse_date(on)
    now = clock.now()
    for series in await list_series(db.reader, circle.guild_id, circle_id=circle.id, statuses=("active",)):
        if day < _today(series.timezone, now):
            raise CheckinInputError(wording.PAST_DATE)
        existing = await session_on(db.reader, series, day.isoformat())
        if existing is not None:
            if existing.status != "scheduled":
                raise UserFacingError(wording.NOT_SCHEDULED.format(status=existing.status))
            return _Found(series, existing, existing.starts_at)
        if series.rule.occurs_on(day) and series.rule.instant_on(day) > now:
            return _Found(series, None, series.rule.instant_on(day))
    raise UserFacingError(wording.NO_SESSION_ON.format(circle=display(circle.name), date=day.isoformat(), verb=verb))


async def skip(db: Database, clock: Clock, outbox: Outbox, circle: Circle, on: str, note: str | None) -> Session:
    clean = check_note(note)
    parse_date(on)
    found = await _session_for(db, clock, circle, on, "skip")
    series = found.series
    async with db.transaction() as conn:
        session = await found.made(conn, clock.now(), status="skipped")
        await set_session_status(conn, session, "skipped", note=clean)
        await drop_jobs(conn, session)
        await materialise(conn, clock.now(), series)  # keep the next sessions' events in the list
        if circle.text_channel_id is not None:
            text = wording.SKIP_NOTICE.format(date=timestamp(session.starts_at, "D"), title=display(series.title))
            if clean:
                text += wording.SKIP_NOTICE_NOTE.format(note=display(clean))
            await outbox.enqueue(conn, key=f"checkin_skip:{session.id}", kind="checkins.skip",
                                 guild_id=circle.guild_id, target_kind="channel", target_id=circle.text_channel_id,
                                 payload=Card(text).to_payload())
    updated = await sessions_where(db.reader, circle.guild_id, "id = ?", (session.id,))
    return updated[0]


async def move(db: Database, clock: Clock, outbox: Outbox, circle: Circle, on: str, new_time: str) -> Session:
    day = parse_date(on)
    local_time = parse_time(new_time)
    found = await _session_for(db, clock, circle, on, "move")
    series = found.series
    now = clock.now()
    starts = resolve_local(datetime.combine(day, local_time), zone(series.timezone))
    if starts <= now:
        raise CheckinInputError(wording.PAST_TIME)
    async with db.transaction() as conn:
        session = await found.made(conn, now)
        moved = await move_session(conn, now, session, starts, starts + series.duration, moved=True)
        if circle.text_channel_id is not None:
            text = wording.MOVE_NOTICE.format(date=timestamp(found.instant, "D"), title=display(series.title),
                                              when=timestamp(starts))
            await outbox.enqueue(conn, key=f"checkin_move:{session.id}:{iso_utc(starts)}", kind="checkins.move",
                                 guild_id=circle.guild_id, target_kind="channel", target_id=circle.text_channel_id,
                                 payload=Card(text).to_payload())
    return moved


async def cancel_series(db: Database, clock: Clock, series: Series) -> Series:
    async with db.transaction() as conn:
        await set_status(conn, clock.now(), series, "cancelled")
        await call_off_upcoming(conn, clock.now(), series)
    return replace(series, status="cancelled")


async def edit_series(db: Database, clock: Clock, series: Series, *, at: str | None = None,
                      duration: int | None = None, facilitator_id: int | None = None) -> Scheduled:
    if at is None and duration is None and facilitator_id is None:
        raise UserFacingError(wording.NOTHING_TO_EDIT)
    local_time: time = parse_time(at) if at is not None else series.local_time
    minutes = check_duration(duration) if duration is not None else series.duration_minutes
    now = clock.now()
    async with db.transaction() as conn:
        updated = await update_series(conn, now, series, local_time=local_time, duration_minutes=minutes,
                                      facilitator_id=facilitator_id if facilitator_id is not None
                                      else series.facilitator_id)
        for session in await sessions_where(conn, series.guild_id, "series_id = ? AND status = 'scheduled'",
                                            (series.id,)):
            starts = session.starts_at if session.moved else updated.rule.instant_on(date.fromisoformat(
                session.local_date))
            if starts <= now:
                continue  # about to start: left as it is
            await move_session(conn, now, session, starts, starts + updated.duration, moved=session.moved)
    # The sessions that will really happen (skips left out, moves at their new time), not the bare rule.
    return Scheduled(updated, await next_starts(db.reader, updated, now, 5))


# -- members ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class UpcomingLine:
    session: Session
    title: str
    circle_name: str


async def upcoming_for_member(db: Database, clock: Clock, guild_id: int, user_id: int,
                              limit: int = 10) -> list[UpcomingLine]:
    rows = await db.fetchall("SELECT circle_id FROM circle_seats WHERE guild_id = ? AND user_id = ?"
                             " AND status = 'active'", (guild_id, user_id))
    lines = []
    for session in (await upcoming_for_circles(db.reader, guild_id, [r[0] for r in rows], clock.now()))[:limit]:
        series = await get_series(db.reader, guild_id, session.series_id)
        circle = await get_circle(db, guild_id, session.circle_id)
        if series is not None:
            lines.append(UpcomingLine(session, series.title, circle.name))
    return lines


async def holds_seat(db: Database, guild_id: int, circle_id: int, user_id: int) -> bool:
    return await db.fetchval("SELECT 1 FROM circle_seats WHERE guild_id = ? AND circle_id = ? AND user_id = ?"
                             " AND status = 'active'", (guild_id, circle_id, user_id)) is not None


async def set_reminders(db: Database, clock: Clock, circle: Circle, user_id: int, *, on: bool,
                        offsets: str | None = None, start_ping: bool | None = None,
                        pulse: bool | None = None) -> OptIn:
    chosen = parse_offsets(offsets)
    if not await holds_seat(db, circle.guild_id, circle.id, user_id):
        raise UserFacingError(wording.NO_SEAT.format(circle=display(circle.name)))
    async with db.transaction() as conn:
        current = await get_optin(conn, circle.guild_id, circle.id, user_id)
        optin = OptIn(circle.guild_id, circle.id, user_id, on,
                      chosen if offsets else (current.offsets if current else chosen),
                      start_ping if start_ping is not None else bool(current and current.start_ping),
                      pulse if pulse is not None else bool(current and current.pulse))
        if not on:
            optin = replace(optin, start_ping=bool(start_ping), pulse=bool(pulse))
        await save_optin(conn, clock.now(), optin)
    return optin
