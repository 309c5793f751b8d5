"""Members' side of cases: "Report to moderators" (message menu), /reach-out, /support (servers and
DMs), "Talk to a moderator now", crisis language in circle chat, and cards waiting for a member's
next interaction. Rules live in bot.cases; this parses, checks, renders."""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from bot import screening
from bot.cases.chat import screened_source
from bot.cases.crisis import (
    PENDING_FALLBACK,
    CrisisResponse,
    has_pending,
    mark_pending,
    member_card,
    pending_fallback,
    respond_to_crisis,
    take_pending,
)
from bot.cases.duty import on_duty
from bot.cases.records import find_by_dedupe_key, open_case
from bot.cases.relay import Relay, relay_in, relay_of_member, relay_of_thread, relay_out
from bot.cases.reports import MessageSnapshot, file_report, reach_out, report_key, story_number_of
from bot.cases.settings import case_settings
from bot.cases.wording import (
    COOLDOWN,
    DM_SCREENED,
    NOT_SET_UP,
    PROFANITY_REMOVED,
    REACH_OUT_NO_RELAY,
    REACH_OUT_NO_SERVER,
    REACH_OUT_RELAY,
    REACH_OUT_THREAD,
    REACH_OUT_URGENT_THREAD,
    RELAY_OPENED,
    REPORT_BOT,
    REPORT_CATEGORIES,
    REPORT_DUPLICATE,
    REPORT_GONE,
    REPORT_SELF,
    REPORT_THANKS,
    SUPPORT_NOTE_SEVERAL,
    SUPPORT_TEXT,
    SUPPORT_TITLE,
    TALK_NOW,
)
from bot.core.clock import iso_utc
from bot.core.db import answered
from bot.core.errors import UserFacingError
from bot.core.messages import DANGER, Button, Card, custom_id, embed, timestamp
from bot.core.permissions import Actor, is_moderator
from bot.safety.card import server_crisis_card
from bot.safety.resources import INTERNATIONAL, crisis_card
from bot.screening.words import word_settings
from cogs.common.components import PersistentComponent, run_safely, send_card
from cogs.common.context import NO_PINGS, guild_settings, reply
from cogs.common.modals import custom_id_of, modal_choices, modal_values

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot

log = logging.getLogger(__name__)

# The report form: custom_id("casereport", channel id, message id), answered in on_interaction.
REPORT_MODAL = re.compile(r"^pc:casereport:(\d+):(\d+)$")
# A reported message's copy waits this long for its form to come back, then is forgotten.
SNAPSHOT_TTL = timedelta(minutes=15)
# Member-facing limits, with discord.py's cooldown machinery: reports and reach-outs per member.
REPORTS_PER_HOUR = 5
REACH_OUTS_PER_HOUR = 3


class Limiter:
    """One ``app_commands.Cooldown`` per (server, member): discord.py's bucket, our kind words."""

    def __init__(self, rate: int, per: float) -> None:
        self.rate, self.per = rate, per
        self._buckets: dict[tuple[int, int], app_commands.Cooldown] = {}

    def hit(self, guild_id: int, user_id: int) -> float | None:
        """Count one use; the seconds to wait when over the limit (the use is then not counted)."""
        bucket = self._buckets.setdefault((guild_id, user_id), app_commands.Cooldown(self.rate, self.per))
        return bucket.update_rate_limit()


def cooldown_text(retry_after: float, now: Any) -> str:
    from datetime import timedelta
    return COOLDOWN.format(when=timestamp(now + timedelta(seconds=retry_after), "R"))


class CaseMembers(commands.Cog):
    component_actions: ClassVar[dict[str, str]] = {"casereach": "on_talk_now"}

    def __init__(self, bot: PeerCirclesBot) -> None:
        self.bot = bot
        self.report_limit = Limiter(REPORTS_PER_HOUR, 3600)
        self.reach_limit = Limiter(REACH_OUTS_PER_HOUR, 3600)
        # Snapshots taken when the menu was used (report time), until the modal comes back or
        # SNAPSHOT_TTL passes: (the copy, the story number of a story's post, when it was taken).
        self._snapshots: dict[tuple[int, int], tuple[MessageSnapshot, int | None, datetime]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.report_menu = app_commands.ContextMenu(name="Report to moderators", callback=self.report_message)
        self.report_menu.guild_only = True

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(PersistentComponent)
        self.bot.tree.add_command(self.report_menu)
        self.bot.outbox.register_fallback(PENDING_FALLBACK, pending_fallback(self.bot.clock))

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.report_menu.name, type=self.report_menu.type)

    async def _crisis_embed(self, guild_id: int) -> dict[str, Any]:
        return await server_crisis_card(self.bot.db, guild_id)

    # -- Report to moderators ---------------------------------------------------------------------------

    def _forget_old_snapshots(self) -> None:
        cutoff = self.bot.clock.now() - SNAPSHOT_TTL
        for key in [k for k, (_, _, taken) in self._snapshots.items() if taken < cutoff]:
            del self._snapshots[key]

    def _snapshot_of(self, message: discord.Message, channel_id: int) -> tuple[MessageSnapshot, int | None]:
        """The copy kept with the report, and the story number when it is a story's post; the bot's
        other messages are not reported (a "worried" report would otherwise DM the bot)."""
        story_number = None
        if self.bot.user is not None and message.author.id == self.bot.user.id:
            story_number = story_number_of([dict(e.to_dict()) for e in message.embeds])
            if story_number is None:
                raise UserFacingError(REPORT_BOT)
        return MessageSnapshot(message.id, channel_id, message.author.id, message.content or "", message.jump_url,
                               iso_utc(message.created_at)), story_number

    async def report_message(self, interaction: discord.Interaction, message: discord.Message) -> None:
        assert interaction.guild_id is not None
        if (await guild_settings(self.bot, interaction.guild_id)).queue_channel_id is None:
            raise UserFacingError(NOT_SET_UP)
        if message.author.id == interaction.user.id:
            raise UserFacingError(REPORT_SELF)
        snapshot, story_number = self._snapshot_of(message, message.channel.id)
        if await find_by_dedupe_key(self.bot.db, interaction.guild_id, report_key(message.id)) is not None:
            await reply(interaction, REPORT_DUPLICATE)
            return
        self._forget_old_snapshots()
        self._snapshots[(interaction.user.id, message.id)] = (snapshot, story_number, self.bot.clock.now())
        modal = discord.ui.Modal(title="Report to moderators",
                                 custom_id=custom_id("casereport", message.channel.id, message.id))
        modal.add_item(discord.ui.Label(text="What kind of problem is it?", component=discord.ui.Select(
            custom_id="category",
            options=[discord.SelectOption(label=v, value=k) for k, v in REPORT_CATEGORIES.items()],
        )))
        modal.add_item(discord.ui.Label(text="Anything moderators should know? (optional)",
                                        component=discord.ui.TextInput(custom_id="details", required=False,
                                                                       style=discord.TextStyle.paragraph,
                                                                       max_length=1000)))
        await interaction.response.send_modal(modal)

    async def report_from_modal(self, interaction: discord.Interaction, channel_id: int, message_id: int) -> None:
        assert interaction.guild is not None
        category = (modal_choices(interaction).get("category") or [""])[0]
        details = modal_values(interaction).get("details", "")
        gid = interaction.guild.id
        if await find_by_dedupe_key(self.bot.db, gid, report_key(message_id)) is not None:
            await reply(interaction, REPORT_DUPLICATE)
            return
        urgent = category == "worried" or screening.screen(details).crisis == "crisis"
        wait = self.report_limit.hit(gid, interaction.user.id)
        if wait is not None and not urgent:  # a crisis is never rate-limited away from the moderators
            await reply(interaction, cooldown_text(wait, self.bot.clock.now()))
            return
        self._forget_old_snapshots()
        kept = self._snapshots.pop((interaction.user.id, message_id), None)
        snapshot, story_number = (kept[0], kept[1]) if kept is not None else await self._fetch_snapshot(
            interaction.guild, channel_id, message_id)
        filed = await file_report(self.bot.db, self.bot.clock, self.bot.outbox, guild_id=gid,
                                  reporter_id=interaction.user.id, category=category, details=details,
                                  message=snapshot, crisis_embed=await self._crisis_embed(gid),
                                  server_name=interaction.guild.name, story_number=story_number)
        if not filed.new:
            await reply(interaction, REPORT_DUPLICATE)
            return
        log.info("case report filed guild_id=%s case_id=%s category=%s", gid, filed.case_id, category)
        await self._reply_with_crisis(interaction, REPORT_THANKS, filed.crisis)

    async def _fetch_snapshot(self, guild: discord.Guild, channel_id: int,
                              message_id: int) -> tuple[MessageSnapshot, int | None]:
        channel = guild.get_channel_or_thread(channel_id)
        try:
            if not isinstance(channel, discord.abc.Messageable):
                raise discord.NotFound  # type: ignore[call-arg]
            message = await channel.fetch_message(message_id)
        except (discord.HTTPException, TypeError):
            raise UserFacingError(REPORT_GONE) from None
        return self._snapshot_of(message, channel_id)

    async def _reply_with_crisis(self, interaction: discord.Interaction, text: str,
                                 crisis: CrisisResponse | None) -> None:
        if crisis is not None and crisis.show_card and crisis.card is not None:
            await send_card(interaction, Card(content=text, embeds=crisis.card.embeds, rows=crisis.card.rows))
        else:
            await reply(interaction, text)

    # -- /reach-out and "Talk to a moderator now" --------------------------------------------------------

    @app_commands.command(name="reach-out", description="Ask a moderator or facilitator for a private talk")
    @app_commands.describe(what="What's going on (optional; only the moderators see it)",
                           urgency="Whether you need someone now")
    @app_commands.choices(urgency=[app_commands.Choice(name="Talk when someone's free", value="normal"),
                                   app_commands.Choice(name="I need someone now", value="urgent")])
    @app_commands.guild_only()
    async def reach_out_command(self, interaction: discord.Interaction, what: app_commands.Range[str, 0, 1000] = "",
                                urgency: app_commands.Choice[str] | None = None) -> None:
        await self.open_reach_out(interaction, interaction.guild_id or 0, what,
                                  urgency is not None and urgency.value == "urgent")

    async def on_talk_now(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        guild_id = int(args[0]) if args and args[0].isdigit() else 0
        await self.open_reach_out(interaction, guild_id, "", True)

    async def open_reach_out(self, interaction: discord.Interaction, guild_id: int, what: str, urgent: bool) -> None:
        guild = self.bot.get_guild(guild_id)
        if guild is None or guild.get_member(interaction.user.id) is None:
            raise UserFacingError(REACH_OUT_NO_SERVER)
        if (await guild_settings(self.bot, guild_id)).queue_channel_id is None:
            raise UserFacingError(NOT_SET_UP)
        crisis = screening.screen(what).crisis if what else "none"
        wait = self.reach_limit.hit(guild_id, interaction.user.id)
        if wait is not None and not urgent and crisis != "crisis":
            await reply(interaction, cooldown_text(wait, self.bot.clock.now()))
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        answered()  # deferred: the case's writes may wait out a busy database (never drop a request)
        settings = await guild_settings(self.bot, guild_id)
        thread = await self._private_thread(interaction, guild, urgent)
        relay = None if thread is not None else await self._relay_thread(guild, settings.queue_channel_id,
                                                                         interaction.user)
        where = thread or relay
        result = await reach_out(self.bot.db, self.bot.clock, self.bot.outbox, guild_id=guild_id,
                                 user_id=interaction.user.id, text=what, urgent=urgent,
                                 crisis_embed=await self._crisis_embed(guild_id), server_name=guild.name,
                                 link=where.mention if where else None, thread_id=where.id if where else None,
                                 relay=relay is not None)
        log.info("case reach-out guild_id=%s case_id=%s urgent=%s thread=%s", guild_id, result.case_id,
                 result.urgent, thread is not None)
        if thread is not None:
            await self._open_thread(thread, interaction.user.id, settings.oncall_role_id, result.case_id, guild_id)
            text = (REACH_OUT_URGENT_THREAD if result.urgent else REACH_OUT_THREAD).format(thread=thread.mention)
        elif relay is not None:
            async with self.bot.db.transaction() as conn:
                await self.bot.outbox.enqueue(
                    conn, key=f"case:{result.case_id}:relay", kind="case_relay", guild_id=guild_id,
                    target_kind="channel", target_id=relay.id,
                    payload={"content": RELAY_OPENED.format(user=interaction.user.id, case_id=result.case_id),
                             "allowed_mentions": {"parse": []}})
            text = REACH_OUT_RELAY.format(server=guild.name)
        else:
            text = REACH_OUT_NO_RELAY.format(server=guild.name)
        await self._reply_with_crisis(interaction, text, result.crisis)

    async def _private_thread(self, interaction: discord.Interaction, guild: discord.Guild,
                              urgent: bool) -> discord.Thread | None:
        """A private thread under the channel the member is in; None where that's impossible (DMs,
        a thread, missing permissions): the DM relay then."""
        channel = interaction.channel
        if interaction.guild_id != guild.id or not isinstance(channel, discord.TextChannel):
            return None
        name = ("Urgent: " if urgent else "") + f"talking with a moderator ({interaction.user.display_name})"
        try:
            return await channel.create_thread(name=name[:100], type=discord.ChannelType.private_thread,
                                               invitable=False, reason="case: reach-out")
        except discord.HTTPException as exc:
            log.warning("reach-out thread not created guild_id=%s status=%s", guild.id, exc.status)
            return None

    async def _relay_thread(self, guild: discord.Guild, queue_channel_id: int | None,
                            user: discord.User | discord.Member) -> discord.Thread | None:
        """A thread under the (moderators-only) queue channel for the DM relay."""
        channel = guild.get_channel(queue_channel_id or 0)
        if not isinstance(channel, discord.TextChannel):
            return None
        try:
            return await channel.create_thread(name=f"Relay with {user.display_name}"[:100],
                                               type=discord.ChannelType.public_thread, reason="case: DM relay")
        except discord.HTTPException as exc:
            log.warning("relay thread not created guild_id=%s status=%s", guild.id, exc.status)
            return None

    async def _open_thread(self, thread: discord.Thread, user_id: int, oncall_role_id: int | None, case_id: int,
                           guild_id: int) -> None:
        duty = await on_duty(self.bot.db.conn, guild_id, self.bot.clock.now())
        for uid in [user_id, *duty]:
            try:
                await thread.add_user(discord.Object(uid))
            except discord.HTTPException as exc:
                log.warning("reach-out thread member not added case_id=%s status=%s", case_id, exc.status)
        roles = [f"<@&{oncall_role_id}>"] if oncall_role_id else []
        pings = " ".join([f"<@{user_id}>", *(f"<@{u}>" for u in duty), *roles])
        payload = {"content": f"{pings} This is a private space for case #{case_id}. A moderator will be here soon.",
                   "allowed_mentions": {"parse": [], "users": [str(u) for u in [user_id, *duty]],
                                        "roles": [str(oncall_role_id)] if oncall_role_id else []}}
        async with self.bot.db.transaction() as conn:
            await self.bot.outbox.enqueue(conn, key=f"case:{case_id}:thread", kind="case_thread", guild_id=guild_id,
                                          target_kind="channel", target_id=thread.id, payload=payload)

    # -- /support ---------------------------------------------------------------------------------------

    @app_commands.command(name="support", description="Crisis lines and a private way to reach a moderator, any time")
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    @app_commands.allowed_installs(guilds=True, users=False)
    async def support(self, interaction: discord.Interaction) -> None:
        await send_card(interaction, await self._support_card(interaction.user.id, interaction.guild_id))

    def _shared_guilds(self, user_id: int) -> list[discord.Guild]:
        return [g for g in self.bot.guilds if g.get_member(user_id) is not None]

    async def _support_card(self, user_id: int, guild_id: int | None, content: str = "") -> Card:
        """The /support card: the server's crisis lines and "Talk to a moderator now"; in DMs the one
        server the member shares with the bot, else the international lines (no server to ask)."""
        in_dm = guild_id is None
        note = ""
        if guild_id is None:
            shared = self._shared_guilds(user_id)
            if len(shared) == 1:
                guild_id = shared[0].id
            else:
                note = SUPPORT_NOTE_SEVERAL
        if guild_id is not None:
            card_embed = await self._crisis_embed(guild_id)
            guild = self.bot.get_guild(guild_id)
            title = f"{SUPPORT_TITLE} ({guild.name})" if in_dm and guild is not None else SUPPORT_TITLE
            reachable = (await guild_settings(self.bot, guild_id)).queue_channel_id is not None
            rows: tuple[tuple[Button, ...], ...] = (
                ((Button(custom_id("casereach", guild_id), TALK_NOW, DANGER),),) if reachable else ())
        else:
            card_embed, title, rows = crisis_card(INTERNATIONAL), SUPPORT_TITLE, ()
        intro = embed(title, SUPPORT_TEXT + (f"\n\n{note}" if note else ""))
        return Card(content=content, embeds=(intro, card_embed), rows=rows)

    # -- crisis language and profanity in circle chat ------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or not message.content:
            return
        if message.guild is None:
            await self._from_dm(message)
            return
        guild = message.guild
        parent_id = None
        if isinstance(message.channel, discord.Thread):
            if await relay_of_thread(self.bot.db, guild.id, message.channel.id) is not None:
                await self._relay_from_moderator(message)
                return
            parent_id = message.channel.parent_id
        source = await screened_source(self.bot.db, guild.id, message.channel.id, parent_id)
        if source is None:
            return
        where = "a story's thread" if source == "story_thread" else "circle chat"
        snapshot = {"message_id": message.id, "channel_id": message.channel.id, "author_id": message.author.id,
                    "content": message.content, "link": message.jump_url, "created_at": iso_utc(message.created_at)}
        words = await word_settings(self.bot.db, guild.id)
        verdict = screening.screen(message.content, words)
        if verdict.crisis in ("crisis", "concern"):
            card_embed = await self._crisis_embed(guild.id)
            async with self.bot.db.transaction() as conn:
                result = await respond_to_crisis(
                    conn, self.bot.clock, self.bot.outbox, guild_id=guild.id, user_id=message.author.id,
                    level=verdict.crisis, source=source, crisis_embed=card_embed, server_name=guild.name,
                    can_reply_privately=False, summary=f"crisis language in {where}" if verdict.crisis == "crisis"
                    else f"concern in {where}", snapshot=snapshot, dedupe_key=f"chat:{message.id}")
            log.info("case crisis response guild_id=%s level=%s case_id=%s card_dm=%s source=%s", guild.id,
                     result.level, result.case_id, result.dm_queued, source)
        if verdict.slur:
            # A slur aimed at people always reaches the moderators, whatever the profanity setting.
            async with self.bot.db.transaction() as conn:
                opened = await open_case(
                    conn, self.bot.clock, guild_id=guild.id, kind="slur", urgency="normal", source=source,
                    subject_user_id=message.author.id, summary=f"a slur in {where}", snapshot=snapshot,
                    dedupe_key=f"slur:{message.id}", outbox=self.bot.outbox)
            log.info("case slur guild_id=%s case_id=%s", guild.id, opened.case_id)
        if verdict.profane:
            settings = await case_settings(self.bot.db.conn, guild.id)
            if settings.profanity_mode == "remove":
                await self._remove_profanity(message)

    async def _from_dm(self, message: discord.Message) -> None:
        relay = await relay_of_member(self.bot.db, message.author.id)
        if relay is not None:
            await self._relay_from_member(message, relay)
            return
        # No open relay: nobody reads this DM, so it is screened and answered here.
        level = screening.screen(message.content).crisis
        if level not in ("crisis", "concern"):
            return
        shared = self._shared_guilds(message.author.id)
        case_id = None
        if level == "crisis" and len(shared) == 1:
            guild = shared[0]
            card_embed = await self._crisis_embed(guild.id)
            async with self.bot.db.transaction() as conn:
                result = await respond_to_crisis(
                    conn, self.bot.clock, self.bot.outbox, guild_id=guild.id, user_id=message.author.id,
                    level=level, source="dm", crisis_embed=card_embed, server_name=guild.name,
                    can_reply_privately=True, summary="crisis language in a direct message to the bot",
                    snapshot={"message_id": message.id, "author_id": message.author.id, "content": message.content,
                              "created_at": iso_utc(message.created_at)},
                    dedupe_key=f"dm:{message.id}")
            case_id = result.case_id
        card = await self._support_card(message.author.id, None, DM_SCREENED)
        try:
            await message.channel.send(
                content=card.content or None, embeds=[discord.Embed.from_dict(e) for e in card.embeds],
                view=_view(card) if card.rows else discord.utils.MISSING, allowed_mentions=NO_PINGS)
        except discord.HTTPException as exc:
            log.warning("crisis card not sent in a DM status=%s case_id=%s", exc.status, case_id)
        log.info("case DM screened level=%s case_id=%s servers=%s", level, case_id, len(shared))

    async def _relay_from_member(self, message: discord.Message, relay: Relay) -> None:
        guild = self.bot.get_guild(relay.guild_id)
        verdict = screening.screen(message.content).crisis
        card_embed = await self._crisis_embed(relay.guild_id) if verdict != "none" else {}
        async with self.bot.db.transaction() as conn:
            await relay_in(conn, self.bot.outbox, relay, message.id, message.content)
            if verdict != "none":
                await respond_to_crisis(conn, self.bot.clock, self.bot.outbox, guild_id=relay.guild_id,
                                        user_id=message.author.id, level=verdict, source="help_request",
                                        crisis_embed=card_embed, server_name=guild.name if guild else "",
                                        can_reply_privately=False, case_id=relay.case_id)
        log.info("case relay in case_id=%s", relay.case_id)

    async def _relay_from_moderator(self, message: discord.Message) -> None:
        assert message.guild is not None
        relay = await relay_of_thread(self.bot.db, message.guild.id, message.channel.id)
        member = message.author
        if relay is None or not isinstance(member, discord.Member):
            return
        actor = Actor(member.id, frozenset(r.id for r in member.roles), member.guild_permissions.value,
                      is_owner=message.guild.owner_id == member.id)
        if not is_moderator(actor, await guild_settings(self.bot, message.guild.id)):
            return
        async with self.bot.db.transaction() as conn:
            await relay_out(conn, self.bot.outbox, relay, message.id, message.content, message.guild.name)
        log.info("case relay out case_id=%s", relay.case_id)

    async def _remove_profanity(self, message: discord.Message) -> None:
        assert message.guild is not None
        try:
            await message.delete()
        except discord.HTTPException as exc:
            log.warning("profane message not removed guild_id=%s status=%s", message.guild.id, exc.status)
            return
        card = Card(content=PROFANITY_REMOVED.format(server=message.guild.name))
        async with self.bot.db.transaction() as conn:
            await self.bot.outbox.enqueue(conn, key=f"case:profanity:{message.id}", kind="case_profanity",
                                          guild_id=message.guild.id, target_kind="dm", target_id=message.author.id,
                                          payload=card.to_payload())

    # -- modals and cards waiting for the next interaction ---------------------------------------------------

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if interaction.type is discord.InteractionType.modal_submit:
            match = REPORT_MODAL.match(custom_id_of(interaction))
            if match is not None:
                await run_safely(interaction, self.report_from_modal(interaction, int(match.group(1)),
                                                                     int(match.group(2))), "case_report_modal")
        if interaction.type is discord.InteractionType.autocomplete:
            return
        if await has_pending(self.bot.db.conn, interaction.user.id, interaction.guild_id):
            task = asyncio.create_task(self.show_pending(interaction))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def show_pending(self, interaction: discord.Interaction) -> None:
        """Once the interaction is answered (not with a modal), add the waiting card as an ephemeral follow-up."""
        for _ in range(280):
            if interaction.response.is_done():
                break
            await asyncio.sleep(0.01)
        if not interaction.response.is_done() or interaction.response.type is discord.InteractionResponseType.modal:
            return  # the next interaction will show it
        async with self.bot.db.transaction() as conn:
            # This server's card only; in DMs (no server) any server's.
            taken = await take_pending(conn, interaction.user.id, interaction.guild_id)
        if taken is None:
            return
        guild_id, level = taken
        guild = self.bot.get_guild(guild_id)
        card = member_card(level, await self._crisis_embed(guild_id), guild_id=guild_id,
                           server_name=guild.name if guild else "your server")
        try:
            await interaction.followup.send(embeds=[discord.Embed.from_dict(e) for e in card.embeds], ephemeral=True,
                                            view=_view(card))
        except discord.HTTPException as exc:
            log.warning("pending crisis card not shown guild_id=%s status=%s", guild_id, exc.status)
            async with self.bot.db.transaction() as conn:
                await mark_pending(conn, self.bot.clock, guild_id, interaction.user.id, level)


def _view(card: Card) -> discord.ui.View:
    from cogs.common.components import card_view
    view = card_view(card)
    assert view is not None
    return view
