"""The coping capability in Discord: commands, views, modals and listeners (thin; rules live in bot.coping)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.coping.resources import Resources
from cogs.coping.sharing import Sharing

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot


async def setup(bot: PeerCirclesBot) -> None:
    await bot.add_cog(Sharing(bot))
    await bot.add_cog(Resources(bot))
