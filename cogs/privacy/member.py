"""/privacy show|export|delete: a member sees, takes and erases what the bot keeps about them here."""

from __future__ import annotations

import io
import logging
from collections.abc import Awaitable, Iterable
from typing import TYPE_CHECKING, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.errors import UserFacingError
from bot.core.messages import DANGER, SECONDARY, Button, Card, custom_id
from bot.privacy import wording
from bot.privacy.erasure import erase_member
from bot.privacy.export import build_export, export_json
from bot.privacy.inventory import inventory
from bot.privacy.settings import get_privacy_settings
from cogs.common.components import send_card
from cogs.common.context import guild_id_of, reply

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot

log = logging.getLogger(__name__)

MAX_RECEIPTS = 50


def _keep_button() -> Button:
    return Button(custom_id("privdelkeep"), "Keep my data", SECONDARY)


ERASURE_REASON = "The member erased their data (/privacy delete)"


async def _all_done(guild_id: int, what: str, calls: Iterable[Awaitable[object]]) -> bool:
    """Await each Discord call in turn (made one at a time by ``calls``); one already gone (404)
    counts as done. False when Discord refused some: the member is told what stays."""
    refused = 0
    for call in calls:
        try:
            await call
        except discord.NotFound:
            continue
        except discord.HTTPException as exc:
            refused += 1
            log.warning("%s after erasure guild_id=%s status=%s", what, guild_id, exc.status)
    return refused == 0


class PrivacyMember(commands.Cog):
    component_actions: ClassVar[dict[str, str]] = {
        "privdelnext": "on_delete_next",
        "privdelgo": "on_delete_go",
        "privdelkeep": "on_delete_keep",
    }

    privacy = app_commands.Group(name="privacy", description="See, take or erase what the bot keeps about you",
                                 guild_only=True)

    def __init__(self, bot: PeerCirclesBot) -> None:
        self.bot = bot

    @privacy.command(name="show", description="What the bot keeps about you in this server, for how long, who sees it")
    async def show(self, interaction: discord.Interaction) -> None:
        guild_id = guild_id_of(interaction)
        async with self.bot.db.snapshot() as conn:
            inv = await inventory(conn, guild_id, interaction.user.id)
        await reply(interaction, wording.show_text(inv))

    @privacy.command(name="export", description="A file of everything the bot keeps about you in this server")
    @app_commands.describe(receipts="Receipts of your anonymous stories, separated by spaces (optional)")
    async def export(self, interaction: discord.Interaction, receipts: str | None = None) -> None:
        guild_id = guild_id_of(interaction)
        given = (receipts or "").replace(",", " ").split()
        if len(given) > MAX_RECEIPTS:
            raise UserFacingError(f"Please paste at most {MAX_RECEIPTS} receipts at a time.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        async with self.bot.db.snapshot() as conn:
            document = await build_export(conn, guild_id, interaction.user.id, self.bot.clock.now(), given)
        data = export_json(document)
        await interaction.followup.send(
            wording.EXPORT_READY, ephemeral=True, allowed_mentions=discord.AllowedMentions.none(),
            file=discord.File(io.BytesIO(data), filename=f"peer-circles-my-data-{guild_id}.json"),
        )

    @privacy.command(name="delete", description="Erase everything the bot keeps about you in this server")
    async def delete(self, interaction: discord.Interaction) -> None:
        guild_id = guild_id_of(interaction)
        async with self.bot.db.snapshot() as conn:
            inv = await inventory(conn, guild_id, interaction.user.id)
        settings = await get_privacy_settings(self.bot.db, guild_id)
        text = wording.delete_first_text(inv, settings.retention_cases_days)
        card = Card(text, rows=((Button(custom_id("privdelnext", interaction.user.id), "Continue", DANGER),
                                 _keep_button()),))
        await send_card(interaction, card)

    def _own(self, interaction: discord.Interaction, args: list[str]) -> None:
        if not args or args[0] != str(interaction.user.id):
            raise UserFacingError(wording.DELETE_EXPIRED)

    async def on_delete_next(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        self._own(interaction, args)
        card = Card(wording.DELETE_SECOND, rows=((
            Button(custom_id("privdelgo", interaction.user.id), "Delete everything about me", DANGER),
            _keep_button()),))
        await send_card(interaction, card, edit=True)

    async def on_delete_keep(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        await send_card(interaction, Card(wording.DELETE_CANCELLED), edit=True)

    async def on_delete_go(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        self._own(interaction, args)
        guild_id = guild_id_of(interaction)
        await interaction.response.defer()
        result = await erase_member(self.bot.db, guild_id, interaction.user.id)
        text = wording.DELETE_DONE.format(total=sum(result.rows.values()), schedules=result.schedules)
        if not await self._take_roles(guild_id, interaction.user.id, result.roles):
            text += wording.ROLES_NOT_REMOVED
        if not await self._delete_posts(guild_id, result.posts):
            text += wording.POSTS_NOT_DELETED
        if not await self._rename_threads(guild_id, result.threads):
            text += wording.THREADS_NOT_RENAMED
        await send_card(interaction, Card(text), edit=True)

    async def _delete_posts(self, guild_id: int, posts: list[tuple[int, int]]) -> bool:
        """Delete the member's posts (their named strategies, wins ...); False when Discord refused some.
        A post already gone (404) counts as deleted."""
        return await _all_done(guild_id, "post not deleted", (
            self.bot.http.delete_message(channel_id, message_id, reason=ERASURE_REASON)
            for channel_id, message_id in posts))

    async def _rename_threads(self, guild_id: int, threads: dict[int, str]) -> bool:
        """Give the threads titled with the member's name a neutral one; False when Discord refused
        some. A thread already deleted (404) has no title left to change."""
        return await _all_done(guild_id, "thread not renamed", (
            self.bot.http.edit_channel(thread_id, name=name[:100], reason=ERASURE_REASON)
            for thread_id, name in threads.items()))

    async def _take_roles(self, guild_id: int, user_id: int, role_ids: set[int]) -> bool:
        """Remove the roles the erased rows granted; False when Discord refused some."""
        guild = self.bot.get_guild(guild_id)
        member = guild.get_member(user_id) if guild else None
        if guild is None or member is None:
            return True
        held = [r for r in member.roles if r.id in role_ids]
        if not held:
            return True
        try:
            await member.remove_roles(*held, reason=ERASURE_REASON)
        except discord.HTTPException as exc:
            log.warning("role removal after erasure failed guild_id=%s status=%s", guild_id, exc.status)
            return False
        return True
