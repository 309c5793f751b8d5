"""What every part of the goals cog shares: the bot, and the server's zone and name as members see them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.goals import pings
from cogs.common.context import guild_settings, reply

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot


class GoalsBase:
    bot: PeerCirclesBot

    async def _zone(self, guild_id: int) -> str:
        return (await guild_settings(self.bot, guild_id)).timezone

    def _server(self, guild_id: int) -> str:
        guild = self.bot.get_guild(guild_id)
        return guild.name if guild else "your server"

    def _name(self, guild_id: int, user_id: int, fallback: str) -> str:
        guild = self.bot.get_guild(guild_id)
        member = guild.get_member(user_id) if guild else None
        return member.display_name if member else fallback

    def _servers_for(self, interaction: discord.Interaction) -> list[int]:
        """Where an older button (one carrying no server) may come from."""
        return [interaction.guild_id] if interaction.guild_id else [g.id for g in self.bot.guilds]

    async def _tell_dm_notice(self, interaction: discord.Interaction, guild_id: int) -> None:
        """The closed-DMs notice, once, the next time the member uses the bot."""
        notice = await pings.take_dm_notice(self.bot.db, guild_id, interaction.user.id)
        if notice:
            await reply(interaction, notice)

