"""Keeps sessions' Discord scheduled events in step (create, edit, start, complete, cancel).

A background task works through servers marked changed (by commands, the scheduler's handlers,
listeners and start-up). For each it plans the steps in a transaction (so it never reads a
handler's uncommitted work), makes the calls, and records each result. A failed call is recorded
(403: the bot lacks Manage Events; 404: the event or channel is gone) and not retried; 429 and
5xx are discord.py's to retry, then the server is tried again on its next change.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

import discord

from bot.checkins.event_sync import EventStep, plan, record

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot

log = logging.getLogger(__name__)

STATUS = {"start": 2, "complete": 3, "cancel": 4}


class EventKeeper:
    def __init__(self, bot: PeerCirclesBot) -> None:
        self.bot = bot
        self._dirty: set[int] = set()
        self._task: asyncio.Task[None] | None = None
        self.idle = asyncio.Event()
        self.idle.set()

    def changed(self, guild_id: int) -> None:
        """A server's sessions changed: bring its events in step soon (safe to call anywhere)."""
        self._dirty.add(guild_id)
        self.idle.clear()
        if self._task is None or self._task.done():
            try:
                self._task = asyncio.get_running_loop().create_task(self._run(), name="checkin-events")
            except RuntimeError:
                return  # no loop (a tool run without Discord): the next change will try again

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        """Works until no server is left to bring in step, then ends (the next change starts it again)."""
        await asyncio.sleep(0)  # let the caller's transaction finish its turn first
        try:
            while self._dirty and not self.bot.is_closed():
                guild_id = self._dirty.pop()
                try:
                    await self.sync(guild_id)
                except Exception:
                    if self.bot.is_closed():
                        return  # shutting down: the next start brings the events in step
                    log.exception("checkin event sync failed guild_id=%s", guild_id)
        finally:
            self.idle.set()

    async def sync(self, guild_id: int) -> None:
        db = self.bot.db
        async with db.transaction():  # waits for any handler's transaction to commit first
            steps = await plan(db, guild_id, self.bot.clock.now())
        held: list[dict[str, Any]] | None = None
        for step in steps:
            if step.action == "create" and held is None:
                held = await self._events_held(guild_id)
            event_id, failed = await self._call(guild_id, step, held or [])
            async with db.transaction() as conn:
                await record(conn, guild_id, step, event_id=event_id, failed=failed)

    async def _events_held(self, guild_id: int) -> list[dict[str, Any]]:
        """The server's events as Discord holds them now (asked over REST, not the gateway cache,
        which is empty until the server arrives: a sync at start-up runs before that)."""
        try:
            data: Any = await self.bot.http.get_scheduled_events(guild_id, False)  # raw JSON dicts
            return list(data)
        except discord.HTTPException as exc:
            log.warning("checkin events not listed guild_id=%s status=%s", guild_id, exc.status)
            return []

    async def _call(self, guild_id: int, step: EventStep,
                    held: list[dict[str, Any]]) -> tuple[int | None, bool]:
        http = self.bot.http
        try:
            if step.action == "create":
                adopted = self._adopt(held, step.body)
                if adopted is not None:
                    held[:] = [e for e in held if int(e["id"]) != adopted]  # one session per event
                    return adopted, False
                data: Any = await http.create_guild_scheduled_event(guild_id, reason="check-in scheduled",
                                                                    **step.body)
                return int(data["id"]), False
            assert step.event_id is not None
            if step.action == "edit":
                await http.edit_scheduled_event(guild_id, step.event_id, reason="check-in changed", **step.body)
            else:
                await http.edit_scheduled_event(guild_id, step.event_id, status=STATUS[step.action])
            return None, False
        except (discord.Forbidden, discord.NotFound) as exc:
            log.warning("checkin event %s failed guild_id=%s session_id=%s status=%s code=%s", step.action,
                        guild_id, step.session_id, exc.status, exc.code)
            return None, True
        except discord.HTTPException as exc:
            if exc.status == 400:  # Discord refuses the transition (e.g. someone ended it by hand)
                log.warning("checkin event %s refused guild_id=%s session_id=%s code=%s", step.action, guild_id,
                            step.session_id, exc.code)
                return None, True
            raise

    def _adopt(self, held: list[dict[str, Any]], body: dict[str, Any]) -> int | None:
        """An event the bot made for this session before a crash (same creator, channel and start,
        still scheduled): reuse it, so a crash between Discord making it and the bot writing its id
        down never leaves two events for one session."""
        if self.bot.user is None:  # set at login, before any sync
            return None
        me = self.bot.user.id
        start = datetime.fromisoformat(body["scheduled_start_time"])
        for event in held:
            if (str(event.get("creator_id")) == str(me) and str(event.get("channel_id")) == str(body["channel_id"])
                    and event.get("status") == 1
                    and datetime.fromisoformat(str(event["scheduled_start_time"])) == start):
                return int(event["id"])
        return None
