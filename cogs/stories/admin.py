"""/story-admin remove|block|unblock|settings and the review card's Approve / Decline buttons.

Every action is checked in the bot (moderators and organisers only) and recorded in story_audit.
Moderators act on a story by its number; none of this reveals or needs the author's identity.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.errors import UserFacingError
from bot.core.messages import custom_id, timestamp
from bot.stories import cards, records, wording
from bot.stories.moderation import block_author_of_story, remove_story, unblock_author_of_story
from bot.stories.settings import get_story_settings, save_story_settings
from cogs.common.components import Action, form, send_card
from cogs.common.context import reply, require_moderator
from cogs.common.modals import modal_values

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot
    from cogs.stories.members import Stories

log = logging.getLogger(__name__)


# The decline form: custom_id("storydeclineform", "n<number>") (a bare id on forms opened from
# cards sent before per-server numbers), answered through component_actions.


def decline_form(ref: str) -> discord.ui.Modal:
    form = discord.ui.Modal(title="Decline this story", custom_id=custom_id("storydeclineform", ref))
    form.add_item(discord.ui.TextInput(
        label="Reason (the author will see it)", custom_id="reason", style=discord.TextStyle.paragraph,
        max_length=500, required=False, placeholder=wording.DECLINE_DEFAULT))
    return form


class StoryAdmin(commands.Cog):
    component_actions: ClassVar[dict[str, Action]] = {
        "storyapprove": Action("on_approve", "moderator"), "storydecline": Action("on_decline", "moderator"),
        # The decline form, custom_id("storydeclineform", story id), opened from the queue card's
        # Decline button: its answer replaces that card.
        "storydeclineform": form("on_decline_form", "moderator", update=True)}

    admin = app_commands.Group(
        name="story-admin", description="Moderators: review, remove and block anonymous stories",
        guild_only=True, default_permissions=discord.Permissions(manage_messages=True),
        extras={"audience": "moderator"},
    )

    def __init__(self, bot: PeerCirclesBot, members: Stories) -> None:
        self.bot = bot
        self.members = members

    async def on_decline_form(self, interaction: discord.Interaction, args: list[str]) -> None:
        reason = " ".join(modal_values(interaction).get("reason", "").split()) or wording.DECLINE_DEFAULT
        await self.decline(interaction, args[0], reason)

    # -- review --------------------------------------------------------------------------------------

    async def on_approve(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        guild_id = (await require_moderator(self.bot, interaction)).guild_id
        settings = await get_story_settings(self.bot.db, guild_id)
        found = await records.story_by_ref(self.bot.db.reader, guild_id, args[0])
        if found is None:
            raise UserFacingError(wording.ALREADY_HANDLED.format(state="retracted by its author"))
        async with self.bot.db.transaction() as conn:
            story, schedule = await records.approve(conn, self.bot.clock, settings, found.id, interaction.user.id,
                                                    rng=self.members.rng)
        log.info("story approved guild_id=%s story_id=%s", guild_id, story.id)
        await send_card(interaction, cards.queue_done_card(
            story, wording.APPROVED_BY.format(moderator=interaction.user.id)), edit=True)
        if schedule is not None:
            self.bot.scheduler.notify(schedule)
        else:
            self.members.request_publish()

    async def on_decline(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        guild_id = (await require_moderator(self.bot, interaction)).guild_id
        story = await records.story_by_ref(self.bot.db.reader, guild_id, args[0])
        if story is None or story.state != "review":
            raise UserFacingError(wording.ALREADY_HANDLED.format(state=story.state if story else "retracted"))
        await interaction.response.send_modal(decline_form(records.story_ref(story)))

    async def decline(self, interaction: discord.Interaction, ref: str, reason: str) -> None:
        guild_id = (await require_moderator(self.bot, interaction)).guild_id
        found = await records.story_by_ref(self.bot.db.reader, guild_id, ref)
        if found is None:
            raise UserFacingError(wording.ALREADY_HANDLED.format(state="retracted by its author"))
        async with self.bot.db.transaction() as conn:
            story = await records.decline(conn, self.bot.clock, guild_id, found.id, interaction.user.id, reason)
        log.info("story declined guild_id=%s story_id=%s", guild_id, story.id)
        await send_card(interaction, cards.queue_done_card(
            story, wording.DECLINED_BY.format(moderator=interaction.user.id, reason=cards.display(reason))), edit=True)

    # -- commands --------------------------------------------------------------------------------------

    @admin.command(name="remove", description="Take a published story down, with a reason its author will see")
    @app_commands.describe(story="The story's number (Story #N)", reason="Why (the author sees it with /story status)")
    async def remove(self, interaction: discord.Interaction, story: app_commands.Range[int, 1],
                     reason: app_commands.Range[str, 1, 500]) -> None:
        guild_id = (await require_moderator(self.bot, interaction)).guild_id
        found = await records.story_by_number(self.bot.db.reader, guild_id, story)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.members.delete_post(found, "removed by a moderator")
        async with self.bot.db.transaction() as conn:
            await remove_story(conn, self.bot.clock, guild_id, story, interaction.user.id, reason)
        log.info("story removed guild_id=%s story_id=%s", guild_id, found.id)
        await reply(interaction, wording.REMOVED.format(pseudonym=found.pseudonym))

    @admin.command(name="retry", description="Publish a story Discord refused, once its problem is fixed")
    @app_commands.describe(story="The story's number (Story #N) from the notice in the queue")
    async def retry(self, interaction: discord.Interaction, story: app_commands.Range[int, 1]) -> None:
        guild_id = (await require_moderator(self.bot, interaction)).guild_id
        async with self.bot.db.transaction() as conn:
            found = await records.retry(conn, self.bot.clock, guild_id, story, interaction.user.id)
        log.info("story publish retried guild_id=%s story_id=%s", guild_id, found.id)
        await reply(interaction, wording.RETRYING.format(pseudonym=found.pseudonym))
        self.members.request_publish()

    @admin.command(name="block", description="Stop the (unknown) author of a story from sharing for a while")
    @app_commands.describe(story="The story's number (Story #N)", duration="How many days the block lasts",
                           reason="A note for the audit log (optional)")
    async def block(self, interaction: discord.Interaction, story: app_commands.Range[int, 1],
                    duration: app_commands.Range[int, 1, 365], reason: str = "") -> None:
        guild_id = (await require_moderator(self.bot, interaction)).guild_id
        async with self.bot.db.transaction() as conn:
            found, until = await block_author_of_story(conn, self.bot.clock, guild_id=guild_id, number=story,
                                                       days=duration, moderator_id=interaction.user.id,
                                                       reason=reason[:300])
        log.info("story author blocked guild_id=%s story_id=%s days=%s", guild_id, found.id, duration)
        await reply(interaction, wording.BLOCKED_DONE.format(pseudonym=found.pseudonym, until=timestamp(until)))

    @admin.command(name="unblock", description="Let the author of a story share again")
    @app_commands.describe(story="The story's number (Story #N) the block was placed from")
    async def unblock(self, interaction: discord.Interaction, story: app_commands.Range[int, 1]) -> None:
        guild_id = (await require_moderator(self.bot, interaction)).guild_id
        async with self.bot.db.transaction() as conn:
            found, was = await unblock_author_of_story(conn, self.bot.clock, guild_id=guild_id, number=story,
                                                       moderator_id=interaction.user.id)
        text = wording.UNBLOCKED if was else wording.NOT_BLOCKED
        await reply(interaction, text.format(pseudonym=found.pseudonym))

    @admin.command(name="settings", description="See or change the story settings of this server")
    @app_commands.describe(daily_limit="Stories a member may share per day",
                           min_length="Fewest characters a story needs",
                           review="Moderators read stories first: off, new members (and others at random), or all",
                           delay="Publish 1-10 minutes later at random, so timing does not reveal the author")
    async def settings(self, interaction: discord.Interaction,
                       daily_limit: app_commands.Range[int, 1, 50] | None = None,
                       min_length: app_commands.Range[int, 1, 4000] | None = None,
                       review: Literal["off", "new", "all"] | None = None, delay: bool | None = None) -> None:
        guild_id = (await require_moderator(self.bot, interaction)).guild_id
        current = await get_story_settings(self.bot.db, guild_id)
        changed = replace(
            current, daily_limit=current.daily_limit if daily_limit is None else daily_limit,
            min_length=current.min_length if min_length is None else min_length,
            review_mode=current.review_mode if review is None else review,
            delay=current.delay if delay is None else delay)
        if changed != current:
            await save_story_settings(self.bot.db, self.bot.clock, changed, actor_id=interaction.user.id)
        await reply(interaction, wording.SETTINGS.format(
            daily_limit=changed.daily_limit, min_length=changed.min_length,
            review=wording.REVIEW_LABELS[changed.review_mode], delay="on" if changed.delay else "off"))
