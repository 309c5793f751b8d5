"""The privacy capability in Discord: commands, views, modals and listeners (thin; rules live in bot.privacy)."""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

import bot as bot_package
from cogs.privacy.member import PrivacyMember
from cogs.privacy.operations import PrivacyOperations

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot


def declare_every_table() -> None:
    """Import every package under bot/ so each declares its tables in the personal-data registry,
    whether or not a cog happens to import it: a member's erasure must reach all of them."""
    for info in pkgutil.walk_packages(bot_package.__path__, "bot."):
        if info.ispkg and not info.name.startswith("bot.demo"):
            importlib.import_module(info.name)


async def setup(bot: PeerCirclesBot) -> None:
    declare_every_table()
    await bot.add_cog(PrivacyMember(bot))
    await bot.add_cog(PrivacyOperations(bot))
