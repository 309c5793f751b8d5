"""/me timezone|quiet-hours|show and /flare start|end: a member's own settings, shared by every
capability that pings (thin; rules live in bot.members)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.errors import UserFacingError
from bot.core.messages import timestamp
from bot.delivery.scheduler import MissedPolicy, Occurrence
from bot.members import changes, wording
from bot.members.prefs import get_prefs
from bot.members.timeparse import parse_hhmm
from bot.members.zones import suggest
from cogs.common.choices import choice
from cogs.common.context import guild_id_of, guild_settings, reply, settings_of
from cogs.members.servers import MemberServers

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot
    from bot.core.db import Conn

log = logging.getLogger(__name__)

# A welcome back is always worth sending, however late the bot wakes.
ALWAYS = timedelta(days=3650)


class Members(commands.Cog):
    me = app_commands.Group(name="me", description="Your own settings: time zone, quiet hours", guild_only=True)
    flare = app_commands.Group(name="flare", description="Pause every ping and reminder while you rest",
                               guild_only=True)

    def __init__(self, bot: PeerCirclesBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.scheduler.register_kind(changes.FLARE_OFF_KIND, self.on_flare_over, MissedPolicy.LATE, grace=ALWAYS)

    # -- /me ------------------------------------------------------------------------------------------

    @me.command(name="timezone", description="Set your time zone so pings come at your local time")
    @app_commands.describe(zone="Your time zone: start typing a city, e.g. Berlin or New_York")
    async def timezone(self, interaction: discord.Interaction, zone: str) -> None:
        gid = guild_id_of(interaction)
        saved = await changes.set_timezone(self.bot.db, self.bot.clock.now(), gid, interaction.user.id, zone)
        local = self.bot.clock.now().astimezone(ZoneInfo(saved)).strftime("%H:%M")
        # Weekly (or moved) schedules far ahead are picked up by the scheduler's 30-second sweep.
        await reply(interaction, wording.ZONE_SAVED.format(zone=saved, local=local))

    @timezone.autocomplete("zone")
    async def zone_autocomplete(self, interaction: discord.Interaction,
                                current: str) -> list[app_commands.Choice[str]]:
        return [choice(z, z) for z in suggest(current)]

    @me.command(name="quiet-hours", description="Hold pings during hours you want left alone")
    @app_commands.describe(start="When quiet starts, e.g. 22:00 or 10pm (type off to turn quiet hours off)",
                           end="When quiet ends, e.g. 08:00 or 8am")
    async def quiet_hours(self, interaction: discord.Interaction, start: str, end: str | None = None) -> None:
        gid = guild_id_of(interaction)
        now = self.bot.clock.now()
        if start.strip().lower() in ("off", "none", "no"):
            await changes.set_quiet_hours(self.bot.db, now, gid, interaction.user.id, None, None)
            await reply(interaction, wording.QUIET_CLEARED)
            return
        if end is None:
            raise UserFacingError("Please give both a start and an end for quiet hours.")
        first, last = parse_hhmm(start), parse_hhmm(end)
        await changes.set_quiet_hours(self.bot.db, now, gid, interaction.user.id, first, last)
        prefs = await get_prefs(self.bot.db, gid, interaction.user.id)
        default = (await settings_of(self.bot, interaction)).timezone
        await reply(interaction, wording.QUIET_SAVED.format(start=first, end=last, zone=prefs.timezone or default))

    @me.command(name="show", description="See your time zone, quiet hours and flare break")
    async def show(self, interaction: discord.Interaction) -> None:
        gid = guild_id_of(interaction)
        prefs = await get_prefs(self.bot.db, gid, interaction.user.id)
        default = (await settings_of(self.bot, interaction)).timezone
        if prefs.flare_until and not prefs.in_flare(self.bot.clock.now()):
            prefs = type(prefs)(prefs.guild_id, prefs.user_id, prefs.timezone, prefs.quiet_start, prefs.quiet_end)
        shown = changes.describe(prefs, default)
        if prefs.flare_until:
            shown = shown.replace(prefs.flare_until, timestamp(prefs.flare_until))
        await reply(interaction, shown)

    # -- /flare ---------------------------------------------------------------------------------------

    @flare.command(name="start", description="Pause every goal ping and reminder for a few days")
    @app_commands.describe(days="How many days (1 to 14, default 3); you can end it sooner with /flare end")
    async def flare_start(self, interaction: discord.Interaction,
                          days: app_commands.Range[int, 1, 14] = wording.FLARE_DEFAULT_DAYS) -> None:
        gid = guild_id_of(interaction)
        until = await changes.start_flare(self.bot.db, self.bot.clock.now(), gid, interaction.user.id, days)
        self.bot.scheduler.notify(until)
        log.info("flare started guild_id=%s days=%s", gid, days)
        await reply(interaction, wording.FLARE_STARTED.format(until=timestamp(until)))

    @flare.command(name="end", description="End your flare break now; pings pick up gently")
    async def flare_end(self, interaction: discord.Interaction) -> None:
        gid = guild_id_of(interaction)
        ended = await changes.end_flare(self.bot.db, self.bot.clock.now(), gid, interaction.user.id)
        await reply(interaction, wording.FLARE_ENDED if ended else wording.FLARE_NOT_ON)

    async def on_flare_over(self, conn: Conn, occurrence: Occurrence) -> None:
        guild = self.bot.get_guild(occurrence.guild_id)
        zone = (await guild_settings(self.bot, occurrence.guild_id)).timezone
        await changes.flare_over(conn, self.bot.clock.now(), occurrence.guild_id, occurrence.owner_id,
                                 str(occurrence.payload.get("until", "")), guild.name if guild else "your server",
                                 self.bot.outbox, zone, welcome_only=bool(occurrence.payload.get("welcome")))


async def setup(bot: PeerCirclesBot) -> None:
    await bot.add_cog(Members(bot))
    await bot.add_cog(MemberServers(bot))
