"""Circles in Discord: members' commands and the finder, organisers' /circle-admin, their views."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.circles.data_rights import member_notice_posts
from bot.privacy.posts import register_post_lookup
from cogs.circles.admin import CircleAdmin
from cogs.circles.members import Circles

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot


async def setup(bot: PeerCirclesBot) -> None:
    # A member's erasure deletes the moderators' notices that name them (a role the bot couldn't give).
    register_post_lookup("circle_notices", member_notice_posts)
    admin = CircleAdmin(bot)
    await bot.add_cog(admin)
    await bot.add_cog(Circles(bot, admin))
