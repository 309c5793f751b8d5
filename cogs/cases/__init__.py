"""The cases capability in Discord: commands, views, modals and listeners (thin; rules live in bot.cases)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.cases.closed_dms import CaseClosedDms
from cogs.cases.members import CaseMembers
from cogs.cases.moderators import CaseModerators

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot


async def setup(bot: PeerCirclesBot) -> None:
    await bot.add_cog(CaseModerators(bot))
    await bot.add_cog(CaseMembers(bot))
    await bot.add_cog(CaseClosedDms(bot))
