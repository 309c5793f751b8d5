"""/story share|retract|status|reply, the preview's buttons, Sending support, and publishing.

Anonymity in this cog: the pending preview (which knows who is sharing) lives only in memory and
is gone after a restart; the database gets the story with its one-way author key. Logs name
story ids and event kinds, never a member. Posts use allowed_mentions none.
"""

from __future__ import annotations

import asyncio
import logging
import random
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.cases.crisis import respond_to_crisis
from bot.cases.records import open_case
from bot.circles.access import require_set_up
from bot.circles.records import get_circle
from bot.core import anonymity
from bot.core.errors import UserFacingError
from bot.core.messages import custom_id
from bot.delivery.leases import STORIES
from bot.delivery.scheduler import MissedPolicy, Occurrence
from bot.safety.card import server_crisis_card
from bot.screening.words import word_settings
from bot.stories import cards, records, wording
from bot.stories.circles import circle_to_share_in, seated_circle, shareable_choices
from bot.stories.drafts import MAX_TITLE, MAX_WARNING, Draft, Verdict, check_draft, screen_draft
from bot.stories.keys import author_key, member_block_key, normalise_receipt
from bot.stories.settings import MAX_STORY, get_story_settings
from bot.stories.support import add_support, support_count
from cogs.common.bot_permissions import UNKNOWN_MESSAGE
from cogs.common.choices import choice
from cogs.common.components import Action, PersistentComponent, card_view, form, send_card
from cogs.common.context import NO_PINGS, guild_id_of, guild_settings, reply, settings_of
from cogs.common.modals import modal_values

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot
    from bot.core.db import Conn

log = logging.getLogger(__name__)

PREVIEW_MINUTES = 30
NEW_MEMBER_DAYS = 7


class StarterUnreadable(Exception):
    """Discord answered 403 to reading the starter message an earlier attempt recorded: the bot can
    no longer see the stories channel (or read its history). Not a refusal to post."""


@dataclass
class Pending:
    """A preview waiting for Post: in memory only, never in the database."""

    guild_id: int
    user_id: int
    draft: Draft
    verdict: Verdict
    started: datetime


# The author's reply form: custom_id("storyreplyform", "n<number>"), answered through component_actions
# (not by the Modal object), so a form submitted after a restart still works.
MAX_REPLY = 2000


def reply_form(story: records.Story) -> discord.ui.Modal:
    form = discord.ui.Modal(title=wording.REPLY_FORM_TITLE, custom_id=custom_id("storyreplyform",
                                                                                 records.story_ref(story)))
    form.add_item(discord.ui.TextInput(
        label=f"Your reply to {story.pseudonym}"[:45], custom_id="reply", style=discord.TextStyle.paragraph,
        max_length=MAX_REPLY, placeholder="It appears in the story's thread as Story author."))
    return form


class StoryForm(discord.ui.Modal):
    """The story form: custom_id("storyform" / "storyeditform", token, circle id), answered through
    the cog's component_actions (so a form submitted after a restart still reaches the cog)."""

    def __init__(self, token: str, circle_id: int, draft: Draft | None, *, edit: bool) -> None:
        super().__init__(title="Share a story anonymously",
                         custom_id=custom_id("storyeditform" if edit else "storyform", token, circle_id), timeout=None)
        self.story: discord.ui.TextInput[StoryForm] = discord.ui.TextInput(
            label="Your story", custom_id="story", style=discord.TextStyle.paragraph, max_length=MAX_STORY,
            default=draft.body if draft else None, placeholder="Share as much or as little as you like.")
        self.warning: discord.ui.TextInput[StoryForm] = discord.ui.TextInput(
            label="Content warning (optional)", custom_id="warning", required=False, max_length=MAX_WARNING,
            default=draft.content_warning if draft else None, placeholder="e.g. self-harm, surgery, grief")
        self.story_title: discord.ui.TextInput[StoryForm] = discord.ui.TextInput(
            label="Title (optional)", custom_id="title", required=False, max_length=MAX_TITLE,
            default=draft.title if draft else None)
        for item in (self.story, self.warning, self.story_title):
            self.add_item(item)


def _draft_of(interaction: discord.Interaction, circle_id: int) -> Draft:
    values = modal_values(interaction)
    return Draft(circle_id, values.get("story", ""), values.get("warning", ""), values.get("title", ""))


class Stories(commands.Cog):
    component_actions: ClassVar[dict[str, str | Action]] = {
        "storypost": "on_post", "storyedit": "on_edit", "storycancel": "on_cancel", "storyhelp": "on_help",
        "storysupport": "on_support", "storyreply": "on_reply_button",
        # Deferred first (submit_modal): screening a draft may write (a crisis case), and a member's
        # story must never be lost to Discord's 3 seconds while the database is busy. An edit came
        # from the preview's button: its answer replaces the preview.
        "storyform": form("on_story_form", "member"),
        "storyeditform": form("on_story_edit_form", "member", update=True),
        # The author's reply form (custom_id("storyreplyform", "n<number>")): the author check is in the handler.
        "storyreplyform": form("on_reply_form", "member"),
    }

    story = app_commands.Group(name="story", description="Share a story anonymously with your circle",
                               guild_only=True)

    def __init__(self, bot: PeerCirclesBot) -> None:
        self.bot = bot
        self.pending: dict[str, Pending] = {}
        # The randomness of delays and review sampling; tests put a seeded or stub Random here.
        self.rng: random.Random = random.SystemRandom()
        self._publish_task: asyncio.Task[None] | None = None
        self._publish_again = False

    async def cog_load(self) -> None:
        config = self.bot.config
        # Several processes (a shard range, or PostgreSQL) must share one key: never make one here.
        shared_by = config.shared_key_reason
        key = anonymity.load_key(config.anonymity_key_path, shared_by=shared_by,
                                 create=shared_by is None and not await records.any_keyed_rows(self.bot.db))
        anonymity.install(key)
        if key.created:
            log.warning("created a new anonymity key file at %s (keep it safe, readable by the bot only)", key.source)
        warning = anonymity.placement_warning(config.anonymity_key_path, config.database_path)
        if warning is not None:
            log.warning("%s", warning)
        self.bot.add_dynamic_items(PersistentComponent)
        # At process start (never on a gateway reconnect, while the publisher may be mid-post):
        # stories this process's earlier life left 'publishing' are published again; another live
        # process's stay its own until their lease runs out (bot/delivery/leases.py).
        if await self.bot.leases.recover(STORIES, at_start=True):
            log.warning("stories interrupted while publishing are published again")
        self.bot.leases.on_recovered(STORIES, self.request_publish)
        self.bot.scheduler.register_kind(records.PUBLISH_KIND, self.on_publish_due, MissedPolicy.LATE,
                                         grace=timedelta(days=3650))

    async def cog_unload(self) -> None:
        if self._publish_task is not None:
            self._publish_task.cancel()

    # -- sharing -----------------------------------------------------------------------------------

    @story.command(name="share", description="Write a story to share anonymously in one of your circles")
    @app_commands.describe(circle="One of your circles that has a stories channel (start typing its name)")
    async def share(self, interaction: discord.Interaction, circle: str) -> None:
        settings = await settings_of(self.bot, interaction)
        require_set_up(settings)
        if settings.queue_channel_id is None:
            # A story held for review would sit unseen while its author is told a moderator has it.
            raise UserFacingError(wording.QUEUE_NOT_SET_UP)
        found = await circle_to_share_in(self.bot.db, settings.guild_id, circle, interaction.user.id)
        story_settings = await get_story_settings(self.bot.db, settings.guild_id)
        await records.require_may_share(self.bot.db.reader, self.bot.clock, story_settings,
                                        author_key(settings.guild_id, interaction.user.id),
                                        member_block_key(settings.guild_id, interaction.user.id))
        token = secrets.token_hex(8)
        await interaction.response.send_modal(StoryForm(token, found.id, None, edit=False))

    @share.autocomplete("circle")
    async def share_autocomplete(self, interaction: discord.Interaction,
                                 current: str) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        pairs = await shareable_choices(self.bot.db, interaction.guild_id, interaction.user.id, current)
        return [choice(name, value) for name, value in pairs]

    async def preview(self, interaction: discord.Interaction, token: str, draft: Draft, *, edit: bool) -> None:
        guild_id = guild_id_of(interaction)
        settings = await get_story_settings(self.bot.db, guild_id)
        draft = check_draft(draft, settings)
        key = author_key(guild_id, interaction.user.id)
        await records.require_may_share(self.bot.db.reader, self.bot.clock, settings, key,
                                        member_block_key(guild_id, interaction.user.id))
        verdict = await screen_draft(draft, await word_settings(self.bot.db, guild_id))
        if verdict.aimed_slur:
            self.pending.pop(token, None)
            log.info("story draft declined for aimed insults guild_id=%s", guild_id)
            await self._show(interaction, cards.Card(wording.AIMED_SLUR), edit=edit)
            return
        circle = await seated_circle(self.bot.db, guild_id, draft.circle_id, interaction.user.id)
        response = None
        if verdict.crisis != "none":
            # The one crisis response (bot.cases.crisis): the card at most once an hour, an urgent case
            # announced in the queue with its ladder; anonymous: the case names nobody.
            crisis_embed = await server_crisis_card(self.bot.db, guild_id)
            async with self.bot.db.transaction() as conn:
                response = await respond_to_crisis(
                    conn, self.bot.clock, self.bot.outbox, guild_id=guild_id, user_id=interaction.user.id,
                    level=verdict.crisis, source="story", crisis_embed=crisis_embed,
                    server_name=interaction.guild.name if interaction.guild else "", can_reply_privately=True,
                    anonymous=True, summary=wording.CRISIS_CASE_SUMMARY.format(pseudonym="a story not yet posted"),
                    snapshot={"circle": circle.name, "title": verdict.title,
                              "content_warning": verdict.content_warning, "text": verdict.body},
                    dedupe_key=f"storydraft:{token}")
            log.info("story draft screened guild_id=%s level=%s case_id=%s card=%s", guild_id, verdict.crisis,
                     response.case_id, response.show_card)
        self._expire_old()
        self.pending[token] = Pending(guild_id, interaction.user.id, draft, verdict, self.bot.clock.now())
        hint = f"Anonymous member - in {circle.name}"
        shown = response.card if response is not None and response.show_card else None
        await self._show(interaction, cards.preview_card(token, verdict, hint, shown), edit=edit)

    async def _show(self, interaction: discord.Interaction, card: cards.Card, *, edit: bool) -> None:
        await send_card(interaction, card, edit=edit)

    def _expire_old(self) -> None:
        cutoff = self.bot.clock.now() - timedelta(minutes=PREVIEW_MINUTES)
        for token in [t for t, p in self.pending.items() if p.started < cutoff]:
            del self.pending[token]

    def _pending_for(self, interaction: discord.Interaction, token: str, *, take: bool) -> Pending | None:
        pending = self.pending.get(token)
        if pending is None or pending.user_id != interaction.user.id:
            return None
        if pending.started < self.bot.clock.now() - timedelta(minutes=PREVIEW_MINUTES):
            self.pending.pop(token, None)
            return None
        if take:
            self.pending.pop(token, None)
        return pending

    async def on_post(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        pending = self._pending_for(interaction, args[0], take=True)
        if pending is None:
            await send_card(interaction, cards.Card(wording.PREVIEW_EXPIRED), edit=True)
            return
        guild_id = pending.guild_id
        settings = await get_story_settings(self.bot.db, guild_id)
        await seated_circle(self.bot.db, guild_id, pending.draft.circle_id, pending.user_id)  # still seated
        member = interaction.user
        joined = getattr(member, "joined_at", None)
        new_member = joined is None or joined > self.bot.clock.now() - timedelta(days=NEW_MEMBER_DAYS)
        async with self.bot.db.transaction() as conn:
            done = await records.submit(conn, self.bot.clock, settings, circle_id=pending.draft.circle_id,
                                        key=author_key(guild_id, pending.user_id), verdict=pending.verdict,
                                        new_member=new_member, member_key=member_block_key(guild_id, pending.user_id),
                                        rng=self.rng)
            if done.story.state == "review":
                await self._enqueue_review(conn, done.story, delayed=settings.delay)
        log.info("story submitted guild_id=%s story_id=%s state=%s", guild_id, done.story.id, done.story.state)
        await send_card(interaction, cards.receipt_card(done.story, done.receipt), edit=True)
        if done.schedule is not None:
            self.bot.scheduler.notify(done.schedule)
        if done.story.state == "ready":
            self.request_publish()

    async def _enqueue_review(self, conn: Conn, story: records.Story, *, delayed: bool) -> None:
        """The review card for the moderators' queue; with the server's delay on it goes out 1-10
        minutes later at random (a card appearing the second someone pressed Post would point to them)."""
        settings = await guild_settings(self.bot, story.guild_id)
        circle = await get_circle(self.bot.db, story.guild_id, story.circle_id)
        if settings.queue_channel_id is None:
            log.warning("story held for review but the server has no queue channel guild_id=%s story_id=%s",
                        story.guild_id, story.id)
            return
        now = self.bot.clock.now()
        await self.bot.outbox.enqueue(
            conn, key=records.review_key(story.guild_id, story.id), kind="story_review", guild_id=story.guild_id,
            target_kind="channel", target_id=settings.queue_channel_id,
            payload=cards.queue_card(story, circle.name).to_payload(),
            not_before=records.random_delay(now, self.rng) if delayed else None, created_at=records.hour_of(now))

    async def on_story_form(self, interaction: discord.Interaction, args: list[str]) -> None:
        await self.preview(interaction, args[0], _draft_of(interaction, int(args[1])), edit=False)

    async def on_story_edit_form(self, interaction: discord.Interaction, args: list[str]) -> None:
        await self.preview(interaction, args[0], _draft_of(interaction, int(args[1])), edit=True)

    async def on_edit(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        pending = self._pending_for(interaction, args[0], take=False)
        if pending is None:
            await send_card(interaction, cards.Card(wording.PREVIEW_EXPIRED), edit=True)
            return
        await interaction.response.send_modal(StoryForm(args[0], pending.draft.circle_id, pending.draft, edit=True))

    async def on_cancel(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        self._pending_for(interaction, args[0], take=True)
        await send_card(interaction, cards.Card(wording.CANCELLED), edit=True)

    async def on_help(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        """Connect me with a moderator: the author's own choice, so this case carries their identity."""
        guild_id = guild_id_of(interaction)
        async with self.bot.db.transaction() as conn:
            await open_case(conn, self.bot.clock, guild_id=guild_id, kind="help", urgency="urgent", source="story",
                            subject_user_id=interaction.user.id, opened_by=interaction.user.id,
                            summary=wording.HELP_CASE_SUMMARY,
                            dedupe_key=f"storyhelp:{interaction.message.id if interaction.message else interaction.id}",
                            # Announced and paged now, as a crisis case is: not at the scheduler's next sweep.
                            outbox=self.bot.outbox)
        await reply(interaction, wording.CONNECTED)

    # -- receipts ----------------------------------------------------------------------------------

    @story.command(name="retract", description="Take your story down and delete its data, with your receipt")
    @app_commands.describe(receipt="The receipt code you got when you posted (e.g. ABCD-EFGH-JKLM-NPQR)")
    async def retract(self, interaction: discord.Interaction, receipt: str) -> None:
        guild_id = guild_id_of(interaction)
        code = normalise_receipt(receipt)
        story = await records.story_by_receipt(self.bot.db.reader, guild_id, code)
        if story.state == "publishing":
            raise UserFacingError(wording.BEING_PUBLISHED)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.delete_post(story, "retract")
        async with self.bot.db.transaction() as conn:
            done = await records.retract(conn, self.bot.clock, guild_id, code)  # re-checks the state
        await self.bot.db.checkpoint()  # the story's words leave the write-ahead log too
        if (done.story.thread_id, done.story.message_id) != (story.thread_id, story.message_id):
            # Published between the first look and the retraction: its post goes too.
            try:
                await self.delete_post(done.story, "retract")
            except UserFacingError:
                log.warning("a retracted story's post was not deleted guild_id=%s story_id=%s", guild_id, story.id)
        if done.review_card is not None:
            try:
                await self.bot.http.delete_message(*done.review_card, reason="story retracted")
            except discord.HTTPException as exc:
                log.warning("could not delete a retracted story's review card guild_id=%s story_id=%s status=%s",
                            guild_id, story.id, exc.status)
        log.info("story retracted guild_id=%s story_id=%s", guild_id, story.id)
        await reply(interaction, wording.RETRACTED)

    async def delete_post(self, story: records.Story, doing: str) -> None:
        """Delete a story's post and thread in Discord; gone already is fine, refused is not."""
        targets: list[tuple[int, int | None]] = []
        if story.thread_id:
            targets.append((story.thread_id, None))
        if story.message_id and story.channel_id:
            targets.append((story.channel_id, story.message_id))
        for channel_id, message_id in targets:
            try:
                if message_id is None:
                    await self.bot.http.delete_channel(channel_id, reason=f"story {doing}")
                else:
                    await self.bot.http.delete_message(channel_id, message_id, reason=f"story {doing}")
            except discord.NotFound:
                continue
            except discord.Forbidden:
                log.warning("could not delete a story post guild_id=%s story_id=%s", story.guild_id, story.id)
                raise UserFacingError(
                    "I couldn't take the post down: I'm missing the **Manage Threads** permission in the stories"
                    " channel. Nothing was changed; please ask an organiser to check my permissions.") from None

    @story.command(name="status", description="Check on your story with your receipt")
    @app_commands.describe(receipt="The receipt code you got when you posted")
    async def status(self, interaction: discord.Interaction, receipt: str) -> None:
        guild_id = guild_id_of(interaction)
        story = await records.story_by_receipt(self.bot.db.reader, guild_id, normalise_receipt(receipt))
        count = await support_count(self.bot.db.reader, guild_id, story.id)
        await reply(interaction, cards.status_text(story, count))

    # -- the story's thread --------------------------------------------------------------------

    @story.command(name="reply", description="Reply anonymously as the Story author, inside your story's thread")
    async def author_reply(self, interaction: discord.Interaction) -> None:
        guild_id = guild_id_of(interaction)
        story = None if interaction.channel_id is None else await records.story_by_thread(
            self.bot.db, guild_id, interaction.channel_id)
        if story is None or story.state != "published":
            raise UserFacingError(wording.REPLY_NOT_A_STORY)
        await self._open_reply_form(interaction, story)

    async def on_reply_button(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        """The story post's "Reply as the author": the form opens for its author only."""
        story = await records.story_by_ref(self.bot.db.reader, guild_id_of(interaction), args[0])
        if story is None or story.state != "published":
            raise UserFacingError(wording.REPLY_GONE)
        await self._open_reply_form(interaction, story)

    async def _open_reply_form(self, interaction: discord.Interaction, story: records.Story) -> None:
        if story.author_key != author_key(story.guild_id, interaction.user.id):
            raise UserFacingError(wording.REPLY_NOT_AUTHOR)
        await interaction.response.send_modal(reply_form(story))

    async def on_reply_form(self, interaction: discord.Interaction, args: list[str]) -> None:
        """The reply form, answered by its custom_id (so one submitted after a restart still works)."""
        await self.post_author_reply(interaction, args[0], modal_values(interaction).get("reply", ""))

    async def post_author_reply(self, interaction: discord.Interaction, ref: str, text: str) -> None:
        guild_id = guild_id_of(interaction)
        story = await records.story_by_ref(self.bot.db.reader, guild_id, ref)
        if story is None or story.state != "published":
            raise UserFacingError(wording.REPLY_GONE)
        if story.author_key != author_key(guild_id, interaction.user.id):
            raise UserFacingError(wording.REPLY_NOT_AUTHOR)
        settings = await get_story_settings(self.bot.db, guild_id)
        body = check_draft(Draft(story.circle_id, text), replace(settings, min_length=1)).body
        verdict = await screen_draft(Draft(story.circle_id, body), await word_settings(self.bot.db, guild_id))
        # A random name for this reply's rows: an interaction id is a snowflake that carries the second.
        token = secrets.token_hex(8)
        shown = None
        if verdict.crisis in ("crisis", "concern"):
            # A crisis holds the reply back; a concern posts it. Either way the author gets the card
            # privately (as the preview shows it), and the moderators hear without their name.
            crisis_embed = await server_crisis_card(self.bot.db, guild_id)
            async with self.bot.db.transaction() as conn:
                response = await respond_to_crisis(
                    conn, self.bot.clock, self.bot.outbox, guild_id=guild_id, user_id=interaction.user.id,
                    level=verdict.crisis, source="story", crisis_embed=crisis_embed,
                    server_name=interaction.guild.name if interaction.guild else "", can_reply_privately=True,
                    anonymous=True, summary=wording.REPLY_CRISIS_CASE_SUMMARY.format(pseudonym=story.pseudonym),
                    snapshot={"text": verdict.body}, dedupe_key=f"storyreply:{guild_id}:{token}")
            shown = response.card if response.show_card else None
        if verdict.crisis == "crisis":
            text = wording.REPLY_CRISIS_HELD if shown is not None else wording.REPLY_CRISIS_HELD_CARD_SHOWN
            await send_card(interaction, cards.Card(text, cards.crisis_embeds(shown), (cards.connect_row(),)))
            return
        if verdict.aimed_slur:
            raise UserFacingError(wording.AIMED_SLUR)
        async with self.bot.db.transaction() as conn:
            await self.bot.outbox.enqueue(
                conn, key=f"story_reply:{guild_id}:{token}", kind="story_reply", guild_id=guild_id,
                target_kind="channel", target_id=story.thread_id or 0,
                payload=cards.author_reply_card(story.number, verdict.body).to_payload(),
                created_at=records.hour_of(self.bot.clock.now()))
        log.info("story author reply queued guild_id=%s story_id=%s", guild_id, story.id)
        if shown is not None:
            await send_card(interaction, cards.Card(wording.REPLY_SENT, cards.crisis_embeds(shown),
                                                    (cards.connect_row(),)))
        else:
            await reply(interaction, wording.REPLY_SENT)

    async def on_support(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        guild_id = guild_id_of(interaction)
        story = await records.story_by_ref(self.bot.db.reader, guild_id, args[0])
        if story is None or story.state != "published":
            raise UserFacingError("This story is no longer here.")
        async with self.bot.db.transaction() as conn:
            new = await add_support(conn, guild_id, story.id, interaction.user.id)
            count = await support_count(conn, guild_id, story.id)
        if not new:
            await reply(interaction, wording.SUPPORT_ALREADY)
            return
        await reply(interaction, wording.SUPPORT_THANKS.format(count=count, members="member is" if count == 1
                                                                 else "members are"))

    # -- publishing --------------------------------------------------------------------------------

    async def on_publish_due(self, conn: Conn, occurrence: Occurrence) -> None:
        """A delayed story's time came: it becomes ready; the post is made after the commit."""
        if await records.due_to_publish(conn, occurrence.guild_id, occurrence.owner_id):
            asyncio.get_running_loop().call_soon(self.request_publish)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        # Fires again after every gateway reconnect: stories in flight are left alone here (they
        # were reset once, at load, before this process could publish anything).
        self.request_publish()

    def request_publish(self) -> None:
        """Publish every ready story soon (one publisher at a time; requests meanwhile merge)."""
        self._publish_again = True
        if self._publish_task is None or self._publish_task.done():
            self._publish_task = asyncio.create_task(self._publish_all(), name="stories-publish")

    async def _publish_all(self) -> None:
        while self._publish_again:
            self._publish_again = False
            failed: list[records.Story] = []
            try:
                while (story := await records.claim_ready(self.bot.db, self.bot.leases.claim())) is not None:
                    try:
                        ok = await self._publish(story)
                    except Exception as exc:  # e.g. a busy database: never leave it stuck in 'publishing'
                        log.error("story publishing failed guild_id=%s story_id=%s error=%s", story.guild_id,
                                  story.id, type(exc).__name__)
                        ok = False
                    if not ok:
                        failed.append(story)
            except Exception as exc:
                log.error("story publishing pass stopped error=%s", type(exc).__name__)
            finally:
                for story in failed:
                    try:
                        await records.back_to_ready(self.bot.db, story.guild_id, story.id)
                    except Exception as exc:  # the start-up reset takes it back to ready
                        log.error("a story stays 'publishing' until restart guild_id=%s story_id=%s error=%s",
                                  story.guild_id, story.id, type(exc).__name__)

    async def _publish(self, story: records.Story) -> bool:
        """Post one claimed story. False: a passing failure (it goes back to ready and is tried at the
        next pass). A refusal for good (a permission, the channel gone) is recorded, the moderators
        are told and nothing is left in the channel; it waits for /story-admin retry."""
        channel: Any = None
        starter: discord.Message | None = None
        try:
            circle = await get_circle(self.bot.db, story.guild_id, story.circle_id)
            if not circle.stories_channel_id:
                raise LookupError("no stories channel")
            channel = self.bot.get_channel(circle.stories_channel_id) or await self.bot.fetch_channel(
                circle.stories_channel_id)
            card = cards.post_card(story, story.body or "", self.bot.clock.now())
            embeds = [discord.Embed.from_dict(e) for e in card.embeds]
            view = card_view(card)
            kwargs: dict[str, Any] = {"content": card.content or None, "embeds": embeds, "allowed_mentions": NO_PINGS}
            if view is not None:
                kwargs["view"] = view
            if isinstance(channel, discord.ForumChannel):
                # One request makes the post and its thread: nothing half-made to clean up.
                made = await channel.create_thread(name=cards.thread_name(story), **kwargs)
                thread_id, message_id = made.thread.id, None
            elif isinstance(channel, discord.TextChannel):
                starter = await self._starter(channel, story, kwargs)
                thread = starter.thread or await starter.create_thread(name=cards.thread_name(story))
                thread_id, message_id = thread.id, starter.id
            else:
                raise LookupError("the stories channel is neither a forum nor a text channel")
        except discord.NotFound as exc:
            if starter is not None and exc.code == UNKNOWN_MESSAGE:
                # The starter was deleted between its post and its thread (by hand, say): a passing
                # failure, not a channel gone; the next pass finds its id unknown and posts afresh.
                log.warning("a story's starter went before its thread guild_id=%s story_id=%s", story.guild_id,
                            story.id)
                return False
            await self._refused(story, channel, starter, exc)
            return True
        except (discord.Forbidden, LookupError, StarterUnreadable) as exc:
            await self._refused(story, channel, starter, exc)
            return True
        except Exception as exc:  # a passing failure: the story goes back to ready (never its text in the log)
            log.warning("could not publish a story guild_id=%s story_id=%s error=%s", story.guild_id, story.id,
                        type(exc).__name__)
            return False
        if not await records.published(self.bot.db, self.bot.clock, story, channel_id=channel.id,
                                       thread_id=thread_id, message_id=message_id):
            # Retracted while it was being posted: the post just made goes.
            log.info("story retracted while publishing, post deleted guild_id=%s story_id=%s", story.guild_id,
                     story.id)
            gone = replace(story, channel_id=channel.id, thread_id=thread_id, message_id=message_id)
            try:
                await self.delete_post(gone, "retract")
            except UserFacingError:
                log.warning("a retracted story's post was not deleted guild_id=%s story_id=%s", story.guild_id,
                            story.id)
            return True
        log.info("story published guild_id=%s story_id=%s", story.guild_id, story.id)
        return True

    async def _starter(self, channel: discord.TextChannel, story: records.Story,
                       kwargs: dict[str, Any]) -> discord.Message:
        """The starter message of a text-channel post: the one an earlier attempt recorded (still
        there), else a new one, recorded before its thread is made."""
        if story.message_id and story.channel_id == channel.id:
            try:
                return await channel.fetch_message(story.message_id)
            except discord.NotFound:
                pass  # deleted by hand meanwhile: post it afresh
            except discord.Forbidden as exc:
                # Posting afresh would leave the first copy behind: a refusal for good, named for what it is.
                raise StarterUnreadable() from exc
        message = await channel.send(**kwargs)
        await records.record_starter(self.bot.db, story, channel_id=channel.id, message_id=message.id)
        return message

    async def _refused(self, story: records.Story, channel: Any, starter: discord.Message | None,
                       exc: Exception) -> None:
        """A refusal for good: delete any starter message (no copy stays), record why, tell the
        moderators in the queue; the author reads the reason with /story status."""
        if isinstance(exc, StarterUnreadable):
            problem = wording.PROBLEM_NO_READ
        elif isinstance(exc, LookupError | discord.NotFound) or channel is None:
            problem = wording.PROBLEM_NO_CHANNEL
        elif starter is not None:
            problem = wording.PROBLEM_NO_THREADS
        else:
            problem = wording.PROBLEM_NO_POST
        kept = False
        target = (starter.channel.id, starter.id) if starter is not None else (story.channel_id, story.message_id)
        if target[0] and target[1]:
            try:
                await self.bot.http.delete_message(target[0], target[1], reason="story could not be published")
            except discord.NotFound:
                pass
            except discord.HTTPException:
                kept = True  # its id stays recorded: a retry reuses it, a retraction deletes it
        log.warning("story refused by Discord, waiting for moderators guild_id=%s story_id=%s error=%s",
                    story.guild_id, story.id, type(exc).__name__)
        settings = await guild_settings(self.bot, story.guild_id)
        async with self.bot.db.transaction() as conn:  # the refusal and its notice together, or neither
            attempt = await records.refused(conn, story, problem, starter_kept=kept)
            if settings.queue_channel_id is None:
                return
            await self.bot.outbox.enqueue(
                conn, key=f"story_problem:{story.guild_id}:{story.id}:{attempt}", kind="story_problem",
                guild_id=story.guild_id, target_kind="channel", target_id=settings.queue_channel_id,
                payload=cards.problem_notice(replace(
                    story, publish_problem=problem, channel_id=target[0] if kept else None,
                    message_id=target[1] if kept else None)).to_payload(),
                created_at=records.hour_of(self.bot.clock.now()))

