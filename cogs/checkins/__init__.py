"""The checkins capability in Discord: commands, views, modals and listeners (thin; rules live in bot.checkins)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.checkins.jobs import POLICIES, CheckinRuntime
from bot.checkins.meeting_times import CheckinMeetingTimes
from cogs.checkins.admin import CheckinAdmin
from cogs.checkins.events import EventKeeper
from cogs.checkins.members import Checkins

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot


async def setup(bot: PeerCirclesBot) -> None:
    keeper = EventKeeper(bot)

    def guild_name(guild_id: int) -> str:
        guild = bot.get_guild(guild_id)
        return guild.name if guild is not None else "your server"

    runtime = CheckinRuntime(bot.db, bot.clock, bot.outbox, bot.config.bot.default_timezone, guild_name,
                             keeper.changed)
    for kind, handler in runtime.handlers().items():
        policy, grace = POLICIES[kind]
        bot.scheduler.register_kind(kind, handler, policy, grace=grace)  # type: ignore[arg-type]
    # The circles finder, list and cards read meeting times through this plug (bot.circles.matching).
    bot.provide(meeting_times=CheckinMeetingTimes(), checkin_events=keeper)
    await bot.add_cog(CheckinAdmin(bot, keeper))
    await bot.add_cog(Checkins(bot, runtime, keeper))
