"""/checkin upcoming|reminders, the buttons on reminders and pulses, and the listeners that feed
check-ins: voice states (attendance), "Interested" on events (reminders), a circle's voice channel
or role going away (the series pauses), and start-up (events brought in step).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.checkins import attendance, pulse, wording
from bot.checkins.event_sync import event_gone, session_of_event
from bot.checkins.inputs import OFFSETS, offsets_text
from bot.checkins.jobs import CheckinRuntime, facilitators_to_tell
from bot.checkins.manage import holds_seat, set_reminders, upcoming_for_member
from bot.checkins.optins import set_interest
from bot.checkins.series import get_series, list_series
from bot.checkins.sessions import get_session
from bot.circles.access import require_set_up
from bot.circles.records import get_circle, resolve_circle
from bot.core.errors import UserFacingError
from bot.core.messages import Card, timestamp
from bot.core.text import display
from cogs.checkins.events import EventKeeper
from cogs.common.choices import circle_choices
from cogs.common.components import PersistentComponent, send_card
from cogs.common.context import guild_id_of, reply, settings_of

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot

log = logging.getLogger(__name__)


class Checkins(commands.Cog):
    component_actions: ClassVar[dict[str, str]] = {"cicant": "on_cant", "cipulse": "on_pulse"}

    checkin = app_commands.Group(name="checkin", description="Your circles' voice check-ins: times and reminders",
                                 guild_only=True)

    def __init__(self, bot: PeerCirclesBot, runtime: CheckinRuntime, keeper: EventKeeper) -> None:
        self.bot = bot
        self.runtime = runtime
        self.keeper = keeper

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(PersistentComponent)

    # -- /checkin upcoming ---------------------------------------------------------------------------

    @checkin.command(name="upcoming", description="Your next check-ins across your circles, in your own time")
    async def upcoming(self, interaction: discord.Interaction) -> None:
        guild_id = guild_id_of(interaction)
        lines = await upcoming_for_member(self.bot.db, self.bot.clock, guild_id, interaction.user.id)
        if not lines:
            await reply(interaction, wording.UPCOMING_EMPTY)
            return
        text = [wording.UPCOMING_HEAD] + [
            wording.UPCOMING_LINE.format(when=timestamp(li.session.starts_at),
                                         relative=timestamp(li.session.starts_at, "R"),
                                         title=display(li.title), circle=display(li.circle_name))
            for li in lines]
        await reply(interaction, "\n".join(text))

    # -- /checkin reminders --------------------------------------------------------------------------

    @checkin.command(name="reminders", description="Turn DM reminders for a circle's check-ins on or off")
    @app_commands.describe(
        circle="The circle", turn="On or off",
        offsets=f"When to remind you, e.g. 24h,15m (choices: {', '.join(OFFSETS)}); 24h and 15m by default",
        start_ping="Also mention you in the circle's channel when a session starts",
        pulse="After sessions you came to, a one-tap how-are-you (anonymous)",
    )
    @app_commands.choices(turn=[app_commands.Choice(name="on", value="on"), app_commands.Choice(name="off",
                                                                                                value="off")])
    async def reminders(self, interaction: discord.Interaction, circle: str, turn: app_commands.Choice[str],
                        offsets: str | None = None, start_ping: bool | None = None,
                        pulse: bool | None = None) -> None:
        settings = await settings_of(self.bot, interaction)
        require_set_up(settings)
        found = await resolve_circle(self.bot.db, settings.guild_id, circle)
        optin = await set_reminders(self.bot.db, self.bot.clock, found, interaction.user.id, on=turn.value == "on",
                                    offsets=offsets, start_ping=start_ping, pulse=pulse)
        name = display(found.name)
        if optin.reminders:
            text = wording.REMINDERS_ON.format(circle=name, offsets=offsets_text(optin.offsets),
                                               start=wording.REMINDERS_START if optin.start_ping else "",
                                               pulse=wording.REMINDERS_PULSE if optin.pulse else "")
        else:
            text = wording.REMINDERS_OFF.format(circle=name)
        await reply(interaction, text)

    @reminders.autocomplete("circle")
    async def reminders_circle(self, interaction: discord.Interaction,
                               current: str) -> list[app_commands.Choice[str]]:
        return await circle_choices(self.bot.db, interaction, current)

    # -- buttons ---------------------------------------------------------------------------------------

    async def on_cant(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        """'Can't make it' on a reminder: the facilitator is told privately; no reason is asked."""
        guild_id, session_id, user_id = int(args[0]), int(args[1]), interaction.user.id
        db, now = self.bot.db, self.bot.clock.now()
        session = await get_session(db.reader, guild_id, session_id)
        if session is None:
            raise UserFacingError(wording.CANT_TOO_LATE)
        if not await holds_seat(db, guild_id, session.circle_id, user_id):
            raise UserFacingError(wording.CANT_TOO_LATE)
        if session.status != "scheduled" or now >= session.starts_at:
            await send_card(interaction, Card(wording.CANT_TOO_LATE), edit=True)
            return
        series = await get_series(db.reader, guild_id, session.series_id)
        circle = await get_circle(db, guild_id, session.circle_id)
        if series is None:
            raise UserFacingError(wording.CANT_TOO_LATE)
        guild = self.runtime.guild_name(guild_id)
        text = wording.CANT_NOTICE.format(member=f"<@{user_id}>", title=display(series.title),
                                          circle=display(circle.name), guild=display(guild),
                                          when=timestamp(session.starts_at))
        async with db.transaction() as conn:
            for facilitator in await facilitators_to_tell(db, series):
                await self.bot.outbox.enqueue(conn, key=f"checkin_cant:{session.id}:{user_id}:{facilitator}",
                                              kind="checkins.cant", guild_id=guild_id, target_kind="dm",
                                              target_id=facilitator, payload=Card(text).to_payload())
        await send_card(interaction, Card(wording.CANT_THANKS), edit=True)

    async def on_pulse(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        guild_id, session_id, score = int(args[0]), int(args[1]), int(args[2])
        async with self.bot.db.transaction() as conn:
            stored = await pulse.answer(conn, guild_id, session_id, interaction.user.id, score or None)
        text = (wording.PULSE_THANKS if score else wording.PULSE_SKIPPED) if stored else wording.PULSE_CLOSED
        await send_card(interaction, Card(text), edit=True)

    # -- listeners ---------------------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_voice_state_update(self, member: discord.Member, before: discord.VoiceState,
                                    after: discord.VoiceState) -> None:
        left = before.channel.id if before.channel else None
        joined = after.channel.id if after.channel else None
        if left == joined:
            return  # mute, deafen, video: not a move
        guild_id = member.guild.id
        tracked = await self._tracked(guild_id)
        if left not in tracked and joined not in tracked:
            return
        async with self.bot.db.transaction() as conn:
            await attendance.voice_moved(conn, self.bot.clock.now(), guild_id, member.id, left, joined, tracked)

    async def _tracked(self, guild_id: int) -> set[int]:
        """The server's circles' voice channels (the only ones attendance records)."""
        rows = await self.bot.db.fetchall("SELECT voice_channel_id FROM circles WHERE guild_id = ?"
                                          " AND archived_at IS NULL AND voice_channel_id IS NOT NULL", (guild_id,))
        return {r[0] for r in rows}

    async def reconcile_voice(self, guild: discord.Guild) -> None:
        """Voice changes while the bot was down never arrive: compare with who is in voice now."""
        present = {m.id: channel.id for channel in guild.voice_channels for m in channel.members}
        async with self.bot.db.transaction() as conn:
            closed, opened = await attendance.reconcile_voice(conn, self.bot.clock.now(), guild.id, present,
                                                              await self._tracked(guild.id))
        if closed or opened:
            log.info("checkin voice reconciled guild_id=%s closed=%s opened=%s", guild.id, closed, opened)

    @commands.Cog.listener()
    async def on_scheduled_event_user_add(self, event: discord.ScheduledEvent, user: discord.User) -> None:
        await self._interest(event, user, True)

    @commands.Cog.listener()
    async def on_scheduled_event_user_remove(self, event: discord.ScheduledEvent, user: discord.User) -> None:
        await self._interest(event, user, False)

    async def _interest(self, event: discord.ScheduledEvent, user: discord.User, interested: bool) -> None:
        guild_id = event.guild_id
        session = await session_of_event(self.bot.db.reader, guild_id, event.id)
        if session is None or (interested and session.status != "scheduled"):
            return
        series = await get_series(self.bot.db.reader, guild_id, session.series_id)
        member_or_open = (series is not None and series.open_to_all) or await holds_seat(
            self.bot.db, guild_id, session.circle_id, user.id)
        if interested and not member_or_open:
            return
        async with self.bot.db.transaction() as conn:
            await set_interest(conn, guild_id, session.id, user.id, interested)

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        guild_id = channel.guild.id
        circle_id = await self.bot.db.fetchval("SELECT id FROM circles WHERE guild_id = ? AND voice_channel_id = ?",
                                               (guild_id, channel.id))
        if circle_id is None:
            return
        circle = await get_circle(self.bot.db, guild_id, circle_id)
        async with self.bot.db.transaction() as conn:
            for series in await list_series(conn, guild_id, circle_id=circle_id, statuses=("active",)):
                await self.runtime.pause(conn, series, circle, wording.PAUSED_NO_VOICE)

    @commands.Cog.listener()
    async def on_guild_role_delete(self, role: discord.Role) -> None:
        # Archiving a circle removes its role: pause the series of any circle archived meanwhile.
        await self.pause_archived(role.guild.id)

    async def pause_archived(self, guild_id: int) -> None:
        async with self.bot.db.transaction() as conn:
            for series in await list_series(conn, guild_id, statuses=("active",)):
                await self.runtime.pause_if_orphaned(conn, series)

    @commands.Cog.listener()
    async def on_scheduled_event_delete(self, event: discord.ScheduledEvent) -> None:
        async with self.bot.db.transaction() as conn:
            await event_gone(conn, event.guild_id, event.id)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        for guild in self.bot.guilds:
            self.keeper.changed(guild.id)
            await self.reconcile_voice(guild)
