"""Keeps ``bot.members.servers`` (who is in which server) for the servers this process holds, so a
process holding other shards can answer those members' DMs (issue 28)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.members import servers

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot

log = logging.getLogger(__name__)


class MemberServers(commands.Cog):
    def __init__(self, bot: PeerCirclesBot) -> None:
        self.bot = bot

    async def _refresh(self, guild: discord.Guild) -> None:
        async with self.bot.db.transaction() as conn:
            await servers.refresh_server(conn, guild.id, guild.name, (m.id for m in guild.members if not m.bot))
        log.info("member servers refreshed guild_id=%s members=%d", guild.id, len(guild.members))

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        await self._refresh(guild)

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self._refresh(guild)

    @commands.Cog.listener()
    async def on_guild_update(self, before: discord.Guild, after: discord.Guild) -> None:
        if before.name != after.name:
            async with self.bot.db.transaction() as conn:
                await servers.rename_server(conn, after.id, after.name)

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        async with self.bot.db.transaction() as conn:
            await servers.forget_server(conn, guild.id)

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        if not member.bot:
            async with self.bot.db.transaction() as conn:
                await servers.joined(conn, member.guild.id, member.id)

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        async with self.bot.db.transaction() as conn:
            await servers.left(conn, payload.guild_id, payload.user.id)
