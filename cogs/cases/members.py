"""Members' side of cases: "Report to moderators" (message menu), /reach-out, /support (servers and
DMs), "Talk to a moderator now", crisis language in circle chat, and cards waiting for a member's
next interaction. Rules live in bot.cases; this parses, checks, renders."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from bot import screening
from bot.cases.chat import ChatMessage, answer_chat_message
from bot.cases.crisis import (
    CrisisResponse,
    forget_member,
    has_pending,
    mark_pending,
    member_card,
    respond_to_crisis,
    take_pending,
)
from bot.cases.paging import MAX_PEOPLE, emergency_page, record_page, thread_page
from bot.cases.records import case_number, find_by_dedupe_key
from bot.cases.relay import Relay, relay_in, relay_in_server, relay_of_thread, relay_out, relays_of_member
from bot.cases.reports import (
    MessageSnapshot,
    file_report,
    open_reach_out_case,
    reach_out,
    report_key,
    story_number_of,
)
from bot.cases.wording import (
    COOLDOWN,
    DM_SCREENED,
    NOT_SET_UP,
    PROFANITY_REMOVED,
    REACH_OUT_ALREADY,
    REACH_OUT_NO_RELAY,
    REACH_OUT_NO_SERVER,
    REACH_OUT_RELAY,
    REACH_OUT_RELAY_ALREADY,
    REACH_OUT_THREAD,
    REACH_OUT_URGENT_THREAD,
    RELAY_GONE,
    RELAY_MESSAGE_GONE,
    RELAY_OPENED,
    RELAY_PICKED,
    RELAY_WHICH,
    REPORT_BOT,
    REPORT_CATEGORIES,
    REPORT_DUPLICATE,
    REPORT_GONE,
    REPORT_SELF,
    REPORT_THANKS,
    SUPPORT_NOTE_SEVERAL,
    SUPPORT_PICK_SERVER,
    SUPPORT_TEXT,
    SUPPORT_TITLE,
    TALK_NOW,
    URGENT_COOLDOWN,
    WORRIED_COOLDOWN,
    emergency_text,
    thread_greeting,
)
from bot.core.clock import iso_utc
from bot.core.db import answered
from bot.core.errors import UserFacingError
from bot.core.messages import DANGER, Button, Card, custom_id, embed, rows_of, timestamp
from bot.core.permissions import Actor, is_moderator
from bot.members import servers as member_servers
from bot.safety.card import server_crisis_card
from bot.safety.resources import INTERNATIONAL, crisis_card
from cogs.cases.common import GuildDirectory, refresh_queue_message
from cogs.common.components import Action, PersistentComponent, card_view, form, send_card
from cogs.common.context import NO_PINGS, guild_settings, reply
from cogs.common.modals import modal_choices, modal_values

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot

log = logging.getLogger(__name__)

# A reported message's copy waits this long for its form to come back, then is forgotten.
SNAPSHOT_TTL = timedelta(minutes=15)
# Member-facing limits, with discord.py's cooldown machinery: reports and reach-outs per member.
REPORTS_PER_HOUR = 5
REACH_OUTS_PER_HOUR = 3
# Urgent requests (/reach-out "I need someone now", "Talk to a moderator now") and "worried about
# someone" reports have limits of their own, per member and server; a member's own crisis words are
# never limited. A second press while a request is open answers with it and counts nothing.
URGENT_REACH_OUTS_PER_HOUR = 3
WORRIED_REPORTS_PER_HOUR = 3
# A member with relays open in several servers picks one for a DM; later DMs go there this long.
RELAY_CHOICE_KEPT = timedelta(minutes=30)


class Limiter:
    """One ``app_commands.Cooldown`` per (server, member): discord.py's bucket, our kind words."""

    def __init__(self, rate: int, per: float) -> None:
        self.rate, self.per = rate, per
        self._buckets: dict[tuple[int, int], app_commands.Cooldown] = {}

    def hit(self, guild_id: int, user_id: int) -> float | None:
        """Count one use; the seconds to wait when over the limit (the use is then not counted)."""
        bucket = self._buckets.setdefault((guild_id, user_id), app_commands.Cooldown(self.rate, self.per))
        return bucket.update_rate_limit()


def cooldown_text(retry_after: float, now: Any, words: str = COOLDOWN) -> str:
    return words.format(when=timestamp(now + timedelta(seconds=retry_after), "R"))


class CaseMembers(commands.Cog):
    # The report form is custom_id("casereport", channel id, message id).
    component_actions: ClassVar[dict[str, str | Action]] = {
        "casereach": "on_talk_now", "relaypick": "on_relay_pick", "casereport": form("report_from_modal", "member")}

    def __init__(self, bot: PeerCirclesBot) -> None:
        self.bot = bot
        self.report_limit = Limiter(REPORTS_PER_HOUR, 3600)
        self.reach_limit = Limiter(REACH_OUTS_PER_HOUR, 3600)
        self.urgent_limit = Limiter(URGENT_REACH_OUTS_PER_HOUR, 3600)
        self.worried_limit = Limiter(WORRIED_REPORTS_PER_HOUR, 3600)
        # One reach-out at a time per (server, member): a double press waits for the first.
        self._reaching: dict[tuple[int, int], asyncio.Lock] = {}
        # The relay a member picked for their DMs (when several are open): case id, when picked.
        self._relay_choice: dict[int, tuple[int, datetime]] = {}
        # Snapshots taken when the menu was used (report time), until the modal comes back or
        # SNAPSHOT_TTL passes: (the copy, the story number of a story's post, when it was taken).
        self._snapshots: dict[tuple[int, int], tuple[MessageSnapshot, int | None, datetime]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.report_menu = app_commands.ContextMenu(name="Report to moderators", callback=self.report_message)
        self.report_menu.guild_only = True

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(PersistentComponent)
        self.bot.tree.add_command(self.report_menu)

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

    async def report_from_modal(self, interaction: discord.Interaction, args: list[str]) -> None:
        channel_id, message_id = int(args[0]), int(args[1])
        assert interaction.guild is not None
        category = (modal_choices(interaction).get("category") or [""])[0]
        details = modal_values(interaction).get("details", "")
        gid = interaction.guild.id
        if await find_by_dedupe_key(self.bot.db, gid, report_key(message_id)) is not None:
            await reply(interaction, REPORT_DUPLICATE)
            return
        # The reporter's own crisis words are never limited; "worried" reports have their own limit.
        own_crisis = (await screening.screen_async(details)).crisis == "crisis"
        worried = category == "worried"
        wait = None if own_crisis else (self.worried_limit if worried else self.report_limit).hit(
            gid, interaction.user.id)
        if wait is not None:
            await reply(interaction, cooldown_text(wait, self.bot.clock.now(),
                                                   WORRIED_COOLDOWN if worried else COOLDOWN))
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
        """"Talk to a moderator now" (``casereach:<server>``; ``:crisis`` on the card answering crisis
        words in a DM, when the member picked this server among several)."""
        guild_id = int(args[0]) if args and args[0].isdigit() else 0
        await self.open_reach_out(interaction, guild_id, "", True, talk_now=True,
                                  crisis_dm=len(args) > 1 and args[1] == "crisis")

    async def open_reach_out(self, interaction: discord.Interaction, guild_id: int, what: str, urgent: bool, *,
                             talk_now: bool = False, crisis_dm: bool = False) -> None:
        # From a DM the member's server may be held by another process (a shard range): who is in
        # which server comes from the database then, and the server is reached by its ids alone.
        guild = self.bot.get_guild(guild_id)
        if guild is not None:
            if guild.get_member(interaction.user.id) is None:
                raise UserFacingError(REACH_OUT_NO_SERVER)
            where = _Server(guild_id, guild.name, guild)
        elif guild_id and await member_servers.is_member(self.bot.db, guild_id, interaction.user.id):
            where = _Server(guild_id, await self._server_name(guild_id) or "your server", None)
        else:
            raise UserFacingError(REACH_OUT_NO_SERVER)
        if (await guild_settings(self.bot, guild_id)).queue_channel_id is None:
            raise UserFacingError(NOT_SET_UP)
        lock = self._reaching.setdefault((guild_id, interaction.user.id), asyncio.Lock())
        if lock.locked() and not interaction.response.is_done():
            await interaction.response.defer(ephemeral=True, thinking=True)  # a double press: wait for the first
            answered()
        async with lock:
            await self._reach_out(interaction, where, what, urgent, talk_now=talk_now, crisis_dm=crisis_dm)
        if not lock.locked() and len(self._reaching) > 1000:
            self._reaching = {k: v for k, v in self._reaching.items() if v.locked()}

    async def _reach_out(self, interaction: discord.Interaction, guild: _Server, what: str, urgent: bool, *,
                         talk_now: bool, crisis_dm: bool) -> None:
        guild_id, user_id = guild.id, interaction.user.id
        from_dm = interaction.guild_id != guild_id
        relay_open = await relay_in_server(self.bot.db, guild_id, user_id) if from_dm else None
        if relay_open is not None:  # one relay per (member, server): this request joins it
            if what:
                async with self.bot.db.transaction() as conn:
                    await relay_in(conn, self.bot.outbox, relay_open, interaction.id, what)
            await reply(interaction, REACH_OUT_RELAY_ALREADY.format(server=guild.name))
            log.info("case reach-out joined its relay guild_id=%s case_id=%s", guild_id, relay_open.case_id)
            return
        existing = await open_reach_out_case(self.bot.db, guild_id, user_id) if talk_now else None
        if existing is not None and existing.thread_id is not None:  # a second press: the same conversation
            await reply(interaction, REACH_OUT_ALREADY.format(server=guild.name, thread=f"<#{existing.thread_id}>"))
            log.info("case talk-now pressed again guild_id=%s case_id=%s", guild_id, existing.id)
            return
        crisis = (await screening.screen_async(what)).crisis if what else "none"
        if crisis != "crisis" and not crisis_dm:  # a member's own crisis words are never limited
            wait = (self.urgent_limit if urgent else self.reach_limit).hit(guild_id, user_id)
            if wait is not None:
                await self._reach_limited(interaction, guild_id, wait, urgent)
                return
        if not interaction.response.is_done():
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
                                 relay=relay is not None, crisis_dm=crisis_dm)
        log.info("case reach-out guild_id=%s case_id=%s urgent=%s thread=%s", guild_id, result.case_id,
                 result.urgent, thread is not None)
        if thread is not None:
            await self._open_thread(thread, interaction.user.id, result.urgent, result.case_id, guild_id)
            text = (REACH_OUT_URGENT_THREAD if result.urgent else REACH_OUT_THREAD).format(thread=thread.mention)
        elif relay is not None:
            async with self.bot.db.transaction() as conn:
                number = await case_number(conn, guild_id, result.case_id)
                await self.bot.outbox.enqueue(
                    conn, key=f"case:{result.case_id}:relay", kind="case_relay", guild_id=guild_id,
                    target_kind="channel", target_id=relay.id,
                    payload={"content": RELAY_OPENED.format(user=interaction.user.id, case_number=number),
                             "allowed_mentions": {"parse": []}})
            text = REACH_OUT_RELAY.format(server=guild.name)
        else:
            text = REACH_OUT_NO_RELAY.format(server=guild.name)
        await self._reply_with_crisis(interaction, text, result.crisis)

    async def _reach_limited(self, interaction: discord.Interaction, guild_id: int, wait: float,
                             urgent: bool) -> None:
        if not urgent:
            await reply(interaction, cooldown_text(wait, self.bot.clock.now()))
            return
        # An urgent request over its limit still gets the server's crisis lines.
        card = Card(content=cooldown_text(wait, self.bot.clock.now(), URGENT_COOLDOWN),
                    embeds=(await self._crisis_embed(guild_id),))
        await send_card(interaction, card)

    async def _private_thread(self, interaction: discord.Interaction, guild: _Server,
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

    async def _relay_thread(self, guild: _Server, queue_channel_id: int | None,
                            user: discord.User | discord.Member) -> discord.Thread | _ThreadRef | None:
        """A thread under the (moderators-only) queue channel for the DM relay. A server this process
        does not hold (another shard's) is reached over REST by the channel's id."""
        name = f"Relay with {user.display_name}"[:100]
        try:
            if guild.cached is None:
                if not queue_channel_id:
                    return None
                data = await self.bot.http.start_thread_without_message(
                    queue_channel_id, name=name, auto_archive_duration=1440,
                    type=discord.ChannelType.public_thread.value, reason="case: DM relay")
                return _ThreadRef(int(data["id"]))
            channel = guild.cached.get_channel(queue_channel_id or 0)
            if not isinstance(channel, discord.TextChannel):
                return None
            return await channel.create_thread(name=name, type=discord.ChannelType.public_thread,
                                               reason="case: DM relay")
        except discord.HTTPException as exc:
            log.warning("relay thread not created guild_id=%s status=%s", guild.id, exc.status)
            return None

    async def _open_thread(self, thread: discord.Thread, user_id: int, urgent: bool, case_id: int,
                           guild_id: int) -> None:
        """Add the member and whom the chain reaches (at most MAX_PEOPLE) and greet them by name."""
        page = await thread_page(self.bot.db.reader, guild_id, self.bot.clock.now(), urgent=urgent)
        added: list[int] = []
        for uid in dict.fromkeys([user_id, *page.people[:MAX_PEOPLE]]):
            try:
                await thread.add_user(discord.Object(uid))
                added.append(uid)
            except discord.HTTPException as exc:
                log.warning("reach-out thread member not added case_id=%s status=%s", case_id, exc.status)
        helpers = len([u for u in added if u != user_id])
        pings = " ".join(f"<@{u}>" for u in added)
        async with self.bot.db.transaction() as conn:
            number = await case_number(conn, guild_id, case_id)
            payload = {"content": f"{pings} {thread_greeting(number or 0, page, helpers)}",
                       "allowed_mentions": {"parse": [], "users": [str(u) for u in added]}}
            await self.bot.outbox.enqueue(conn, key=f"case:{case_id}:thread", kind="case_thread", guild_id=guild_id,
                                          target_kind="channel", target_id=thread.id, payload=payload)
            if page.step != "nobody":
                await record_page(conn, iso_utc(self.bot.clock.now()), guild_id=guild_id, case_id=case_id,
                                  what=f"reach-out thread, {helpers} added", page=page)

    # -- /support ---------------------------------------------------------------------------------------

    @app_commands.command(name="support", description="Crisis lines and a private way to reach a moderator, any time")
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    @app_commands.allowed_installs(guilds=True, users=False)
    async def support(self, interaction: discord.Interaction) -> None:
        await send_card(interaction, await self._support_card(interaction.user.id, interaction.guild_id))

    async def _shared_guilds(self, user_id: int) -> list[member_servers.MemberServer]:
        """The member's servers: those this process holds from its cache (up to the last event), the
        others from the database, since with several processes by shard range a DM reaches shard 0's
        process while the member's server may be another's (bot.members.servers)."""
        held = {g.id for g in self.bot.guilds}
        found = [member_servers.MemberServer(g.id, g.name) for g in self.bot.guilds if g.get_member(user_id)]
        found += [s for s in await member_servers.servers_of(self.bot.db, user_id) if s.guild_id not in held]
        return sorted(found, key=lambda s: (s.name.lower(), s.guild_id))

    async def _server_name(self, guild_id: int) -> str | None:
        """A server's name: from the cache when this process holds it, else as last recorded."""
        guild = self.bot.get_guild(guild_id)
        return guild.name if guild is not None else await member_servers.server_name(self.bot.db, guild_id)

    async def _support_card(self, user_id: int, guild_id: int | None, content: str = "", *,
                            crisis: bool = False) -> Card:
        """The /support card: the server's crisis lines and "Talk to a moderator now"; in DMs the one
        server the member shares with the bot, else the international lines and a "Talk to a
        moderator of <server>" button per shared server (set up), so the member picks whom to ask.
        ``crisis``: answering crisis words in a DM (the case then opens where the member picks)."""
        in_dm = guild_id is None
        note = ""
        if guild_id is None:
            shared = await self._shared_guilds(user_id)
            if len(shared) == 1:
                guild_id = shared[0].guild_id
            else:
                note = SUPPORT_NOTE_SEVERAL
                buttons = [Button(custom_id("casereach", g.guild_id, *(["crisis"] if crisis else [])),
                                  SUPPORT_PICK_SERVER.format(server=g.name), DANGER)
                           for g in shared if (await guild_settings(self.bot, g.guild_id)).queue_channel_id is not None]
                intro = embed(SUPPORT_TITLE, SUPPORT_TEXT + f"\n\n{note}")
                return Card(content=content, embeds=(intro, crisis_card(INTERNATIONAL)), rows=rows_of(buttons))
        if guild_id is not None:
            card_embed = await self._crisis_embed(guild_id)
            name = await self._server_name(guild_id) if in_dm else None
            title = f"{SUPPORT_TITLE} ({name})" if name else SUPPORT_TITLE
            reachable = (await guild_settings(self.bot, guild_id)).queue_channel_id is not None
            rows: tuple[tuple[Button, ...], ...] = (
                ((Button(custom_id("casereach", guild_id), TALK_NOW, DANGER),),) if reachable else ())
        else:
            card_embed, title, rows = crisis_card(INTERNATIONAL), SUPPORT_TITLE, ()
        intro = embed(title, SUPPORT_TEXT + (f"\n\n{note}" if note else ""))
        return Card(content=content, embeds=(intro, card_embed), rows=rows)

    # -- crisis language and profanity in circle chat ------------------------------------------------------

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        # case_member_state is kept "until you leave the server" (bot/cases/data_rights.py): tried
        # again later if the database is busy.
        guild_id, user_id = payload.guild_id, payload.user.id

        async def write() -> None:
            async with self.bot.db.transaction() as conn:
                await forget_member(conn, guild_id, user_id)

        await self.bot.busy_retries.run(("cases.member_left", guild_id, user_id), "cases.member_left", guild_id, write)

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
        await self._answer_chat(message, parent_id, edited=False)

    @commands.Cog.listener()
    async def on_message_edit(self, before: discord.Message, after: discord.Message) -> None:
        """An edit can add crisis words a message didn't have: screened again, answered once per tier."""
        if after.author.bot or not after.content or after.guild is None or before.content == after.content:
            return
        if isinstance(after.channel, discord.Thread):
            if await relay_of_thread(self.bot.db, after.guild.id, after.channel.id) is not None:
                return
            await self._answer_chat(after, after.channel.parent_id, edited=True)
        else:
            await self._answer_chat(after, None, edited=True)

    async def _answer_chat(self, message: discord.Message, parent_id: int | None, *, edited: bool) -> None:
        """bot.cases decides and enqueues; this only does what needs Discord itself."""
        assert message.guild is not None
        guild = message.guild
        answer = await answer_chat_message(self.bot.db, self.bot.clock, self.bot.outbox, ChatMessage(
            guild.id, guild.name, message.channel.id, parent_id, message.id, message.author.id, message.content,
            message.jump_url, iso_utc(message.created_at), edited))
        if answer.source is None:
            return
        if answer.failed and answer.card is not None:
            await self._without_database(message, answer.level, answer.card)
        log.info("case chat screened guild_id=%s message_id=%s level=%s case_id=%s failed=%s slur_case=%s edited=%s",
                 guild.id, message.id, answer.level, answer.crisis.case_id if answer.crisis else None, answer.failed,
                 answer.slur_case_id, edited)
        if answer.remove_profanity:
            await self._remove_profanity(message)

    async def _without_database(self, message: discord.Message, level: str, card: Card) -> None:
        """The database failed even after retries: the card by DM straight away and, for a crisis,
        a page straight to the queue channel for whom the chain reaches (no outbox: it needs the
        database). Settings come from Discord's cache where the database can't answer."""
        assert message.guild is not None
        try:
            await message.author.send(embeds=[discord.Embed.from_dict(e) for e in card.embeds], view=_view(card))
        except discord.HTTPException as exc:
            log.warning("crisis card not sent directly guild_id=%s status=%s", message.guild.id, exc.status)
        if level != "crisis":
            return
        page, queue_id = await emergency_page(self.bot.db, GuildDirectory(self.bot), message.guild.id)
        text = emergency_text(message.author.id, message.jump_url)
        try:
            if queue_id is not None and page.owner_dm is None:
                channel = self.bot.get_partial_messageable(queue_id, guild_id=message.guild.id)
                await channel.send(f"{text} {page.mentions()}", allowed_mentions=discord.AllowedMentions(
                    everyone=False, users=[discord.Object(u) for u in page.user_ids],
                    roles=[discord.Object(page.role_id)] if page.role_id else False))
                return
        except discord.HTTPException as exc:
            log.warning("emergency page not posted guild_id=%s status=%s", message.guild.id, exc.status)
        for uid in page.people[:MAX_PEOPLE] or ((message.guild.owner_id,) if message.guild.owner_id else ()):
            user = self.bot.get_user(uid)
            if user is not None:
                try:
                    await user.send(text, allowed_mentions=NO_PINGS)
                except discord.HTTPException as exc:
                    log.warning("emergency page DM failed guild_id=%s status=%s", message.guild.id, exc.status)

    async def _from_dm(self, message: discord.Message) -> None:
        relays = await relays_of_member(self.bot.db, message.author.id)
        if relays:
            relay = self._chosen_relay(message.author.id, relays)
            if relay is None:
                await self._ask_which_relay(message, relays)
            else:
                await self._relay_from_member(message, relay)
            return
        # No open relay: nobody reads this DM, so it is screened and answered here.
        level = (await screening.screen_async(message.content)).crisis
        if level not in ("crisis", "concern"):
            return
        shared = await self._shared_guilds(message.author.id)
        case_id = None
        if level == "crisis" and len(shared) == 1:
            guild = shared[0]
            card_embed = await self._crisis_embed(guild.guild_id)
            async with self.bot.db.transaction() as conn:
                result = await respond_to_crisis(
                    conn, self.bot.clock, self.bot.outbox, guild_id=guild.guild_id, user_id=message.author.id,
                    level=level, source="dm", crisis_embed=card_embed, server_name=guild.name,
                    can_reply_privately=True, summary="crisis language in a direct message to the bot",
                    snapshot={"message_id": message.id, "author_id": message.author.id, "content": message.content,
                              "created_at": iso_utc(message.created_at)},
                    dedupe_key=f"dm:{message.id}")
            case_id = result.case_id
        # Several servers: no case yet; the card's "Talk to a moderator of <server>" opens it there.
        card = await self._support_card(message.author.id, None, DM_SCREENED, crisis=level == "crisis")
        try:
            await message.channel.send(
                content=card.content or None, embeds=[discord.Embed.from_dict(e) for e in card.embeds],
                view=_view(card) if card.rows else discord.utils.MISSING, allowed_mentions=NO_PINGS)
        except discord.HTTPException as exc:
            log.warning("crisis card not sent in a DM status=%s case_id=%s", exc.status, case_id)
        log.info("case DM screened level=%s case_id=%s servers=%s", level, case_id, len(shared))

    def _chosen_relay(self, user_id: int, relays: list[Relay]) -> Relay | None:
        """The relay a DM goes to: the only one, or the one the member picked lately; None: ask."""
        if len(relays) == 1:
            return relays[0]
        chosen = self._relay_choice.get(user_id)
        if chosen is not None and self.bot.clock.now() - chosen[1] <= RELAY_CHOICE_KEPT:
            return next((r for r in relays if r.case_id == chosen[0]), None)
        return None

    async def _ask_which_relay(self, message: discord.Message, relays: list[Relay]) -> None:
        """Relays open in several servers: ask which server this DM is for before relaying it."""
        options = []
        for relay in relays[:25]:
            name = await self._server_name(relay.guild_id)
            options.append(discord.SelectOption(label=(name or f"Server {relay.guild_id}")[:100],
                                                value=str(relay.case_id)))
        select = PersistentComponent(discord.ui.Select(custom_id=custom_id("relaypick", message.id),
                                                       placeholder="Which server's moderators?", options=options))
        view = card_view(Card(), [select])
        try:
            await message.channel.send(RELAY_WHICH, view=view or discord.utils.MISSING, allowed_mentions=NO_PINGS)
        except discord.HTTPException as exc:
            log.warning("relay choice not asked status=%s", exc.status)
        log.info("case relay choice asked relays=%s", len(relays))

    async def on_relay_pick(self, interaction: discord.Interaction, args: list[str], values: list[str]) -> None:
        """The member picked the server a DM is for: relay that message there (and the next ones)."""
        relays = await relays_of_member(self.bot.db, interaction.user.id)
        relay = next((r for r in relays if values and str(r.case_id) == values[0]), None)
        if relay is None or not args or not args[0].isdigit():
            await send_card(interaction, Card(content=RELAY_GONE), edit=True)
            return
        try:
            if interaction.guild_id is not None or interaction.channel_id is None:
                raise TypeError  # the question is only ever asked in DMs
            channel = self.bot.get_partial_messageable(interaction.channel_id, type=discord.ChannelType.private)
            message = await channel.fetch_message(int(args[0]))
            if message.author.id != interaction.user.id:
                raise TypeError
        except (discord.HTTPException, TypeError):
            await send_card(interaction, Card(content=RELAY_MESSAGE_GONE), edit=True)
            return
        self._relay_choice[interaction.user.id] = (relay.case_id, self.bot.clock.now())
        name = await self._server_name(relay.guild_id)
        await send_card(interaction, Card(content=RELAY_PICKED.format(server=name or "that server")), edit=True)
        await self._relay_from_member(message, relay)

    async def _relay_from_member(self, message: discord.Message, relay: Relay) -> None:
        """The member's DM into their relay thread. Crisis words there get the crisis response as
        anywhere: an urgent crisis case announced in the queue with its ladder (the relay case is
        made urgent too, its thread linked), and the card by DM."""
        server_name = await self._server_name(relay.guild_id) or ""
        verdict = (await screening.screen_async(message.content)).crisis
        card_embed = await self._crisis_embed(relay.guild_id) if verdict != "none" else {}
        async with self.bot.db.transaction() as conn:
            await relay_in(conn, self.bot.outbox, relay, message.id, message.content)
            if verdict == "crisis":
                await conn.execute("UPDATE cases SET urgency = 'urgent' WHERE guild_id = ? AND id = ?",
                                   (relay.guild_id, relay.case_id))
                result = await respond_to_crisis(
                    conn, self.bot.clock, self.bot.outbox, guild_id=relay.guild_id, user_id=message.author.id,
                    level=verdict, source="dm", crisis_embed=card_embed, server_name=server_name,
                    can_reply_privately=False, summary=f"crisis language in the DM relay of case #{relay.number}",
                    snapshot={"message_id": message.id, "author_id": message.author.id, "content": message.content,
                              "created_at": iso_utc(message.created_at), "link": f"<#{relay.thread_id}>",
                              "relay_case": relay.case_id},
                    dedupe_key=f"dm:{message.id}")
                log.info("case crisis in a relay case_id=%s crisis_case_id=%s", relay.case_id, result.case_id)
            elif verdict != "none":
                await respond_to_crisis(conn, self.bot.clock, self.bot.outbox, guild_id=relay.guild_id,
                                        user_id=message.author.id, level=verdict, source="help_request",
                                        crisis_embed=card_embed, server_name=server_name,
                                        can_reply_privately=False, case_id=relay.case_id)
        if verdict == "crisis":
            await refresh_queue_message(self.bot, await guild_settings(self.bot, relay.guild_id), relay.case_id)
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
        if interaction.type is discord.InteractionType.autocomplete:
            return
        if await has_pending(self.bot.db.reader, interaction.user.id, interaction.guild_id):
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
        name = await self._server_name(guild_id)
        card = member_card(level, await self._crisis_embed(guild_id), guild_id=guild_id,
                           server_name=name or "your server")
        try:
            await interaction.followup.send(embeds=[discord.Embed.from_dict(e) for e in card.embeds], ephemeral=True,
                                            view=_view(card))
        except discord.HTTPException as exc:
            log.warning("pending crisis card not shown guild_id=%s status=%s", guild_id, exc.status)
            async with self.bot.db.transaction() as conn:
                await mark_pending(conn, self.bot.clock, guild_id, interaction.user.id, level)


@dataclass(frozen=True)
class _Server:
    """The server a reach-out goes to: its id and name, and its cached object when this process
    holds it (None: another process's shard; then it is reached by ids over REST)."""

    id: int
    name: str
    cached: discord.Guild | None


@dataclass(frozen=True)
class _ThreadRef:
    """A thread made over REST in a server this process does not hold: what the case needs of it."""

    id: int

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"


def _view(card: Card) -> discord.ui.View:
    from cogs.common.components import card_view
    view = card_view(card)
    assert view is not None
    return view
