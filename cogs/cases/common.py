"""What both halves of the cases cog share: refreshing a case's queue message in place."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord

from bot.cases.paging import RoleInfo
from bot.cases.queue import queue_card
from bot.cases.records import get_case
from bot.cases.workflow import queue_message_id
from bot.core.guild_settings import GuildSettings
from cogs.common.components import card_view

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot

log = logging.getLogger(__name__)


# One refresh of a case's queue message at a time: two changes close together (a note and an
# escalation) would otherwise race, and the edit of the older read could land last.
_REFRESHING: dict[tuple[int, int], asyncio.Lock] = {}


async def refresh_queue_message(bot: PeerCirclesBot, settings: GuildSettings, case_id: int) -> bool:
    """Edit the case's queue message to its current state. False when it is not posted yet or the
    edit failed (the next change tries again); never raises for Discord trouble."""
    if len(_REFRESHING) > 1000:  # forget idle locks now and then (a lock in use stays)
        for idle in [k for k, held in _REFRESHING.items() if not held.locked()]:
            del _REFRESHING[idle]
    lock = _REFRESHING.setdefault((settings.guild_id, case_id), asyncio.Lock())
    async with lock:
        return await _refresh(bot, settings, case_id)


async def _refresh(bot: PeerCirclesBot, settings: GuildSettings, case_id: int) -> bool:
    case = await get_case(bot.db, settings.guild_id, case_id)
    message_id = await queue_message_id(bot.db, settings.guild_id, case_id)
    if case is None or message_id is None or settings.queue_channel_id is None:
        return False
    card = queue_card(case)
    channel = bot.get_partial_messageable(settings.queue_channel_id, guild_id=settings.guild_id)
    try:
        # The whole message follows the state, its first line too (no "please claim it" once
        # claimed or resolved); an edit pings nobody.
        await channel.get_partial_message(message_id).edit(
            content=card.content, embeds=[discord.Embed.from_dict(e) for e in card.embeds], view=card_view(card),
            allowed_mentions=discord.AllowedMentions.none())
    except discord.HTTPException as exc:
        log.warning("case queue message not updated guild_id=%s case_id=%s status=%s", settings.guild_id,
                    case_id, exc.status)
        return False
    return True


class GuildDirectory:
    """bot.cases.paging's view of Discord: a role's name and holders and the owner, from the member
    cache (the bot has the members intent), so pages skip roles nobody holds."""

    def __init__(self, bot: PeerCirclesBot) -> None:
        self.bot = bot

    def role(self, guild_id: int, role_id: int) -> RoleInfo | None:
        guild = self.bot.get_guild(guild_id)
        role = guild.get_role(role_id) if guild is not None else None
        if role is None:
            return None
        return RoleInfo(role.name, tuple(m.id for m in role.members if not m.bot))

    def owner_of(self, guild_id: int) -> int | None:
        guild = self.bot.get_guild(guild_id)
        return guild.owner_id if guild is not None else None
