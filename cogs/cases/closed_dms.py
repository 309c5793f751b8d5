"""Closed DMs: the crisis card offered at once in a private thread (rules in bot.cases.closed_dm).

The card DM's outbox fallback marks it pending and wants a thread; this makes the thread (private,
not invitable, named "Support") under the circle's text channel, adds the member and whom the
paging chain reaches, and hands the card to the outbox for the thread. Work left by a restart is
picked up when the bot is ready."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.cases import closed_dm
from bot.cases.crisis import PENDING_FALLBACK, pending_fallback
from bot.cases.paging import MAX_PEOPLE, thread_page
from bot.delivery.leases import CRISIS_THREADS
from bot.safety.card import server_crisis_card

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot

log = logging.getLogger(__name__)


class CaseClosedDms(commands.Cog):
    def __init__(self, bot: PeerCirclesBot) -> None:
        self.bot = bot
        self._task: asyncio.Task[None] | None = None
        self._again = False

    async def cog_load(self) -> None:
        self.bot.outbox.register_fallback(PENDING_FALLBACK, pending_fallback(
            self.bot.clock, then=closed_dm.thread_fallback(self.bot.clock, self._wanted)))
        # At process start only (a reconnect may come while a create is in flight): a create this
        # process's earlier life left half-done is tried again; another process's stays its own.
        if await self.bot.leases.recover(CRISIS_THREADS, at_start=True):
            log.warning("case crisis threads interrupted while being made are tried again")
        self.bot.leases.on_recovered(CRISIS_THREADS, self.request)

    async def cog_unload(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()  # a create interrupted here is tried again at the next start

    def _wanted(self) -> None:
        # Called inside the failing row's transaction: the offer is visible once it commits.
        self.bot.db.after_commit(self.request)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        self.request()

    def request(self) -> None:
        """Open every wanted thread soon (one worker at a time; requests meanwhile merge)."""
        self._again = True
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._open_all(), name="case-crisis-threads")

    async def _open_all(self) -> None:
        while self._again:
            self._again = False
            for offer in await closed_dm.to_open(self.bot.db):
                try:
                    await self._open(offer)
                except Exception as exc:  # one offer's trouble never stops the others (ids only in the log)
                    log.error("case crisis thread failed guild_id=%s case_id=%s error=%s", offer.guild_id,
                              offer.case_id, type(exc).__name__)

    async def _open(self, offer: closed_dm.ThreadOffer) -> None:
        guild = self.bot.get_guild(offer.guild_id)
        if guild is None:
            return  # not (yet) in this server: left wanted for the next pass
        if offer.thread_id is None:
            if not await closed_dm.start_creating(self.bot.db, self.bot.clock, offer, self.bot.leases.claim()):
                return
            channel = guild.get_channel(offer.channel_id)
            try:
                if not isinstance(channel, discord.TextChannel):
                    raise LookupError("the circle's text channel is gone")
                thread = await channel.create_thread(name=closed_dm.THREAD_NAME,
                                                     type=discord.ChannelType.private_thread, invitable=False,
                                                     reason="case: crisis card, DMs closed")
            except (discord.HTTPException, LookupError) as exc:
                detail = f"http {exc.status}" if isinstance(exc, discord.HTTPException) else "channel gone"
                log.warning("case crisis thread not created guild_id=%s case_id=%s detail=%s", guild.id,
                            offer.case_id, detail)
                await closed_dm.not_created(self.bot.db, self.bot.clock, offer, detail)
                return
            offer = await closed_dm.created(self.bot.db, self.bot.clock, offer, thread.id)
        assert offer.thread_id is not None
        page = await thread_page(self.bot.db.reader, guild.id, self.bot.clock.now(), urgent=True)
        added: list[int] = []
        for uid in dict.fromkeys([offer.user_id, *page.people[:MAX_PEOPLE]]):
            try:
                await self.bot.http.add_user_to_thread(offer.thread_id, uid)
                added.append(uid)
            except discord.HTTPException as exc:
                log.warning("case crisis thread member not added case_id=%s status=%s", offer.case_id, exc.status)
        await closed_dm.offered(self.bot.db, self.bot.clock, self.bot.outbox, offer, page=page, added=added,
                                crisis_embed=await server_crisis_card(self.bot.db, guild.id), server_name=guild.name)
        log.info("case crisis thread opened guild_id=%s case_id=%s thread_id=%s added=%s", guild.id, offer.case_id,
                 offer.thread_id, len(added))
