"""The stories capability in Discord: commands, views, modals and listeners (thin; rules live in bot.stories)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.stories.admin import StoryAdmin
from cogs.stories.members import Stories

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot


async def setup(bot: PeerCirclesBot) -> None:
    members = Stories(bot)
    await bot.add_cog(members)
    await bot.add_cog(StoryAdmin(bot, members))
