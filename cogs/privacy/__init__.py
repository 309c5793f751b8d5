"""The privacy capability in Discord: commands, views, modals and listeners (thin; rules live in bot.privacy)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.privacy.member import PrivacyMember
from cogs.privacy.operations import PrivacyOperations

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot


async def setup(bot: PeerCirclesBot) -> None:
    await bot.add_cog(PrivacyMember(bot))
    await bot.add_cog(PrivacyOperations(bot))
