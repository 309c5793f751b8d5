"""/circle-admin create|edit|archive|facilitator-add|facilitator-remove|members|norms.

Creating makes only what is missing (role, private text and voice channels, a stories channel if
the server wants one) and is all-or-nothing: if any Discord step fails, whatever was made is
removed again and the organiser is told which permission is missing, and where.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.circles import wording
from bot.circles.access import require_facilitator_or_organiser, require_organiser, require_set_up
from bot.circles.cards import custom_id, members_card
from bot.circles.catalogue import autocomplete_languages, autocomplete_topics, language_name, topic_labels
from bot.circles.channels import MEMBER, Overwrite, facilitator_overwrite, plan_overwrites
from bot.circles.consent import members_of, waiting_of
from bot.circles.lifecycle import CircleEdit, archive_circle, prepare_circle, prepare_edit, record_circle, store_edit
from bot.circles.names import channel_slug
from bot.circles.norms import NORMS_MAX, default_norms_text, get_norms, save_norms
from bot.circles.records import (
    Circle,
    CircleArchived,
    add_facilitator,
    circle_using_channel,
    facilitator_ids,
    get_circle,
    remove_facilitator,
    resolve_circle,
)
from bot.circles.settings import get_circle_settings
from bot.core.errors import UserFacingError
from bot.core.guild_settings import GuildSettings
from bot.core.messages import DANGER, SECONDARY, Button, Card, timestamp
from bot.core.text import display
from cogs.common.bot_permissions import (
    MissingPermission,
    explain_http,
    require_channel_permission,
    require_guild_permission,
    require_role_below_me,
)
from cogs.common.choices import choice, circle_choices
from cogs.common.components import Action, PersistentComponent, form, send_card
from cogs.common.context import actor_of, reply, settings_of
from cogs.common.modals import modal_values

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot

log = logging.getLogger(__name__)

NORMS_INPUT = "norms_text"


def to_discord(guild: discord.Guild, plan: list[Overwrite]) -> dict[Any, discord.PermissionOverwrite]:
    out: dict[Any, discord.PermissionOverwrite] = {}
    for o in plan:
        target = discord.Object(o.target_id, type=discord.Member if o.target_type == MEMBER else discord.Role)
        out[target] = discord.PermissionOverwrite.from_pair(discord.Permissions(o.allow), discord.Permissions(o.deny))
    return out


@dataclass
class Made:
    """Discord objects made (or changed) so far, so a failure can undo them."""

    role: discord.Role | None = None
    channels: list[discord.abc.GuildChannel] = field(default_factory=list)
    restored: list[tuple[discord.abc.GuildChannel, dict[Any, discord.PermissionOverwrite]]] = field(
        default_factory=list)

    async def undo(self, reason: str) -> None:
        for channel in reversed(self.channels):
            try:
                await channel.delete(reason=reason)
            except discord.HTTPException:
                log.warning("rollback: could not delete channel_id=%s", channel.id)
        for channel, overwrites in self.restored:
            try:
                await channel.edit(overwrites=overwrites, reason=reason)  # type: ignore[attr-defined]  # every GuildChannel kind has edit()
            except discord.HTTPException:
                log.warning("rollback: could not restore overwrites channel_id=%s", channel.id)
        if self.role is not None:
            try:
                await self.role.delete(reason=reason)
            except discord.HTTPException:
                log.warning("rollback: could not delete role_id=%s", self.role.id)


class CircleAdmin(commands.Cog):
    component_actions: ClassVar[dict[str, str | Action]] = {
        "archiveok": Action("on_archive_confirmed", "organiser"), "archiveno": Action("on_archive_cancel", "organiser"),
        "norms": form("save_norms_from_modal", "organiser"),
    }

    admin = app_commands.Group(
        name="circle-admin", description="Organisers: create and look after circles",
        guild_only=True, extras={"audience": "organiser"},
        # Hidden from members in the command picker (the bot still checks the organiser role).
        default_permissions=discord.Permissions(manage_guild=True),
    )
    facilitate = app_commands.Group(
        name="circle-facilitator", description="Facilitators and organisers: look after your circle",
        guild_only=True, extras={"audience": "facilitator"},
    )

    def __init__(self, bot: PeerCirclesBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(PersistentComponent)

    async def _organiser(self, interaction: discord.Interaction) -> GuildSettings:
        settings = await settings_of(self.bot, interaction)
        require_organiser(actor_of(interaction), settings)
        return settings

    @staticmethod
    def _guild(interaction: discord.Interaction) -> discord.Guild:
        if interaction.guild is None:
            raise UserFacingError("This works inside a server, not in direct messages.")
        return interaction.guild

    # -- autocomplete ------------------------------------------------------------------------------

    async def circle_autocomplete(self, interaction: discord.Interaction,
                                  current: str) -> list[app_commands.Choice[str]]:
        return await circle_choices(self.bot.db, interaction, current)

    async def topics_autocomplete(self, interaction: discord.Interaction,
                                  current: str) -> list[app_commands.Choice[str]]:
        return [choice(n, v) for n, v in autocomplete_topics(current)]

    async def language_autocomplete(self, interaction: discord.Interaction,
                                    current: str) -> list[app_commands.Choice[str]]:
        return [choice(n, v) for n, v in autocomplete_languages(current)]

    # -- create ------------------------------------------------------------------------------------

    @admin.command(name="create", description="Create a circle: its role and private text and voice channels")
    @app_commands.describe(
        name="The circle's name (also its role and channel names)",
        description="A sentence or two on who the circle is for",
        topics="What it is about, comma-separated (e.g. fibromyalgia, migraine, back pain, general)",
        language="The language the circle meets in",
        capacity="How many members it holds (2 to 30)",
        text_channel="Use this existing text channel instead of making one",
        voice_channel="Use this existing voice channel instead of making one",
    )
    @app_commands.autocomplete(topics=topics_autocomplete, language=language_autocomplete)
    async def create(
        self, interaction: discord.Interaction, name: app_commands.Range[str, 1, 100],
        description: app_commands.Range[str, 1, 300], topics: str, language: str,
        capacity: app_commands.Range[int, 2, 30], text_channel: discord.TextChannel | None = None,
        voice_channel: discord.VoiceChannel | None = None,
    ) -> None:
        settings = await self._organiser(interaction)
        require_set_up(settings)
        guild = self._guild(interaction)
        draft = await prepare_circle(self.bot.db, guild.id, name=name, description=description, topics=topics,
                                     language=language, capacity=capacity)
        for existing in (text_channel, voice_channel):
            if existing is not None:
                used = await circle_using_channel(self.bot.db, guild.id, existing.id)
                if used:
                    raise UserFacingError(f"<#{existing.id}> already belongs to the circle **{display(used)}**.")
        category = guild.get_channel(settings.circle_category_id or 0)
        if not isinstance(category, discord.CategoryChannel):
            raise UserFacingError("The category for circle channels chosen in /setup no longer exists. "
                                  "Run /setup to choose another.")
        doing = f"create the circle {draft.name}"
        require_guild_permission(guild, "manage_roles", doing)
        needs_new = text_channel is None or voice_channel is None
        if needs_new:
            require_channel_permission(category, "view_channel", doing)
            require_channel_permission(category, "manage_channels", doing)
        require_channel_permission(category, "manage_roles", doing, label="Manage Permissions")
        stories_mode = (await get_circle_settings(self.bot.db, guild.id)).stories_mode
        await interaction.response.defer(ephemeral=True, thinking=True)

        made = Made()
        reason = f"circle created by {interaction.user.id}"
        try:
            made.role = await guild.create_role(name=draft.name, mentionable=False, reason=reason)
            bot_perms = category.permissions_for(guild.me).value

            def overwrites(kind: str) -> dict[Any, discord.PermissionOverwrite]:
                return to_discord(guild, plan_overwrites(
                    kind, everyone_id=guild.default_role.id, circle_role_id=made.role.id,  # type: ignore[union-attr]
                    moderator_role_id=settings.moderator_role_id, facilitator_ids=(), bot_id=guild.me.id,
                    bot_permissions=bot_perms))

            slug = channel_slug(draft.name)
            text = await self._channel(made, text_channel, reason, overwrites("text"), lambda o: (
                guild.create_text_channel(slug, category=category, overwrites=o, topic=draft.description,
                                          reason=reason)))
            voice = await self._channel(made, voice_channel, reason, overwrites("voice"), lambda o: (
                guild.create_voice_channel(draft.name, category=category, overwrites=o, reason=reason)))
            stories: discord.abc.GuildChannel | None = None
            if stories_mode == "forum":
                stories = await guild.create_forum(f"{slug}-stories"[:100], category=category,
                                                   overwrites=overwrites("stories"), reason=reason)
                made.channels.append(stories)
            elif stories_mode == "threads":
                stories = await guild.create_text_channel(f"{slug}-stories"[:100], category=category,
                                                          overwrites=overwrites("stories"), reason=reason)
                made.channels.append(stories)
            circle = await record_circle(
                self.bot.db, self.bot.clock, draft, created_by=interaction.user.id, norms_text=default_norms_text(),
                role_id=made.role.id, text_channel_id=text.id, voice_channel_id=voice.id,
                stories_channel_id=stories.id if stories else None,
            )
        except discord.HTTPException as exc:
            await made.undo(f"rolling back circle creation by {interaction.user.id}")
            explained = explain_http(exc, guild, "Manage Channels and Manage Roles",
                                     f"in the category **{discord.utils.escape_markdown(category.name)}**", doing)
            if explained is None:
                raise
            raise explained from None
        except BaseException:
            await made.undo(f"rolling back circle creation by {interaction.user.id}")
            raise
        log.info("circle created guild_id=%s circle_id=%s", guild.id, circle.id)
        parts = [f"Created **{display(circle.name)}** for {capacity} members: role <@&{circle.role_id}>, "
                 f"channels <#{circle.text_channel_id}> and <#{circle.voice_channel_id}>"]
        if circle.stories_channel_id:
            parts.append(f", stories in <#{circle.stories_channel_id}>")
        parts.append(f". Topics: {', '.join(topic_labels(circle.topics))};"
                     f" language: {language_name(circle.language)}.")
        parts.append(f"\n{wording.WHO_SEES_CHANNELS}")
        parts.append("\nIt starts with the default norms (version 1): change them with /circle-admin norms. "
                     "Add facilitators with /circle-admin facilitator-add. Members can join with /circle join.")
        await reply(interaction, "".join(parts))

    async def _channel(self, made: Made, existing: discord.abc.GuildChannel | None, reason: str,
                       overwrites: dict[Any, discord.PermissionOverwrite], create: Any) -> discord.abc.GuildChannel:
        """Use an existing channel (made private to the circle) or make a new one."""
        if existing is not None:
            made.restored.append((existing, dict(existing.overwrites)))
            await existing.edit(overwrites=overwrites, reason=reason)  # type: ignore[attr-defined]  # as above
            return existing
        channel = await create(overwrites)
        made.channels.append(channel)
        return channel

    # -- edit --------------------------------------------------------------------------------------

    @admin.command(name="edit", description="Change a circle's name, description, topics, language or capacity")
    @app_commands.describe(
        circle="The circle to change", name="A new name", description="A new description",
        topics="New topics, comma-separated", language="A new language", capacity="A new capacity (2 to 30)",
    )
    @app_commands.autocomplete(circle=circle_autocomplete, topics=topics_autocomplete, language=language_autocomplete)
    async def edit(
        self, interaction: discord.Interaction, circle: str, name: app_commands.Range[str, 1, 100] | None = None,
        description: app_commands.Range[str, 1, 300] | None = None, topics: str | None = None,
        language: str | None = None, capacity: app_commands.Range[int, 2, 30] | None = None,
    ) -> None:
        await self._organiser(interaction)
        guild = self._guild(interaction)
        current = await resolve_circle(self.bot.db, guild.id, circle)
        updated = await prepare_edit(self.bot.db, current, CircleEdit(name, description, topics, language, capacity))
        await interaction.response.defer(ephemeral=True, thinking=True)
        renamed: list[tuple[Any, str]] = []
        if updated.name != current.name:
            renamed = await self._rename(guild, current, updated.name)
        try:
            stored = await store_edit(self.bot.db, self.bot.clock, updated, self.bot.outbox)
        except UserFacingError:
            await self._undo_rename(renamed)
            raise
        text_channel = guild.get_channel(stored.text_channel_id or 0)
        if stored.description != current.description and isinstance(text_channel, discord.TextChannel):
            try:
                await text_channel.edit(topic=stored.description, reason="circle description changed")
            except discord.HTTPException:
                log.warning("could not update the channel topic circle_id=%s", stored.id)
        changes = [label for label, before, after in (
            ("name", current.name, stored.name), ("description", current.description, stored.description),
            ("topics", current.topics, stored.topics), ("language", current.language, stored.language),
            ("capacity", current.capacity, stored.capacity)) if before != after]
        extra = ""
        if stored.capacity > current.capacity:
            extra = " New seats go first to anyone on the waitlist, who are told privately."
        await reply(interaction,
                    f"Updated **{display(stored.name)}**: {', '.join(changes) or 'nothing changed'}.{extra}")

    async def _rename(self, guild: discord.Guild, circle: Circle, new_name: str) -> list[tuple[Any, str]]:
        doing = f"rename {circle.name}"
        done: list[tuple[Any, str]] = []
        slug = channel_slug(new_name)
        targets: list[tuple[Any, str]] = [
            (guild.get_role(circle.role_id or 0), new_name),
            (guild.get_channel(circle.text_channel_id or 0), slug),
            (guild.get_channel(circle.voice_channel_id or 0), new_name),
            (guild.get_channel(circle.stories_channel_id or 0), f"{slug}-stories"[:100]),
        ]
        for target, name in targets:
            if target is None:
                continue
            try:
                if isinstance(target, discord.Role):
                    require_role_below_me(guild, target, doing)
                old = target.name
                await target.edit(name=name, reason="circle renamed")
                done.append((target, old))
            except discord.HTTPException as exc:
                await self._undo_rename(done)
                explained = explain_http(exc, guild, "Manage Roles and Manage Channels", "for this circle", doing)
                if explained is None:
                    raise
                raise explained from None
            except MissingPermission:
                await self._undo_rename(done)
                raise
        return done

    @staticmethod
    async def _undo_rename(done: list[tuple[Any, str]]) -> None:
        for target, old in reversed(done):
            try:
                await target.edit(name=old, reason="circle rename undone")
            except discord.HTTPException:
                log.warning("could not undo a rename id=%s", target.id)

    # -- archive -----------------------------------------------------------------------------------

    @admin.command(name="archive", description="Close a circle: members lose access, its history is kept")
    @app_commands.describe(circle="The circle to archive")
    @app_commands.autocomplete(circle=circle_autocomplete)
    async def archive(self, interaction: discord.Interaction, circle: str) -> None:
        await self._organiser(interaction)
        guild = self._guild(interaction)
        found = await resolve_circle(self.bot.db, guild.id, circle)
        members = await members_of(self.bot.db, guild.id, found.id)
        card = Card(
            f"Archive **{display(found.name)}**? Its {len(members)} member(s) and anyone waiting lose access and "
            "are told why privately; its role is deleted; its channels and their history stay, visible to "
            "moderators. This can't be undone.",
            (), ((Button(custom_id("archiveok", found.id), "Archive it", DANGER),
                  Button(custom_id("archiveno", found.id), "Cancel", SECONDARY)),))
        await send_card(interaction, card)

    async def on_archive_cancel(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        await send_card(interaction, Card("Nothing was archived."), edit=True)

    async def on_archive_confirmed(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        await self._organiser(interaction)
        guild = self._guild(interaction)
        circle = await get_circle(self.bot.db, guild.id, int(args[0]))
        if circle.archived:
            raise CircleArchived(f"**{display(circle.name)}** is already archived.")
        doing = f"archive {circle.name}"
        role = guild.get_role(circle.role_id or 0)
        if role is not None:
            require_guild_permission(guild, "manage_roles", doing)
            require_role_below_me(guild, role, doing)
        await interaction.response.defer()
        result = await archive_circle(self.bot.db, self.bot.clock, guild.id, circle.id, self.bot.outbox)
        problems: list[str] = []
        if role is not None:
            try:
                await role.delete(reason=f"circle {circle.id} archived")
            except discord.HTTPException as exc:
                problems.append(f"I couldn't delete its role (<@&{role.id}>, Discord said {exc.status}); until it's "
                                "deleted in Server Settings > Roles, its holders can still see the channels.")
        for uid in result.facilitator_ids:
            await self.drop_facilitator_access(guild, circle.id, uid, circle=result.circle)
        text = (f"Archived **{display(circle.name)}**. {len(result.member_ids)} member(s) and "
                f"{len(result.waiting_ids)} waiting were told privately. Its channels keep their history.")
        await send_card(interaction, Card("\n".join([text, *problems])), edit=True)
        log.info("circle archived guild_id=%s circle_id=%s", guild.id, circle.id)

    # -- facilitators ------------------------------------------------------------------------------

    def _circle_channels(self, guild: discord.Guild, circle: Circle) -> list[tuple[str, discord.abc.GuildChannel]]:
        out: list[tuple[str, discord.abc.GuildChannel]] = []
        for kind, cid in (("text", circle.text_channel_id), ("voice", circle.voice_channel_id),
                          ("stories", circle.stories_channel_id)):
            channel = guild.get_channel(cid or 0)
            if channel is not None:
                out.append((kind, channel))
        return out

    @admin.command(name="facilitator-add", description="Make a member a facilitator of a circle")
    @app_commands.describe(circle="The circle", member="The member who will facilitate it")
    @app_commands.autocomplete(circle=circle_autocomplete)
    async def facilitator_add(self, interaction: discord.Interaction, circle: str, member: discord.Member) -> None:
        await self._organiser(interaction)
        guild = self._guild(interaction)
        found = await resolve_circle(self.bot.db, guild.id, circle)
        if member.bot:
            raise UserFacingError("Bots can't facilitate circles.")
        doing = f"let {member.display_name} into {found.name}'s channels"
        channels = self._circle_channels(guild, found)
        for _, channel in channels:
            require_channel_permission(channel, "manage_roles", doing, label="Manage Permissions")
        if not await add_facilitator(self.bot.db, self.bot.clock, found, member.id, interaction.user.id):
            raise UserFacingError(f"<@{member.id}> already facilitates **{display(found.name)}**.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        done: list[discord.abc.GuildChannel] = []
        try:
            for kind, channel in channels:
                o = facilitator_overwrite(kind, member.id, channel.permissions_for(guild.me).value)
                await channel.set_permissions(member, overwrite=discord.PermissionOverwrite.from_pair(
                    discord.Permissions(o.allow), discord.Permissions(o.deny)), reason="circle facilitator added")
                done.append(channel)
        except discord.HTTPException as exc:
            for channel in done:
                try:
                    await channel.set_permissions(member, overwrite=None, reason="rolling back facilitator")
                except discord.HTTPException:
                    log.warning("rollback: could not remove overwrite channel_id=%s", channel.id)
            await remove_facilitator(self.bot.db, found, member.id)
            explained = explain_http(exc, guild, "Manage Permissions", "in the circle's channels", doing)
            if explained is None:
                raise
            raise explained from None
        await reply(interaction, f"<@{member.id}> now facilitates **{display(found.name)}** and can see its channels.")

    @admin.command(name="facilitator-remove", description="Stop a member facilitating a circle")
    @app_commands.describe(circle="The circle", member="The facilitator to remove")
    @app_commands.autocomplete(circle=circle_autocomplete)
    async def facilitator_remove(self, interaction: discord.Interaction, circle: str, member: discord.Member) -> None:
        await self._organiser(interaction)
        guild = self._guild(interaction)
        found = await resolve_circle(self.bot.db, guild.id, circle)
        if not await remove_facilitator(self.bot.db, found, member.id):
            raise UserFacingError(f"<@{member.id}> doesn't facilitate **{display(found.name)}**.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        failed = await self.drop_facilitator_access(guild, found.id, member.id, circle=found)
        note = (" I couldn't remove their channel access everywhere (I need Manage Permissions in those channels);"
                " please remove it by hand.") if failed else ""
        await reply(interaction, f"<@{member.id}> no longer facilitates **{display(found.name)}**.{note}")

    async def drop_facilitator_access(self, guild: discord.Guild, circle_id: int, user_id: int, *,
                                      circle: Circle | None = None) -> bool:
        """Remove a facilitator's own overwrites from the circle's channels; True if any failed."""
        circle = circle or await get_circle(self.bot.db, guild.id, circle_id)
        failed = False
        for _, channel in self._circle_channels(guild, circle):
            if not any(getattr(t, "id", None) == user_id for t in channel.overwrites):
                continue
            try:
                # By id: the person may have left the server, so there may be no Member to pass.
                await self.bot.http.delete_channel_permissions(channel.id, user_id,
                                                               reason="circle facilitator removed")
            except discord.HTTPException:
                failed = True
        return failed

    # -- members -----------------------------------------------------------------------------------

    @facilitate.command(name="members", description="Who is in a circle, and when they agreed to its norms")
    @app_commands.describe(circle="The circle")
    @app_commands.autocomplete(circle=circle_autocomplete)
    async def members(self, interaction: discord.Interaction, circle: str) -> None:
        settings = await settings_of(self.bot, interaction)
        found = await resolve_circle(self.bot.db, settings.guild_id, circle)
        require_facilitator_or_organiser(actor_of(interaction), settings,
                                         await facilitator_ids(self.bot.db, found.guild_id, found.id))
        card = members_card(found.name, found.capacity, found.norms_version,
                            await members_of(self.bot.db, found.guild_id, found.id),
                            await waiting_of(self.bot.db, found.guild_id, found.id))
        await send_card(interaction, card)

    # -- norms -------------------------------------------------------------------------------------

    @admin.command(name="norms", description="Edit a circle's norms; members are asked to agree to the new version")
    @app_commands.describe(circle="The circle whose norms to edit")
    @app_commands.autocomplete(circle=circle_autocomplete)
    async def norms(self, interaction: discord.Interaction, circle: str) -> None:
        await self._organiser(interaction)
        found = await resolve_circle(self.bot.db, interaction.guild_id or 0, circle)
        current = await get_norms(self.bot.db, found.guild_id, found.id)
        # 15 minutes: as long as Discord accepts the submit; a later submit still reaches submit_modal.
        modal = discord.ui.Modal(title=f"Norms of {found.name}"[:45], custom_id=f"circle:norms:{found.id}",
                                 timeout=900)
        modal.add_item(discord.ui.TextInput(
            label=f"Norms (now version {current.version})", custom_id=NORMS_INPUT,
            style=discord.TextStyle.paragraph, default=current.text, min_length=20, max_length=NORMS_MAX,
        ))
        await interaction.response.send_modal(modal)

    async def save_norms_from_modal(self, interaction: discord.Interaction, args: list[str]) -> None:
        circle_id = int(args[0])
        settings = await self._organiser(interaction)
        text = modal_values(interaction).get(NORMS_INPUT, "")
        grace = (await get_circle_settings(self.bot.db, settings.guild_id)).grace_days
        saved = await save_norms(self.bot.db, self.bot.clock, settings.guild_id, circle_id, text,
                                 actor_id=interaction.user.id, grace_days=grace, outbox=self.bot.outbox)
        name = display(saved.circle.name)
        if not saved.changed:
            message = f"The norms of **{name}** are unchanged (still version {saved.version})."
        else:
            paused = len(saved.paused_user_ids)
            due = timestamp(saved.due_at) if saved.due_at is not None else None
            message = wording.norms_saved(name, saved.version, len(saved.asked_user_ids) - paused, paused, due)
        await reply(interaction, message)
        log.info("circle norms saved guild_id=%s circle_id=%s version=%s asked=%d", settings.guild_id, circle_id,
                 saved.version, len(saved.asked_user_ids))
