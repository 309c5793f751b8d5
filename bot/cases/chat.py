"""A message written in circle chat, screened and answered: one call from the cog, one answer back.

``screened_source`` says which channels' messages are screened: a circle's own channels, and the
threads under a circle's text channel or stories channel (story threads, forum posts, circle
threads); it answers the case's ``source`` ("chat" or "story_thread").

``answer_chat_message`` does the rest for a new or edited message: screening, the crisis response
(``respond_to_crisis``: card, case, pages through the outbox), a slur case, and whether profanity
is to be removed. It returns what the cog still has to do in Discord (``ChatAnswer``). An edited
message is answered once per message and tier. A database that stays locked past its busy timeout
is tried again; when it still fails, nothing is lost: the answer carries the card for the cog to
send straight away and ``failed=True``, and the cog pages the chain directly. A crisis card sent by
DM is armed with an offer of a private thread under the circle's text channel, should the DM be
refused (``bot.cases.closed_dm``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot import screening
from bot.cases.closed_dm import arm
from bot.cases.crisis import CrisisResponse, member_card, respond_to_crisis
from bot.cases.records import open_case
from bot.cases.settings import case_settings
from bot.circles.records import circle_using_channel, list_circles
from bot.core.clock import Clock, iso_utc
from bot.core.db import Database, DatabaseError
from bot.core.messages import Card
from bot.safety.card import server_crisis_card
from bot.safety.resources import INTERNATIONAL, crisis_card
from bot.screening.words import word_settings

if TYPE_CHECKING:
    from bot.delivery.outbox import Outbox

log = logging.getLogger(__name__)

# Tries of the crisis response's transaction (each already waits out the busy timeout).
ATTEMPTS = 3


async def circle_text_channel(db: Database, guild_id: int, channel_id: int, parent_id: int | None) -> int | None:
    """The text channel of the circle a screened message belongs to (its own channel, its voice or
    stories channel, or a thread under one of them): where a private thread can be offered."""
    for listing in await list_circles(db, guild_id):
        circle = listing.circle
        places = (circle.text_channel_id, circle.voice_channel_id, circle.stories_channel_id)
        if channel_id in places or (parent_id is not None and parent_id in places):
            return circle.text_channel_id
    return None


async def screened_source(db: Database, guild_id: int, channel_id: int, parent_id: int | None) -> str | None:
    """``parent_id``: the thread's parent channel (None for a message outside a thread)."""
    if parent_id is None:
        return "chat" if await circle_using_channel(db, guild_id, channel_id) is not None else None
    for listing in await list_circles(db, guild_id):
        circle = listing.circle
        if parent_id == circle.text_channel_id:
            return "chat"
        if parent_id == circle.stories_channel_id:
            return "story_thread"
    return None


@dataclass(frozen=True)
class ChatMessage:
    guild_id: int
    server_name: str
    channel_id: int
    parent_id: int | None   # the thread's parent channel, None outside a thread
    message_id: int
    author_id: int
    content: str
    link: str
    created_at: str
    edited: bool = False


@dataclass(frozen=True)
class ChatAnswer:
    """What the cog still does in Discord for a screened message."""

    source: str | None = None                 # None: not a screened channel (nothing happened)
    level: str = "none"
    crisis: CrisisResponse | None = None      # the crisis response made (cards and pages are in the outbox)
    failed: bool = False                      # the database failed: send ``card`` now and page the chain directly
    card: Card | None = None
    slur_case_id: int | None = None
    remove_profanity: bool = False


async def answer_chat_message(db: Database, clock: Clock, outbox: Outbox, message: ChatMessage) -> ChatAnswer:
    source = await screened_source(db, message.guild_id, message.channel_id, message.parent_id)
    if source is None:
        return ChatAnswer()
    verdict = await screening.screen_async(message.content, await word_settings(db, message.guild_id))
    crisis = None
    level = verdict.crisis
    if level in ("crisis", "concern"):
        crisis_or_card = await _respond(db, clock, outbox, message, source, level)
        if isinstance(crisis_or_card, Card):
            return ChatAnswer(source, level, failed=True, card=crisis_or_card)
        crisis = crisis_or_card
    slur_case = None
    if verdict.slur and not message.edited:
        # A slur aimed at people always reaches the moderators, whatever the profanity setting.
        async with db.transaction() as conn:
            slur_case = (await open_case(
                conn, clock, guild_id=message.guild_id, kind="slur", urgency="normal", source=source,
                subject_user_id=message.author_id, summary=f"a slur in {_where(source)}",
                snapshot=_snapshot(message), dedupe_key=f"slur:{message.message_id}", outbox=outbox)).case_id
    remove = verdict.profane and (await case_settings(db.reader, message.guild_id)).profanity_mode == "remove"
    return ChatAnswer(source, level, crisis, slur_case_id=slur_case, remove_profanity=remove)


def _where(source: str) -> str:
    return "a story's thread" if source == "story_thread" else "circle chat"


def _snapshot(message: ChatMessage) -> dict[str, Any]:
    return {"message_id": message.message_id, "channel_id": message.channel_id, "parent_id": message.parent_id,
            "author_id": message.author_id, "content": message.content, "link": message.link,
            "created_at": message.created_at, **({"edited": True} if message.edited else {})}


async def _respond(db: Database, clock: Clock, outbox: Outbox, message: ChatMessage, source: str,
                   level: str) -> CrisisResponse | Card | None:
    """The crisis response, tried again while the database fails; the card to send directly when it
    never succeeds (a crisis message must not vanish with no case and no card)."""
    error = ""
    # A crisis card refused by closed DMs is offered in a private thread under the circle's text channel.
    thread_channel = (await circle_text_channel(db, message.guild_id, message.channel_id, message.parent_id)
                      if level == "crisis" else None)
    for attempt in range(ATTEMPTS):
        try:
            card_embed = await server_crisis_card(db, message.guild_id)
            async with db.transaction() as conn:
                # Answered once per message and tier: an edit that says the same again is left be.
                cursor = await conn.execute(
                    "INSERT INTO case_screened_messages (guild_id, message_id, tier, screened_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (guild_id, message_id, tier) DO NOTHING",
                    (message.guild_id, message.message_id, level, iso_utc(clock.now())))
                if cursor.rowcount == 0:
                    return None
                response = await respond_to_crisis(
                    conn, clock, outbox, guild_id=message.guild_id, user_id=message.author_id, level=level,
                    source=source, crisis_embed=card_embed, server_name=message.server_name,
                    can_reply_privately=False,
                    summary=("crisis language" if level == "crisis" else "concern") + f" in {_where(source)}",
                    snapshot=_snapshot(message), dedupe_key=f"chat:{message.message_id}")
                if response.dm_key is not None and thread_channel is not None:
                    await arm(conn, clock, guild_id=message.guild_id, card_key=response.dm_key,
                              user_id=message.author_id, case_id=response.case_id, channel_id=thread_channel)
                return response
        except DatabaseError as exc:  # either engine's: e.g. a lock past the busy timeout
            error = type(exc).__name__
            log.warning("crisis response failed guild_id=%s message_id=%s attempt=%s error=%s", message.guild_id,
                        message.message_id, attempt + 1, error)
    log.error("crisis response gave up guild_id=%s message_id=%s level=%s error=%s", message.guild_id,
              message.message_id, level, error)
    return member_card(level, crisis_card(INTERNATIONAL), guild_id=message.guild_id,
                       server_name=message.server_name)
