"""Keeping each session's Discord scheduled event in step with the session row.

The session row is the truth; ``event_state`` and ``event_sig`` record what Discord holds. ``plan``
compares them and returns the steps to take (create, edit, start, complete, cancel); the cog makes
the calls and reports each result with ``record``. Running ``plan`` again after a crash or a
failed call simply finds the remaining steps, so events converge whatever happened in between.

Discord's own transitions apply: scheduled -> active -> completed, scheduled -> canceled. A
session that ended while its event never started is started and then completed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.checkins import wording
from bot.checkins.series import get_series
from bot.checkins.sessions import Session, sessions_where
from bot.circles.records import Circle, get_circle
from bot.core.clock import iso_utc
from bot.core.db import Conn, Database
from bot.core.text import display


class EventSync(Protocol):
    """The check-ins cog's event keeper as the rest of the bot sees it (``PeerCirclesBot.checkin_events``):
    the demo and tests wait until every server's events are in step, or bring one server's in step."""

    idle: asyncio.Event  # set while no server's events wait to be brought in step

    async def sync(self, guild_id: int) -> None: ...


VOICE_EVENT = 2          # entity_type: a voice channel
GUILD_ONLY = 2           # privacy_level
SCHEDULED, ACTIVE, COMPLETED, CANCELED = 1, 2, 3, 4
# An event must start in the future when it is made; leave Discord a little room.
CREATE_LEAD = timedelta(minutes=1)
LOOK_BACK = timedelta(days=30)  # sessions whose events may still need ending (after downtime)
STATE_AFTER = {"create": "scheduled", "edit": "scheduled", "start": "active", "complete": "completed",
               "cancel": "canceled"}


@dataclass(frozen=True)
class EventStep:
    session_id: int
    action: str  # create | edit | start | complete | cancel
    event_id: int | None
    body: dict[str, Any] = field(default_factory=dict)
    sig: str | None = None


def _iso(when: datetime) -> str:
    return when.isoformat()


def event_body(session: Session, title: str, circle: Circle, open_to_all: bool) -> dict[str, Any]:
    description = wording.EVENT_DESCRIPTION.format(circle=display(circle.name))
    if open_to_all:
        description += wording.EVENT_DESCRIPTION_OPEN.format(circle=display(circle.name))
    return {"name": title[:100], "description": description[:1000], "channel_id": circle.voice_channel_id,
            "scheduled_start_time": _iso(session.starts_at), "scheduled_end_time": _iso(session.ends_at),
            "entity_type": VOICE_EVENT, "privacy_level": GUILD_ONLY}


def signature(body: dict[str, Any]) -> str:
    return "|".join(str(body[k]) for k in ("name", "scheduled_start_time", "scheduled_end_time", "channel_id"))


async def plan(db: Database, guild_id: int, now: datetime) -> list[EventStep]:
    """The steps that bring this server's events in line with its sessions, in order."""
    conn = db.reader
    found = await sessions_where(conn, guild_id, "event_state IN ('none', 'scheduled', 'active') AND ends_at > ?",
                                 (iso_utc(now - LOOK_BACK),))
    steps: list[EventStep] = []
    for session in found:
        state, event_id = session.event_state, session.event_id
        if session.status == "scheduled":
            if session.starts_at <= now + CREATE_LEAD and state == "none":
                continue  # too close to make an event; the start notice and reminders still go
            series = await get_series(conn, guild_id, session.series_id)
            circle = await get_circle(db, guild_id, session.circle_id)
            if series is None or circle.voice_channel_id is None:
                continue
            body = event_body(session, series.title, circle, series.open_to_all)
            sig = signature(body)
            if state == "none":
                steps.append(EventStep(session.id, "create", None, body, sig))
            elif state == "scheduled" and sig != session.event_sig and session.starts_at > now:
                edit = {k: body[k] for k in ("name", "description", "channel_id", "scheduled_start_time",
                                              "scheduled_end_time")}
                steps.append(EventStep(session.id, "edit", event_id, edit, sig))
        elif session.status == "started" and state == "scheduled":
            steps.append(EventStep(session.id, "start", event_id))
        elif session.status == "completed":
            if state == "scheduled":
                steps.append(EventStep(session.id, "start", event_id))
            if state in ("scheduled", "active"):
                steps.append(EventStep(session.id, "complete", event_id))
        elif session.status in ("skipped", "cancelled"):
            if state == "scheduled":
                steps.append(EventStep(session.id, "cancel", event_id))
            elif state == "active":
                steps.append(EventStep(session.id, "complete", event_id))
    return steps


async def record(conn: Conn, guild_id: int, step: EventStep, *, event_id: int | None = None,
                 failed: bool = False) -> None:
    """What Discord now holds after ``step`` (or that it could not be done: no more tries)."""
    state = "failed" if failed else STATE_AFTER[step.action]
    await conn.execute(
        "UPDATE checkin_sessions SET event_state = ?, event_id = COALESCE(?, event_id),"
        " event_sig = COALESCE(?, event_sig) WHERE guild_id = ? AND id = ?",
        (state, event_id, None if failed else step.sig, guild_id, step.session_id))


async def event_gone(conn: Conn, guild_id: int, event_id: int) -> None:
    """Someone deleted the event in Discord: stop trying to keep it in step."""
    await conn.execute("UPDATE checkin_sessions SET event_state = 'failed' WHERE guild_id = ? AND event_id = ?",
                       (guild_id, event_id))


async def session_of_event(conn: Conn, guild_id: int, event_id: int) -> Session | None:
    found = await sessions_where(conn, guild_id, "event_id = ?", (event_id,))
    return found[0] if found else None
