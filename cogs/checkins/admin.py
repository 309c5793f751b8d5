"""/checkin-admin schedule|once|cancel|edit and /checkin-facilitator list|skip|move|attendance|pulse
(thin: parse, check, call bot.checkins, render). Organisers schedule and change series; a circle's
facilitators may also skip and move its sessions and see its attendance and pulse, and nothing of
any other circle.

Two groups because Discord's ``default_permissions`` applies to a whole top-level command:
facilitators are ordinary members to Discord, so their actions live in a group without default
permissions (as /circle-facilitator) and are checked in the bot; organiser-only actions stay
hidden behind Manage Events.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from zoneinfo import available_timezones

import discord
from discord import app_commands
from discord.ext import commands

from bot.checkins import attendance, pulse, wording
from bot.checkins.inputs import parse_date
from bot.checkins.manage import (
    Scheduled,
    cancel_series,
    edit_series,
    find_series,
    move,
    schedule_once,
    schedule_series,
    skip,
)
from bot.checkins.series import list_series
from bot.checkins.sessions import sessions_where
from bot.circles.access import require_facilitator_or_organiser, require_organiser, require_set_up
from bot.circles.records import Circle, facilitated_circles, facilitator_ids, get_circle, resolve_circle
from bot.core.guild_settings import GuildSettings
from bot.core.messages import timestamp
from bot.core.permissions import NotAllowed
from bot.core.text import display
from cogs.checkins.events import EventKeeper
from cogs.common.choices import choice, circle_choices
from cogs.common.context import actor_of, reply, settings_of

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot

log = logging.getLogger(__name__)

ZONES = sorted(available_timezones())
WEEKDAY_SUGGESTIONS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun", "mon,thu", "tue,fri", "mon,wed,fri",
                       "sat,sun")


def zone_choices(current: str) -> list[app_commands.Choice[str]]:
    needle = current.strip().lower().replace(" ", "_")
    return [choice(z, z) for z in ZONES if needle in z.lower()][:25]


class CheckinAdmin(commands.Cog):
    admin = app_commands.Group(
        name="checkin-admin", description="Organisers: schedule, change and cancel voice check-ins",
        guild_only=True, default_permissions=discord.Permissions(manage_events=True),
        extras={"audience": "organiser"},
    )
    facilitate = app_commands.Group(
        name="checkin-facilitator", description="Facilitators and organisers: look after your circle's check-ins",
        guild_only=True, extras={"audience": "facilitator"},
    )

    def __init__(self, bot: PeerCirclesBot, keeper: EventKeeper) -> None:
        self.bot = bot
        self.keeper = keeper

    # -- checks ------------------------------------------------------------------------------------

    async def _organiser(self, interaction: discord.Interaction) -> GuildSettings:
        settings = await settings_of(self.bot, interaction)
        require_set_up(settings)
        require_organiser(actor_of(interaction), settings)
        return settings

    async def _circle(self, interaction: discord.Interaction, text: str, *, organiser: bool) -> Circle:
        """The circle named, after checking the person may act on it (the bot's own check)."""
        settings = await settings_of(self.bot, interaction)
        require_set_up(settings)
        if organiser:
            require_organiser(actor_of(interaction), settings)
        found = await resolve_circle(self.bot.db, settings.guild_id, text)
        if not organiser:
            facilitators = await facilitator_ids(self.bot.db, settings.guild_id, found.id)
            try:
                require_facilitator_or_organiser(actor_of(interaction), settings, facilitators)
            except NotAllowed:
                raise NotAllowed(wording.NOT_FACILITATOR_OR_ORGANISER) from None
        return found

    def _after_change(self, guild_id: int) -> None:
        self.bot.scheduler.notify(self.bot.clock.now())
        self.keeper.changed(guild_id)

    # -- autocomplete ------------------------------------------------------------------------------

    async def circle_autocomplete(self, interaction: discord.Interaction,
                                  current: str) -> list[app_commands.Choice[str]]:
        return await circle_choices(self.bot.db, interaction, current)

    async def zone_autocomplete(self, interaction: discord.Interaction,
                                current: str) -> list[app_commands.Choice[str]]:
        return zone_choices(current)

    async def weekdays_autocomplete(self, interaction: discord.Interaction,
                                    current: str) -> list[app_commands.Choice[str]]:
        typed = current.strip().lower()
        options = [s for s in WEEKDAY_SUGGESTIONS if s.startswith(typed)] or ([typed] if typed else [])
        return [choice(o, o) for o in options[:25]]

    async def series_autocomplete(self, interaction: discord.Interaction,
                                  current: str) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        found = []
        for series in await list_series(self.bot.db.reader, interaction.guild_id):
            circle = await get_circle(self.bot.db, interaction.guild_id, series.circle_id)
            label = f"{series.title} ({circle.name}) #{series.id}"
            if current.strip().lower() in label.lower():
                found.append(choice(label, str(series.id)))
        return found[:25]

    # -- schedule ----------------------------------------------------------------------------------

    @admin.command(name="schedule", description="Schedule a circle's recurring voice check-in")
    @app_commands.describe(
        circle="The circle that meets", weekdays="Days it meets, e.g. mon,thu", time="Local time, e.g. 19:00 or 7pm",
        timezone="Time zone (IANA name, e.g. Europe/London); the server's by default",
        duration="Length in minutes (15-240)", every="Repeat every 1-4 weeks",
        start="First date (YYYY-MM-DD), today by default", title="Title members see (up to 100 characters)",
        facilitator="Who facilitates (told when someone can't make it)",
    )
    async def schedule(self, interaction: discord.Interaction, circle: str, weekdays: str, time: str,
                       duration: int = 60, every: int = 1,
                       timezone: str | None = None, start: str | None = None, title: str | None = None,
                       facilitator: discord.Member | None = None) -> None:
        found = await self._circle(interaction, circle, organiser=True)
        settings = await settings_of(self.bot, interaction)
        result = await schedule_series(
            self.bot.db, self.bot.clock, found, weekdays=weekdays, at=time, timezone=timezone or settings.timezone,
            duration=duration, every=every, start=start, title=title,
            facilitator_id=facilitator.id if facilitator else None, created_by=interaction.user.id)
        self._after_change(found.guild_id)
        log.info("checkin series scheduled guild_id=%s series_id=%s", found.guild_id, result.series.id)
        text = wording.SCHEDULED.format(title=display(result.series.title), circle=display(found.name),
                                        rule=result.series.describe())
        text += "\n" + "\n".join(f"- {timestamp(t)}" for t in result.next_five)
        await reply(interaction, text + self._events_warning(interaction, found))

    @admin.command(name="once", description="Schedule a one-off session (a guest, a workshop, an introduction)")
    @app_commands.describe(
        circle="The circle it belongs to", date="Date (YYYY-MM-DD)", time="Local time, e.g. 19:00 or 7pm",
        timezone="Time zone (IANA name); the server's by default", duration="Length in minutes (15-240)",
        title="Title members see (up to 100 characters)", facilitator="Who facilitates",
        open_to_all="Also open to people who are not members yet (they can join the circle from the event)",
    )
    async def once(self, interaction: discord.Interaction, circle: str, date: str, time: str,
                   duration: int = 60, timezone: str | None = None,
                   title: str | None = None, facilitator: discord.Member | None = None,
                   open_to_all: bool = False) -> None:
        found = await self._circle(interaction, circle, organiser=True)
        settings = await settings_of(self.bot, interaction)
        result = await schedule_once(
            self.bot.db, self.bot.clock, found, on=date, at=time, timezone=timezone or settings.timezone,
            duration=duration, title=title, facilitator_id=facilitator.id if facilitator else None,
            open_to_all=open_to_all, created_by=interaction.user.id)
        self._after_change(found.guild_id)
        text = wording.SCHEDULED_ONCE.format(title=display(result.series.title), circle=display(found.name),
                                             when=timestamp(result.next_five[0]),
                                             open=wording.OPEN_NOTE if open_to_all else "")
        await reply(interaction, text + self._events_warning(interaction, found))

    def _events_warning(self, interaction: discord.Interaction, circle: Circle) -> str:
        guild = interaction.guild
        channel = guild.get_channel(circle.voice_channel_id or 0) if guild else None
        me = guild.me if guild else None
        if me is None or channel is None or not channel.permissions_for(me).manage_events:
            return wording.NO_MANAGE_EVENTS
        return ""

    # -- list, skip, move, cancel, edit ----------------------------------------------------------------

    @facilitate.command(name="list", description="This server's check-in series and their next sessions")
    async def list_command(self, interaction: discord.Interaction) -> None:
        settings = await settings_of(self.bot, interaction)
        require_set_up(settings)
        actor = actor_of(interaction)
        visible: Callable[[int], bool]
        try:
            require_organiser(actor, settings)
            visible = lambda _cid: True  # noqa: E731
        except NotAllowed:
            mine = set(await facilitated_circles(self.bot.db, settings.guild_id, actor.user_id))
            if not mine:
                raise NotAllowed(wording.NOT_FACILITATOR_OR_ORGANISER) from None
            visible = mine.__contains__
        lines = []
        now = self.bot.clock.now()
        for series in await list_series(self.bot.db.reader, settings.guild_id):
            if not visible(series.circle_id):
                continue
            circle = await get_circle(self.bot.db, settings.guild_id, series.circle_id)
            upcoming = await sessions_where(self.bot.db.reader, settings.guild_id,
                                            "series_id = ? AND status = 'scheduled' AND starts_at > ?",
                                            (series.id, now.strftime("%Y-%m-%dT%H:%M:%SZ")))
            lines.append(wording.LIST_LINE.format(
                title=display(series.title), circle=display(circle.name), id=series.id, rule=series.describe(),
                duration=series.duration_minutes, status=wording.SERIES_STATUS.get(series.status, ""),
                next=timestamp(upcoming[0].starts_at) if upcoming else "none"))
        await reply(interaction, "\n".join(lines) or wording.LIST_EMPTY)

    @facilitate.command(name="skip", description="Skip one session (members are told, with your note if any)")
    @app_commands.describe(circle="The circle", date="The session's date (YYYY-MM-DD)",
                           note="A short note to members (optional)")
    async def skip_command(self, interaction: discord.Interaction, circle: str, date: str,
                           note: str | None = None) -> None:
        found = await self._circle(interaction, circle, organiser=False)
        session = await skip(self.bot.db, self.bot.clock, self.bot.outbox, found, date, note)
        self._after_change(found.guild_id)
        await reply(interaction, wording.SKIPPED.format(
            date=timestamp(session.starts_at, "D"),
            told=wording.SKIPPED_TOLD if found.text_channel_id else ""))

    @facilitate.command(name="move", description="Move one session to another time on the same day")
    @app_commands.describe(circle="The circle", date="The session's date (YYYY-MM-DD)",
                           new_time="The new local time, e.g. 18:30 or 6:30pm")
    async def move_command(self, interaction: discord.Interaction, circle: str, date: str, new_time: str) -> None:
        found = await self._circle(interaction, circle, organiser=False)
        session = await move(self.bot.db, self.bot.clock, self.bot.outbox, found, date, new_time)
        self._after_change(found.guild_id)
        await reply(interaction, wording.MOVED.format(date=parse_date(date).isoformat(),
                                                      when=timestamp(session.starts_at)))

    @admin.command(name="cancel", description="Cancel a series: no more sessions, its events are cancelled")
    @app_commands.describe(series="The series to cancel")
    async def cancel_command(self, interaction: discord.Interaction, series: str) -> None:
        settings = await self._organiser(interaction)
        found = await find_series(self.bot.db, settings.guild_id, series)
        cancelled = await cancel_series(self.bot.db, self.bot.clock, found)
        self._after_change(settings.guild_id)
        await reply(interaction, wording.CANCELLED_SERIES.format(title=display(cancelled.title)))

    @admin.command(name="edit", description="Change a series' time, duration or facilitator")
    @app_commands.describe(series="The series to change", time="New local time, e.g. 19:00 or 7pm",
                           duration="New length in minutes (15-240)", facilitator="New facilitator")
    async def edit_command(self, interaction: discord.Interaction, series: str, time: str | None = None,
                           duration: int | None = None,
                           facilitator: discord.Member | None = None) -> None:
        settings = await self._organiser(interaction)
        found = await find_series(self.bot.db, settings.guild_id, series)
        result: Scheduled = await edit_series(self.bot.db, self.bot.clock, found, at=time, duration=duration,
                                              facilitator_id=facilitator.id if facilitator else None)
        self._after_change(settings.guild_id)
        await reply(interaction, wording.EDITED.format(title=display(result.series.title),
                                                       next=", ".join(timestamp(t) for t in result.next_five[:3])))

    # -- attendance and pulse (private) ------------------------------------------------------------

    @facilitate.command(name="attendance", description="Privately: who came to a session, or over the last 4 weeks")
    @app_commands.describe(circle="The circle", date="A session's date (YYYY-MM-DD); leave out for 4 weeks")
    async def attendance_command(self, interaction: discord.Interaction, circle: str,
                                 date: str | None = None) -> None:
        found = await self._circle(interaction, circle, organiser=False)
        channel_id = found.voice_channel_id
        name = display(found.name)
        if channel_id is None:
            raise NotAllowed(wording.NO_VOICE.format(circle=name))
        now = self.bot.clock.now()
        conn = self.bot.db.reader
        if date is not None:
            day = parse_date(date)
            held = await sessions_where(conn, found.guild_id, "circle_id = ? AND local_date = ?"
                                        " AND status IN ('started', 'completed')", (found.id, day.isoformat()))
            if not held:
                await reply(interaction, wording.ATTENDANCE_NO_SESSION.format(circle=name))
                return
            lines = [wording.ATTENDANCE_HEAD.format(circle=name, date=timestamp(held[0].starts_at, "D"))]
            came = await attendance.session_attendance(conn, held[0], channel_id, now)
            lines += [wording.ATTENDANCE_LINE.format(member=f"<@{p.user_id}>", minutes=p.minutes) for p in came]
            if not came:
                lines.append(wording.ATTENDANCE_NONE)
        else:
            count, weeks = await attendance.four_weeks(conn, found.guild_id, found.id, channel_id, now)
            if not count:
                await reply(interaction, wording.ATTENDANCE_WEEKS_NONE.format(circle=name))
                return
            lines = [wording.ATTENDANCE_WEEKS_HEAD.format(circle=name, sessions=count)]
            lines += [wording.ATTENDANCE_WEEKS_LINE.format(member=f"<@{w.user_id}>", count=w.sessions,
                                                           minutes=w.minutes) for w in weeks]
        lines.append(wording.ATTENDANCE_FOOTER)
        await reply(interaction, "\n".join(lines))

    @facilitate.command(name="pulse", description="Privately: how people felt after sessions (anonymous, 3+ answers)")
    @app_commands.describe(circle="The circle")
    async def pulse_command(self, interaction: discord.Interaction, circle: str) -> None:
        found = await self._circle(interaction, circle, organiser=False)
        lines = await pulse.aggregates(self.bot.db.reader, found.guild_id, found.id)
        if not lines:
            await reply(interaction, wording.PULSE_TOO_FEW)
            return
        text = [wording.PULSE_HEAD.format(circle=display(found.name))]
        for line in lines:
            bars = " ".join(f"{score}:{'▮' * n or '·'}" for score, n in enumerate(line.spread, start=1))
            text.append(wording.PULSE_LINE.format(date=timestamp(line.starts_at, "D"), bars=bars, mean=line.mean,
                                                  count=line.count))
        await reply(interaction, "\n".join(text))

    # -- autocomplete wiring -----------------------------------------------------------------------

    _circle_commands: tuple[Any, ...] = (schedule, once, skip_command, move_command, attendance_command,
                                         pulse_command)
    for _command in _circle_commands:
        _command.autocomplete("circle")(circle_autocomplete)
    for _command in (schedule, once):
        _command.autocomplete("timezone")(zone_autocomplete)
    schedule.autocomplete("weekdays")(weekdays_autocomplete)
    for _command in (cancel_command, edit_command):
        _command.autocomplete("series")(series_autocomplete)
    del _command, _circle_commands
