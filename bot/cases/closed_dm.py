"""Closed DMs: a crisis card the member's DMs refused is offered at once in a private thread.

When crisis words in circle chat send the card by DM (``respond_to_crisis`` with
``can_reply_privately=False``), the chat path *arms* an offer in the same transaction (``arm``:
the card's outbox key, the member, the case, the circle's text channel). Should the DM fail (DMs
closed, 403), the outbox runs the card's fallback (``case_card_pending``), which still marks the
card pending for the member's next interaction and, through ``thread_fallback``, turns the armed
offer into a *wanted* thread, noted in the case history, and wakes the cog. Both run in the
transaction that records the failure, so a restart at any moment loses nothing: a row failed
before the restart is found again as ``wanted`` when the bot is ready.

The cog then makes the thread, the one side effect here that is not an outbox row; it stays
idempotent by its recorded state: an offer is claimed ``creating`` before the create call, and
its ``thread_id`` recorded right after, so a thread is made at most once per card (the one window
left is a hard kill between Discord's answer and that commit, as in the outbox). The thread is
private (type 12, not invitable), named only ``THREAD_NAME``, under the circle's text channel;
the member and whom the paging chain reaches (``bot.cases.paging``, at most ``MAX_PEOPLE``, as an
urgent /reach-out's thread) are added, and its first message, an outbox row with its own key, is
the card with "Talk to a moderator now". Member text is never quoted there. If the thread can't be
made (403), the offer is ``failed``, the history says so, and the pending card is what remains.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.cases.crisis import member_card
from bot.cases.paging import Page, record_page
from bot.cases.records import add_event
from bot.cases.wording import THREAD_CARD_TEXT, THREAD_PRIVATE_LINE
from bot.core.clock import Clock, iso_utc
from bot.core.db import Conn, Database, read_one
from bot.delivery.leases import Claim
from bot.delivery.safety import LANE_CRISIS
from bot.safety.resources import PRIVATE_LINE

if TYPE_CHECKING:
    from bot.delivery.outbox import Fallback, Outbox, OutboxRow

# Says nothing about why it exists: a thread's name shows in the member's channel list.
THREAD_NAME = "Support"
THREAD_CARD_KIND = "case_card_crisis_thread"
_COLUMNS = "guild_id, card_key, user_id, case_id, channel_id, state, thread_id"


@dataclass(frozen=True)
class ThreadOffer:
    guild_id: int
    card_key: str
    user_id: int
    case_id: int | None
    channel_id: int        # the circle's text channel the thread goes under
    state: str
    thread_id: int | None

    @property
    def card_key_in_thread(self) -> str:
        """The outbox key of the card posted in the thread (once per offer)."""
        return f"{self.card_key}:thread"


def _offer(row: Any) -> ThreadOffer:
    return ThreadOffer(int(row[0]), str(row[1]), int(row[2]), None if row[3] is None else int(row[3]),
                       int(row[4]), str(row[5]), None if row[6] is None else int(row[6]))


async def arm(conn: Conn, clock: Clock, *, guild_id: int, card_key: str, user_id: int,
              case_id: int | None, channel_id: int) -> None:
    """In the transaction that queued the card DM: a thread is offered if that DM fails."""
    now = iso_utc(clock.now())
    await conn.execute(
        "INSERT INTO case_crisis_threads (guild_id, card_key, user_id, case_id, channel_id, state, armed_at,"
        " updated_at) VALUES (?, ?, ?, ?, ?, 'armed', ?, ?) ON CONFLICT (guild_id, card_key) DO NOTHING",
        (guild_id, card_key, user_id, case_id, channel_id, now, now))


async def want(conn: Conn, clock: Clock, row: OutboxRow, reason: str) -> bool:
    """The card DM failed for good: the armed offer becomes a wanted thread (noted in the case's
    history). False when this card had no offer (not from circle chat, or a concern card)."""
    cursor = await conn.execute(
        "UPDATE case_crisis_threads SET state = 'wanted', detail = ?, updated_at = ?"
        " WHERE guild_id = ? AND card_key = ? AND state = 'armed'",
        (reason, iso_utc(clock.now()), row.guild_id, row.key))
    if cursor.rowcount == 0:
        return False
    offer = await get_offer(conn, row.guild_id, row.key)
    if offer is not None and offer.case_id is not None:
        await add_event(conn, clock, guild_id=offer.guild_id, case_id=offer.case_id, actor_id=None,
                        event="card_undelivered",
                        detail=f"the crisis card DM was refused ({reason}): offering it in a private thread")
    return True


def thread_fallback(clock: Clock, wake: Callable[[], object]) -> Fallback:
    """The second half of the card DM's fallback (after ``mark_pending``): a thread is wanted, and
    ``wake`` is called (inside the failing row's transaction: the cog defers its work to the commit)."""
    async def fallback(conn: Conn, row: OutboxRow, reason: str) -> None:
        if row.kind == "case_card_crisis" and await want(conn, clock, row, reason):
            wake()
    return fallback


async def get_offer(conn: Conn, guild_id: int, card_key: str) -> ThreadOffer | None:
    row = await read_one(conn, f"SELECT {_COLUMNS} FROM case_crisis_threads WHERE guild_id = ? AND card_key = ?",
                         (guild_id, card_key))
    return None if row is None else _offer(row)


async def to_open(db: Database, limit: int = 50) -> list[ThreadOffer]:
    """Offers with work left (a thread to make, or members and the card to add), oldest first.
    Every server's, like the outbox worker's sweep: the cog skips servers it isn't in."""
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM case_crisis_threads WHERE state IN ('wanted', 'created')"
        " ORDER BY updated_at, card_key LIMIT ?", (limit,))
    return [_offer(r) for r in rows]


async def start_creating(db: Database, clock: Clock, offer: ThreadOffer, claim: Claim) -> bool:
    """Claim a wanted offer under this process's lease before the create call (False: another
    process has it, or it's not wanted). A create call a crash interrupted is tried again once the
    lease is taken back (bot/delivery/leases.py)."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            f"UPDATE case_crisis_threads SET state = 'creating', updated_at = ?, {claim.SET}"
            " WHERE guild_id = ? AND card_key = ? AND state = 'wanted'",
            (iso_utc(clock.now()), *claim.params, offer.guild_id, offer.card_key))
    return cursor.rowcount > 0


async def created(db: Database, clock: Clock, offer: ThreadOffer, thread_id: int) -> ThreadOffer:
    """The thread exists: its id, recorded at once (never made twice)."""
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE case_crisis_threads SET state = 'created', thread_id = ?, updated_at = ?"
            " WHERE guild_id = ? AND card_key = ?",
            (thread_id, iso_utc(clock.now()), offer.guild_id, offer.card_key))
    return ThreadOffer(offer.guild_id, offer.card_key, offer.user_id, offer.case_id, offer.channel_id, "created",
                       thread_id)


async def not_created(db: Database, clock: Clock, offer: ThreadOffer, detail: str) -> None:
    """The thread could not be made: the card waits for the member's next interaction (already
    marked pending by the same fallback), and the case history says so."""
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE case_crisis_threads SET state = 'failed', detail = ?, updated_at = ?"
            " WHERE guild_id = ? AND card_key = ?",
            (detail, iso_utc(clock.now()), offer.guild_id, offer.card_key))
        if offer.case_id is not None:
            await add_event(conn, clock, guild_id=offer.guild_id, case_id=offer.case_id, actor_id=None,
                            event="card_undelivered",
                            detail=f"no private thread for the crisis card ({detail}): "
                                   "it waits for the member's next interaction")


def thread_card_payload(offer: ThreadOffer, added: list[int], crisis_embed: dict[str, Any], *,
                        server_name: str) -> dict[str, Any]:
    """The thread's first message: the card (warm words, the server's lines, "Talk to a moderator
    now"), mentioning those added so they are notified; no member text. The card's "only you can
    see it" says who can see this thread instead."""
    lines = {**crisis_embed, "description": str(crisis_embed.get("description", "")).replace(
        PRIVATE_LINE, THREAD_PRIVATE_LINE)}
    card = member_card("crisis", lines, guild_id=offer.guild_id, server_name=server_name)
    pings = " ".join(f"<@{u}>" for u in added)
    payload = card.to_payload()
    payload["content"] = f"{pings} {THREAD_CARD_TEXT}".strip()
    payload["allowed_mentions"] = {"parse": [], "users": [str(u) for u in added]}
    return payload


async def offered(db: Database, clock: Clock, outbox: Outbox, offer: ThreadOffer, *, page: Page, added: list[int],
                  crisis_embed: dict[str, Any], server_name: str) -> None:
    """Members added: the card goes into the thread (outbox, crisis lane, once), the page is
    recorded in the case history, and the offer is done."""
    assert offer.thread_id is not None
    helpers = len([u for u in added if u != offer.user_id])
    async with db.transaction() as conn:
        await outbox.enqueue(conn, key=offer.card_key_in_thread, kind=THREAD_CARD_KIND, guild_id=offer.guild_id,
                             target_kind="channel", target_id=offer.thread_id,
                             payload=thread_card_payload(offer, added, crisis_embed, server_name=server_name),
                             priority=LANE_CRISIS)
        if offer.case_id is not None and page.step != "nobody":
            await record_page(conn, iso_utc(clock.now()), guild_id=offer.guild_id, case_id=offer.case_id,
                              what=f"crisis card in a private thread (DMs closed), {helpers} added", page=page)
        await conn.execute(
            "UPDATE case_crisis_threads SET state = 'done', updated_at = ? WHERE guild_id = ? AND card_key = ?",
            (iso_utc(clock.now()), offer.guild_id, offer.card_key))
