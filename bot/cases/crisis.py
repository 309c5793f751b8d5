"""The one crisis response every capability uses (circle chat, stories, goal notes, help requests,
reports): ``respond_to_crisis``.

Given screening's level for something a member wrote, in the caller's transaction:

- ``crisis``: an urgent case for the moderators, every time (a snapshot, a link; never posted
  publicly), and the crisis card for the member, privately, at most once an hour per member and
  server. The card goes either in the caller's own ephemeral reply (``can_reply_privately=True``:
  the result says ``show_card``) or by DM through the outbox; should that DM fail (DMs closed), the
  card is marked pending and shown ephemerally at the member's next interaction.
- ``concern``: a gentle private check-in with the same resources (same hourly limit); a case only
  when the server opted in (``concern_opens_case``) or the member asks (``/reach-out``).
- ``none``: nothing.

The card embed is the server's (``bot.safety.card.server_crisis_card``), read by the caller before
its transaction and passed in, so this function only writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.cases.queue import page_now
from bot.cases.records import Opened, add_event, open_case
from bot.cases.settings import case_settings
from bot.cases.wording import (
    CARD_TITLE_CONCERN,
    CARD_TITLE_CRISIS,
    CONCERN_TEXT,
    CRISIS_TEXT,
    CRISIS_TEXT_ANONYMOUS,
    TALK_NOW,
    WORRIED_TEXT,
)
from bot.core.clock import Clock, iso_utc, parse_iso_utc
from bot.core.db import Conn, read_one
from bot.core.messages import DANGER, Button, Card, custom_id, embed

if TYPE_CHECKING:
    from bot.delivery.outbox import Fallback, Outbox, OutboxRow

CARD_INTERVAL = timedelta(hours=1)
# A concern the member did not ask about (a DM after something they wrote in chat) comes at most
# once a day: concern is "possibly", the learned layer raises it on about one ordinary message in
# eight, and a gentle check-in every hour would stop being gentle. A crisis card still comes hourly.
CONCERN_DM_INTERVAL = timedelta(hours=24)
PENDING_FALLBACK = "case_card_pending"


@dataclass(frozen=True)
class CrisisResponse:
    level: str
    case_id: int | None      # the case opened (or matched by dedupe key), if any
    show_card: bool          # the caller shows ``card`` in its own ephemeral reply now
    dm_queued: bool          # the card went to the outbox as a DM (pending at next interaction if DMs are closed)
    card: Card | None        # the card to show (None when rate-limited or level 'none')
    dm_key: str | None = None  # the card DM's outbox key, when ``dm_queued``


def member_card(level: str, crisis_embed: dict[str, Any], *, guild_id: int, server_name: str,
                worried: bool = False, anonymous: bool = False) -> Card:
    """The private card: warm words, the server's crisis lines and "Talk to a moderator now".
    ``anonymous``: the moderators were alerted without the member's name, and the words say so."""
    if worried:
        intro = embed(CARD_TITLE_CONCERN, WORRIED_TEXT.format(server=server_name))
    elif level == "crisis" and anonymous:
        intro = embed(CARD_TITLE_CRISIS, CRISIS_TEXT_ANONYMOUS.format(server=server_name))
    elif level == "crisis":
        intro = embed(CARD_TITLE_CRISIS, CRISIS_TEXT.format(server=server_name))
    else:
        intro = embed(CARD_TITLE_CONCERN, CONCERN_TEXT.format(server=server_name))
    return Card(embeds=(intro, crisis_embed), rows=((Button(custom_id("casereach", guild_id), TALK_NOW, DANGER),),))


async def _card_allowed(conn: Conn, clock: Clock, guild_id: int, user_id: int, level: str,
                        interval: timedelta = CARD_INTERVAL) -> bool:
    """A crisis card is held back only by an earlier crisis card; a concern card by either (a
    check-in right after the crisis card would add nothing)."""
    async with conn.execute("SELECT last_card_at, last_concern_card_at FROM case_member_state"
                            " WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return True
    stamps = [row[0]] if level == "crisis" else [row[0], row[1]]
    return all(s is None or clock.now() - parse_iso_utc(s) >= interval for s in stamps)


async def _mark_card(conn: Conn, clock: Clock, guild_id: int, user_id: int, level: str) -> None:
    column = "last_card_at" if level == "crisis" else "last_concern_card_at"
    await conn.execute(
        f"INSERT INTO case_member_state (guild_id, user_id, {column}) VALUES (?, ?, ?)"
        f" ON CONFLICT (guild_id, user_id) DO UPDATE SET {column} = excluded.{column}",
        (guild_id, user_id, iso_utc(clock.now())),
    )


async def _open_case_of(conn: Conn, guild_id: int, subject: int) -> tuple[int, str] | None:
    """The member's open crisis or concern case in this server (the newest), if any: (id, kind)."""
    async with conn.execute(
        "SELECT id, kind FROM cases WHERE guild_id = ? AND subject_user_id = ? AND kind IN ('crisis', 'concern')"
        " AND status <> 'resolved' ORDER BY CASE kind WHEN 'crisis' THEN 0 ELSE 1 END, id DESC LIMIT 1",
        (guild_id, subject),
    ) as cursor:
        row = await cursor.fetchone()
    return (int(row[0]), str(row[1])) if row is not None else None


async def _gather(conn: Conn, clock: Clock, outbox: Outbox | None, *, guild_id: int, case_id: int,
                  kind: str, level: str, source: str, snapshot: dict[str, Any] | None) -> None:
    """A later message joins the member's open case as an event (a link, never its text); a crisis
    joining a concern case makes it an urgent crisis case and pages once, down the chain."""
    link = (snapshot or {}).get("link")
    await add_event(conn, clock, guild_id=guild_id, case_id=case_id, actor_id=None, event="gathered",
                    detail=f"another message ({level}, {source.replace('_', ' ')})" + (f": {link}" if link else ""))
    if level == "crisis" and kind == "concern":
        await conn.execute("UPDATE cases SET kind = 'crisis', urgency = 'urgent', updated_at = ?"
                           " WHERE guild_id = ? AND id = ?", (iso_utc(clock.now()), guild_id, case_id))
        if outbox is not None:
            await page_now(conn, clock, outbox, guild_id=guild_id, case_id=case_id)


async def respond_to_crisis(
    conn: Conn,
    clock: Clock,
    outbox: Outbox | None,
    *,
    guild_id: int,
    user_id: int,
    level: str,
    source: str,
    crisis_embed: dict[str, Any],
    server_name: str,
    can_reply_privately: bool,
    summary: str = "",
    snapshot: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
    subject_user_id: int | None = None,
    anonymous: bool = False,
    case_id: int | None = None,
    worried: bool = False,
) -> CrisisResponse:
    """Decide and enqueue the crisis response (see the module's docstring), in the caller's transaction.

    ``user_id`` receives the card; ``subject_user_id`` is whom the case is about (default: ``user_id``);
    ``anonymous=True`` keeps the member out of the case (an anonymous story's author) and out of
    ``case_member_state``: the hourly limit is read but not recorded, since a card time next to the
    anonymous case's time would tie the member to it. ``case_id``: a case
    the caller already opened for this (it is made urgent instead of opening another).
    ``worried``: the card is the gentle "someone cares about you" one (a report of concern).
    """
    if level not in ("crisis", "concern"):
        return CrisisResponse(level, None, False, False, None)
    subject = None if anonymous else (subject_user_id or user_id)
    opened: int | None = case_id
    settings = await case_settings(conn, guild_id)
    # One open crisis case per member and server: later messages gather into it (a flood of ten
    # messages is one case, one page, one ladder), unless the caller brought its own case.
    gathering = await _open_case_of(conn, guild_id, subject) if subject is not None and case_id is None else None
    if gathering is not None and (level == "crisis" or gathering[1] == "crisis" or settings.concern_opens_case):
        opened = gathering[0]
        await _gather(conn, clock, outbox, guild_id=guild_id, case_id=opened, kind=gathering[1], level=level,
                      source=source, snapshot=snapshot)
    elif level == "crisis":
        if case_id is not None:
            await conn.execute("UPDATE cases SET urgency = 'urgent' WHERE guild_id = ? AND id = ?", (guild_id, case_id))
        else:
            result: Opened = await open_case(conn, clock, guild_id=guild_id, kind="crisis", urgency="urgent",
                                             source=source, subject_user_id=subject, summary=summary,
                                             snapshot=snapshot, dedupe_key=dedupe_key, outbox=outbox)
            opened = result.case_id
    elif settings.concern_opens_case and case_id is None:
        opened = (await open_case(conn, clock, guild_id=guild_id, kind="concern", urgency="normal", source=source,
                                  subject_user_id=subject, summary=summary, snapshot=snapshot,
                                  dedupe_key=dedupe_key, outbox=outbox)).case_id
    interval = CONCERN_DM_INTERVAL if level == "concern" and not can_reply_privately else CARD_INTERVAL
    if not await _card_allowed(conn, clock, guild_id, user_id, level, interval):
        return CrisisResponse(level, opened, False, False, None)
    card = member_card(level, crisis_embed, guild_id=guild_id, server_name=server_name, worried=worried,
                       anonymous=anonymous)
    if anonymous and can_reply_privately:
        return CrisisResponse(level, opened, True, False, card)
    await _mark_card(conn, clock, guild_id, user_id, level)
    if can_reply_privately:
        return CrisisResponse(level, opened, True, False, card)
    if outbox is None:
        await mark_pending(conn, clock, guild_id, user_id, level)
        return CrisisResponse(level, opened, False, False, card)
    # The level is in the key: a concern card and a crisis card in the same second are two cards.
    key = f"case:card:{guild_id}:{user_id}:{level}:{iso_utc(clock.now())}"
    await outbox.enqueue(conn, key=key, kind=f"case_card_{level}", guild_id=guild_id, target_kind="dm",
                         target_id=user_id, payload=card.to_payload(), fallback=PENDING_FALLBACK)
    return CrisisResponse(level, opened, False, True, card, dm_key=key)


# -- the card shown at the next interaction ------------------------------------------------------------

async def mark_pending(conn: Conn, clock: Clock, guild_id: int, user_id: int, level: str) -> None:
    await conn.execute(
        "INSERT INTO case_member_state (guild_id, user_id, pending_level, pending_since) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (guild_id, user_id) DO UPDATE SET pending_level = excluded.pending_level,"
        " pending_since = excluded.pending_since",
        (guild_id, user_id, level, iso_utc(clock.now())),
    )


def pending_fallback(clock: Clock, then: Fallback | None = None) -> Fallback:
    """The outbox fallback for a card DM that could not be delivered: show it next time instead;
    ``then`` runs after, in the same transaction (``bot.cases.closed_dm.thread_fallback``: offer it
    at once in a private thread)."""
    async def fallback(conn: Conn, row: OutboxRow, reason: str) -> None:
        level = "crisis" if row.kind.endswith("crisis") else "concern"
        await mark_pending(conn, clock, row.guild_id, row.target_id, level)
        if then is not None:
            await then(conn, row, reason)
    return fallback


async def take_pending(conn: Conn, user_id: int, guild_id: int | None) -> tuple[int, str] | None:
    """A pending card for this member (in this server, or any server when ``guild_id`` is None),
    cleared as it is taken: (guild id, level)."""
    sql = "SELECT guild_id, pending_level FROM case_member_state WHERE user_id = ? AND pending_level IS NOT NULL"
    params: list[Any] = [user_id]
    if guild_id is not None:
        sql += " AND guild_id = ?"
        params.append(guild_id)
    async with conn.execute(sql + " ORDER BY pending_since LIMIT 1", params) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return None
    await conn.execute("UPDATE case_member_state SET pending_level = NULL, pending_since = NULL"
                       " WHERE guild_id = ? AND user_id = ?", (row[0], user_id))
    return int(row[0]), str(row[1])


async def has_pending(conn: Conn, user_id: int, guild_id: int | None) -> bool:
    """A card waits for this member in this server (any server when ``guild_id`` is None: in DMs)."""
    sql = "SELECT 1 FROM case_member_state WHERE user_id = ? AND pending_level IS NOT NULL"
    params: list[Any] = [user_id]
    if guild_id is not None:
        sql += " AND guild_id = ?"
        params.append(guild_id)
    return await read_one(conn, sql + " LIMIT 1", params) is not None


async def forget_member(conn: Conn, guild_id: int, user_id: int) -> bool:
    """The member left the server: their card times go. A crisis card still waiting to be shown
    (their DMs were closed) is kept until they see it, in DMs or on coming back. True when the row went."""
    cursor = await conn.execute(
        "DELETE FROM case_member_state WHERE guild_id = ? AND user_id = ? AND pending_level IS NULL",
        (guild_id, user_id))
    if cursor.rowcount:
        return True
    await conn.execute("UPDATE case_member_state SET last_card_at = NULL, last_concern_card_at = NULL"
                       " WHERE guild_id = ? AND user_id = ?", (guild_id, user_id))
    return False
