"""Helpers every cog shares: who is asking, the server's settings, and safe replies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.core.errors import UserFacingError
from bot.core.guild_settings import GuildSettings, get_settings
from bot.core.permissions import Actor, NotAllowed, is_moderator
from cogs.common.text import CONTENT_LIMIT, fit

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot

# Member text the bot repeats never pings anyone.
NO_PINGS = discord.AllowedMentions.none()


def actor_of(interaction: discord.Interaction) -> Actor:
    """The invoking member as the domain's permission checks see them."""
    user = interaction.user
    if isinstance(user, discord.Member):
        return Actor(
            user_id=user.id,
            role_ids=frozenset(role.id for role in user.roles),
            # Resolved permissions Discord sent with the interaction (roles + channel overwrites).
            permissions=interaction.permissions.value,
            is_owner=user.guild.owner_id == user.id,
        )
    return Actor(user_id=user.id, role_ids=frozenset(), permissions=0)


def guild_id_of(interaction: discord.Interaction) -> int:
    if interaction.guild_id is None:
        raise UserFacingError("This works inside a server, not in direct messages.")
    return interaction.guild_id


async def guild_settings(bot: PeerCirclesBot, guild_id: int) -> GuildSettings:
    """A server's settings, with the config's region and time zone for a server not yet set up.

    Cogs read settings only through this (or ``settings_of``), so the defaults can't be forgotten.
    """
    return await get_settings(bot.db, guild_id, bot.config.bot.default_region, bot.config.bot.default_timezone)


async def settings_of(bot: PeerCirclesBot, interaction: discord.Interaction) -> GuildSettings:
    return await guild_settings(bot, guild_id_of(interaction))


# One refusal for staff-only commands and buttons alike (the dispatcher uses it too).
MODERATORS_ONLY = "Only moderators and organisers can do that."


async def require_moderator(bot: PeerCirclesBot, interaction: discord.Interaction) -> GuildSettings:
    """Checked in the bot for every moderator command and button (not only Discord's permissions):
    the server's settings, or NotAllowed (MODERATORS_ONLY). The one moderator check of every cog."""
    settings = await settings_of(bot, interaction)
    if not is_moderator(actor_of(interaction), settings):
        raise NotAllowed(MODERATORS_ONLY)
    return settings


async def reply(interaction: discord.Interaction, content: str | None = None, **kwargs: Any) -> None:
    """Answer ephemerally, as a follow-up when the interaction was already answered or deferred."""
    kwargs.setdefault("ephemeral", True)
    kwargs.setdefault("allowed_mentions", NO_PINGS)
    if content is not None:
        content = fit(content, CONTENT_LIMIT)  # it may echo what was typed (up to 6,000 characters)
    if interaction.response.is_done():
        await interaction.followup.send(discord.utils.MISSING if content is None else content, **kwargs)
    else:
        await interaction.response.send_message(content, **kwargs)
