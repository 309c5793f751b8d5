"""Keeps ``bot.members.servers`` (who is in which server) for the servers this process holds, so a
process holding other shards can answer those members' DMs (issue 28).

Each write runs through ``bot.busy_retries``: an event whose write finds the database busy is tried
again until done (a later event about the same server or member replaces it), so a member who left
is not kept as "in the server" because of a busy minute."""

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

    async def _refresh(self, guild: discord.Guild, kind: str) -> None:
        async def write() -> None:
            # The member list as it is when the write runs (a retry sees the joins and leaves since).
            async with self.bot.db.transaction() as conn:
                await servers.refresh_server(conn, guild.id, guild.name, (m.id for m in guild.members if not m.bot))
            log.info("member servers refreshed guild_id=%s members=%d", guild.id, len(guild.members))

        await self.bot.busy_retries.run(("members.server", guild.id), kind, guild.id, write)

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        await self._refresh(guild, "members.server_available")

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self._refresh(guild, "members.server_joined")

    @commands.Cog.listener()
    async def on_guild_update(self, before: discord.Guild, after: discord.Guild) -> None:
        if before.name == after.name:
            return

        async def write() -> None:
            async with self.bot.db.transaction() as conn:
                await servers.rename_server(conn, after.id, after.name)

        await self.bot.busy_retries.run(("members.server_name", after.id), "members.server_renamed", after.id, write)

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        async def write() -> None:
            async with self.bot.db.transaction() as conn:
                await servers.forget_server(conn, guild.id)

        await self.bot.busy_retries.run(("members.server", guild.id), "members.server_removed", guild.id, write)

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        if member.bot:
            return
        guild_id, user_id = member.guild.id, member.id

        async def write() -> None:
            async with self.bot.db.transaction() as conn:
                await servers.joined(conn, guild_id, user_id)

        # Joining and leaving share a key: the newest of the two is the one written.
        await self.bot.busy_retries.run(("members.member", guild_id, user_id), "members.member_joined", guild_id,
                                        write)

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        guild_id, user_id = payload.guild_id, payload.user.id

        async def write() -> None:
            async with self.bot.db.transaction() as conn:
                await servers.left(conn, guild_id, user_id)

        await self.bot.busy_retries.run(("members.member", guild_id, user_id), "members.member_left", guild_id,
                                        write)
