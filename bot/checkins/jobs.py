"""What happens when a check-in's timed jobs fire: the horizon, reminders, start, end, pulse close.

Every handler runs inside the scheduler's transaction, writes only the database and the outbox
(never Discord), and is safe to run again for the same occurrence: outbox keys make each message
exactly once. Policies for occurrences that fell while the bot was down (``POLICIES``):

- horizon, end, pulse close: always handled, however late (they keep state right);
- reminders: ``LATE``; one whose session has already started is dropped, one whose session is
  still to come is sent marked late;
- start: ``LATE`` within the session; the notice is dropped once the session has ended.

The Discord events follow the session rows: after a change the handlers call ``changed(guild)``
so the cog brings the events in step (bot.checkins.event_sync).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.checkins import attendance, pulse, wording
from bot.checkins.inputs import offsets_text
from bot.checkins.manage import holds_seat
from bot.checkins.optins import may_ping, reminder_recipients, seated_optins
from bot.checkins.series import HORIZON_KIND, Series, get_series, set_status
from bot.checkins.sessions import (
    END_KIND,
    PULSE_CLOSE_KIND,
    REMIND_KIND,
    START_KIND,
    Session,
    call_off_upcoming,
    get_session,
    materialise,
    set_session_status,
)
from bot.circles.records import Circle, facilitator_ids, get_circle
from bot.core.clock import Clock, iso_utc
from bot.core.db import Conn, Database
from bot.core.guild_settings import get_settings
from bot.core.messages import SECONDARY, Button, Card, custom_id, timestamp
from bot.core.text import display
from bot.delivery.outbox import Outbox
from bot.delivery.scheduler import MissedPolicy, Occurrence

log = logging.getLogger(__name__)

ALWAYS = timedelta(days=3650)
POLICIES: dict[str, tuple[MissedPolicy, timedelta]] = {
    HORIZON_KIND: (MissedPolicy.LATE, ALWAYS),
    REMIND_KIND: (MissedPolicy.LATE, timedelta(hours=49)),
    START_KIND: (MissedPolicy.LATE, timedelta(hours=4)),
    END_KIND: (MissedPolicy.LATE, ALWAYS),
    PULSE_CLOSE_KIND: (MissedPolicy.LATE, ALWAYS),
}


@dataclass
class CheckinRuntime:
    """The check-ins' handlers with what they need; the cog builds one and registers its kinds."""

    db: Database
    clock: Clock
    outbox: Outbox
    default_zone: str
    guild_name: Callable[[int], str]
    changed: Callable[[int], None]  # a server's sessions changed: bring its Discord events in step

    def handlers(self) -> dict[str, Callable[[Conn, Occurrence], object]]:
        return {HORIZON_KIND: self.on_horizon, REMIND_KIND: self.on_remind, START_KIND: self.on_start,
                END_KIND: self.on_end, PULSE_CLOSE_KIND: self.on_pulse_close}

    async def server_zone(self, guild_id: int) -> str:
        return (await get_settings(self.db, guild_id, default_timezone=self.default_zone)).timezone

    # -- the horizon: keep the next sessions made ------------------------------------------------

    async def on_horizon(self, conn: Conn, occ: Occurrence) -> None:
        series = await get_series(conn, occ.guild_id, occ.owner_id)
        if series is None or series.status != "active":
            return
        if await self.pause_if_orphaned(conn, series):
            return
        if await materialise(conn, self.clock.now(), series):
            self.changed(series.guild_id)

    async def pause_if_orphaned(self, conn: Conn, series: Series) -> bool:
        """A series whose circle was archived or lost its voice channel pauses; the organiser is told."""
        circle = await get_circle(self.db, series.guild_id, series.circle_id)
        if circle.archived_at is None and circle.voice_channel_id is not None:
            return False
        why = wording.PAUSED_ARCHIVED if circle.archived_at is not None else wording.PAUSED_NO_VOICE
        await self.pause(conn, series, circle, why)
        return True

    async def pause(self, conn: Conn, series: Series, circle: Circle, why: str) -> None:
        now = self.clock.now()
        await set_status(conn, now, series, "paused")
        await call_off_upcoming(conn, now, series)
        card = Card(wording.PAUSED_DM.format(title=display(series.title), circle=display(circle.name),
                                             guild=display(self.guild_name(series.guild_id)), why=why))
        await self.outbox.enqueue(conn, key=f"checkin_paused:{series.id}:{iso_utc(now)}", kind="checkins.paused",
                                  guild_id=series.guild_id, target_kind="dm", target_id=series.created_by,
                                  payload=card.to_payload())
        log.info("checkin series paused guild_id=%s series_id=%s", series.guild_id, series.id)
        self.changed(series.guild_id)

    # -- reminders --------------------------------------------------------------------------------

    async def on_remind(self, conn: Conn, occ: Occurrence) -> None:
        session = await get_session(conn, occ.guild_id, occ.owner_id)
        now = self.clock.now()
        if session is None or session.status != "scheduled" or now >= session.starts_at:
            return  # skipped, moved away, or already started: a reminder now would not help
        offset = int(occ.payload.get("offset", 0))
        series = await get_series(conn, session.guild_id, session.series_id)
        circle = await get_circle(self.db, session.guild_id, session.circle_id)
        if series is None or circle.archived_at is not None or circle.voice_channel_id is None:
            return
        zone = await self.server_zone(session.guild_id)
        for user_id in await reminder_recipients(conn, session.guild_id, session.circle_id, session.id, offset):
            if not await may_ping(conn, session.guild_id, user_id, now, zone):
                continue  # flare mode or quiet hours: no reminder (not held: it would come too late)
            member = await holds_seat(self.db, session.guild_id, session.circle_id, user_id)
            card = reminder_card(session, series, circle, self.guild_name(session.guild_id), late=occ.late,
                                 member=member)
            await self.outbox.enqueue(conn, key=f"checkin_remind:{session.id}:{offset}:{user_id}",
                                      kind="checkins.reminder", guild_id=session.guild_id, target_kind="dm",
                                      target_id=user_id, payload=card.to_payload())

    # -- start and end ----------------------------------------------------------------------------

    async def on_start(self, conn: Conn, occ: Occurrence) -> None:
        session = await get_session(conn, occ.guild_id, occ.owner_id)
        if session is None or session.status != "scheduled" or session.starts_at != occ.scheduled_at:
            return
        series = await get_series(conn, session.guild_id, session.series_id)
        if series is None:
            return
        if await self.pause_if_orphaned(conn, series):
            return
        await set_session_status(conn, session, "started")
        self.changed(session.guild_id)
        now = self.clock.now()
        circle = await get_circle(self.db, session.guild_id, session.circle_id)
        if now >= session.ends_at or circle.text_channel_id is None:
            return
        zone = await self.server_zone(session.guild_id)
        pinged = [o.user_id for o in await seated_optins(conn, session.guild_id, session.circle_id)
                  if o.start_ping and await may_ping(conn, session.guild_id, o.user_id, now, zone)]
        content = wording.START_NOTICE.format(title=display(series.title), voice=f"<#{circle.voice_channel_id}>")
        if pinged:
            content += "\n" + " ".join(f"<@{u}>" for u in pinged)
        card = Card(content, mention_user_ids=tuple(pinged))
        await self.outbox.enqueue(conn, key=f"checkin_start:{session.id}", kind="checkins.start",
                                  guild_id=session.guild_id, target_kind="channel",
                                  target_id=circle.text_channel_id, payload=card.to_payload())

    async def on_end(self, conn: Conn, occ: Occurrence) -> None:
        session = await get_session(conn, occ.guild_id, occ.owner_id)
        if session is None or session.status not in ("scheduled", "started") or session.ends_at != occ.scheduled_at:
            return
        await set_session_status(conn, session, "completed")
        self.changed(session.guild_id)
        if occ.late:
            return  # a pulse long after the session would not mean much
        circle = await get_circle(self.db, session.guild_id, session.circle_id)
        if circle.voice_channel_id is None:
            return
        now = self.clock.now()
        came = {a.user_id for a in await attendance.session_attendance(conn, session, circle.voice_channel_id, now)}
        zone = await self.server_zone(session.guild_id)
        for optin in await seated_optins(conn, session.guild_id, session.circle_id):
            if not (optin.pulse and optin.user_id in came):
                continue
            if not await may_ping(conn, session.guild_id, optin.user_id, now, zone):
                continue  # flare mode or quiet hours: no pulse (not held: a pulse much later means little)
            if await pulse.ask(conn, session, optin.user_id):
                card = pulse_card(session, circle, self.guild_name(session.guild_id))
                await self.outbox.enqueue(conn, key=f"checkin_pulse:{session.id}:{optin.user_id}",
                                          kind="checkins.pulse", guild_id=session.guild_id, target_kind="dm",
                                          target_id=optin.user_id, payload=card.to_payload())

    async def on_pulse_close(self, conn: Conn, occ: Occurrence) -> None:
        session = await get_session(conn, occ.guild_id, occ.owner_id)
        if session is not None:
            await pulse.close(conn, session)


# -- cards ------------------------------------------------------------------------------------------

def reminder_card(session: Session, series: Series, circle: Circle, guild_name: str, *, late: bool,
                  member: bool = True) -> Card:
    content = wording.REMINDER.format(
        title=display(series.title), circle=display(circle.name), guild=display(guild_name),
        when=timestamp(session.starts_at), relative=timestamp(session.starts_at, "R"),
        voice=f"<#{circle.voice_channel_id}>",
    )
    if not member:  # invited to a session open to all: the private voice channel needs a seat first
        content += wording.REMINDER_JOIN.format(circle=display(circle.name))
    if late:
        content += wording.REMINDER_LATE
    return Card(content, rows=((Button(custom_id("cicant", session.guild_id, session.id), wording.REMINDER_CANT,
                                       SECONDARY),),))


def pulse_card(session: Session, circle: Circle, guild_name: str) -> Card:
    scores = tuple(Button(custom_id("cipulse", session.guild_id, session.id, n), str(n), SECONDARY)
                   for n in range(1, 6))
    skip = (Button(custom_id("cipulse", session.guild_id, session.id, 0), wording.PULSE_SKIP, SECONDARY),)
    return Card(wording.PULSE_ASK.format(circle=display(circle.name), guild=display(guild_name)),
                rows=(scores, skip))


def interest_text(series: Series, circle: Circle, guild_name: str, offsets: tuple[int, ...]) -> str:
    return wording.INTEREST_DM.format(title=display(series.title), circle=display(circle.name),
                                      guild=display(guild_name), offsets=offsets_text(offsets))


async def facilitators_to_tell(db: Database, series: Series) -> list[int]:
    """The series' facilitator, or else the circle's facilitators, or else whoever scheduled it."""
    if series.facilitator_id is not None:
        return [series.facilitator_id]
    return list(await facilitator_ids(db, series.guild_id, series.circle_id)) or [series.created_by]
