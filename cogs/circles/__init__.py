"""Circles in Discord: members' commands and the finder, organisers' /circle-admin, their views."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.circles.admin import CircleAdmin
from cogs.circles.members import Circles

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot


async def setup(bot: PeerCirclesBot) -> None:
    admin = CircleAdmin(bot)
    await bot.add_cog(admin)
    await bot.add_cog(Circles(bot, admin))
