"""The cases capability in Discord: commands, views, modals and listeners (thin; rules live in bot.cases)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.cases.data_rights import member_reach_out_threads, member_relay_posts
from bot.privacy.posts import register_post_lookup, register_thread_lookup
from cogs.cases.closed_dms import CaseClosedDms
from cogs.cases.members import CaseMembers
from cogs.cases.moderators import CaseModerators

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot


async def setup(bot: PeerCirclesBot) -> None:
    # A member's erasure deletes the relay posts that carry their words into the moderators' thread.
    register_post_lookup("case_relays", member_relay_posts)
    # ... and renames the threads opened for their reach-outs, titled with their display name.
    register_thread_lookup("case_threads", member_reach_out_threads)
    await bot.add_cog(CaseModerators(bot))
    await bot.add_cog(CaseMembers(bot))
    await bot.add_cog(CaseClosedDms(bot))
