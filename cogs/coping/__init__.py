"""The coping capability in Discord: commands, views, modals and listeners (thin; rules live in bot.coping)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.coping.data_rights import member_posts
from bot.privacy.posts import register_post_lookup
from cogs.coping.resources import Resources
from cogs.coping.sharing import Sharing

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot


async def setup(bot: PeerCirclesBot) -> None:
    # A member's named strategies and wins are posts: /privacy delete deletes them too (bot.coping may
    # not import bot.privacy, so the cog connects the two).
    register_post_lookup("coping", member_posts)
    await bot.add_cog(Sharing(bot))
    await bot.add_cog(Resources(bot))
