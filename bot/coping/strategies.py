"""Shared coping strategies: sharing (screened, posted through the outbox), browsing, "this helped
me too", saving to a private list, and facilitators pinning or removing one (audited).

An anonymous strategy stores no author id at all, so nothing links it to the member; the trade-off
is that an anonymous author cannot later remove it themselves or be held to a per-author limit
(moderators and facilitators can remove it). "This helped me too" and Save keep the pressing
member's id (one per member; declared personal data, exported and erased with the member).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.cases.crisis import CrisisResponse
from bot.circles.records import Circle
from bot.coping import audit, crisis, wording
from bot.coping.cards import StrategyView, strategy_post
from bot.coping.vetting import Verdict, normalise, vet_all
from bot.core.clock import Clock, utcnow_iso
from bot.core.db import Database, Row
from bot.core.errors import UserFacingError
from bot.core.text import display
from bot.delivery.outbox import Outbox, cancel_pending, sent_message
from bot.safety.card import server_crisis_card
from bot.screening.profanity import WordSettings

BODY_MAX = 1000
HELPS_MAX = 200
PAGE_SIZE = 4
SAVED_SHOWN = 10
OUTBOX_KIND = "coping_strategy"

_COLUMNS = "id, circle_id, author_id, category, body, helps_with, helped_count, pinned_at IS NOT NULL"


@dataclass(frozen=True)
class Shared:
    verdict: Verdict
    post_id: int | None = None  # the strategy (or win) id when posted
    case_id: int | None = None  # the crisis (or concern) case, if one was opened
    response: CrisisResponse | None = None  # crisis or concern: the card to show the member, if any


def _view(row: Row | tuple[Any, ...]) -> StrategyView:
    values = list(row)
    values[7] = bool(values[7])
    return StrategyView(*values)


def post_key(strategy_id: int) -> str:
    """The outbox key of a strategy's post in its circle's channel."""
    return f"coping:strategy:{strategy_id}"


def check_text(text: str, limit: int, *, required: bool) -> str:
    text = normalise(text or "")
    if required and not text:
        raise UserFacingError(wording.EMPTY_TEXT)
    if len(text) > limit:
        raise UserFacingError(wording.TOO_LONG.format(limit=limit))
    return text


async def share_strategy(
    db: Database, clock: Clock, outbox: Outbox, *, circle: Circle, author_id: int, anonymous: bool, category: str,
    body: str, helps_with: str = "", words: WordSettings | None = None, server_name: str = "",
) -> Shared:
    """Screen and post a strategy (or hold it back: crisis, slur). Bad input raises and stores nothing."""
    if category not in wording.CATEGORIES:
        raise UserFacingError(wording.UNKNOWN_CATEGORY)
    body = check_text(body, BODY_MAX, required=True)
    helps_with = check_text(helps_with, HELPS_MAX, required=False)
    verdict = await vet_all([body, helps_with], words)
    stored_author = None if anonymous else author_id
    if verdict.outcome == "slur":
        return Shared(verdict)
    level = "crisis" if verdict.outcome == "crisis" else "concern" if verdict.concern else "none"
    card: dict[str, Any] = {} if level == "none" else await server_crisis_card(db, circle.guild_id)
    if level == "crisis":
        async with db.transaction() as conn:
            held = await crisis.respond(
                conn, clock, outbox, level=level, guild_id=circle.guild_id, circle_id=circle.id, source="strategy",
                user_id=author_id, anonymous=anonymous, text=f"{body}\n{helps_with}".strip(), crisis_embed=card,
                server_name=server_name)
        return Shared(verdict, case_id=held.case_id, response=held)
    if circle.text_channel_id is None:
        raise UserFacingError(wording.NO_CHANNEL.format(circle=display(circle.name)))
    body, helps_with = verdict.parts
    response: CrisisResponse | None = None
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO coping_strategies (guild_id, circle_id, author_id, category, body, helps_with, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (circle.guild_id, circle.id, stored_author, category, body, helps_with, utcnow_iso(clock)),
        )
        strategy_id = int(cursor.lastrowid or 0)
        view = StrategyView(strategy_id, circle.id, stored_author, category, body, helps_with, 0, False)
        await outbox.enqueue(conn, key=post_key(strategy_id), kind=OUTBOX_KIND, guild_id=circle.guild_id,
                             target_kind="channel", target_id=circle.text_channel_id,
                             payload=strategy_post(view).to_payload())
        if level == "concern":
            response = await crisis.respond(
                conn, clock, outbox, level=level, guild_id=circle.guild_id, circle_id=circle.id, source="strategy",
                user_id=author_id, anonymous=anonymous, text=f"{body}\n{helps_with}".strip(), crisis_embed=card,
                server_name=server_name)
    return Shared(verdict, post_id=strategy_id, case_id=response.case_id if response else None, response=response)


async def get_strategy(db: Database, guild_id: int, strategy_id: int, *, include_removed: bool = False) -> StrategyView:
    removed = "" if include_removed else " AND removed_at IS NULL"
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM coping_strategies WHERE guild_id = ? AND id = ?{removed}",
                            (guild_id, strategy_id))
    if row is None:
        raise UserFacingError(wording.STRATEGY_GONE)
    return _view(row)


async def browse(db: Database, guild_id: int, circle_id: int, category: str | None,
                 page: int) -> tuple[list[StrategyView], int, int]:
    """One page (pinned first, then most "this helped me too", then newest); returns (items, page, pages)."""
    and_category = " AND category = ?" if category else ""
    params: list[Any] = [guild_id, circle_id, *([category] if category else [])]
    total = int(await db.fetchval(
        "SELECT COUNT(*) FROM coping_strategies WHERE guild_id = ? AND circle_id = ? AND removed_at IS NULL"
        + and_category, params) or 0)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM coping_strategies WHERE guild_id = ? AND circle_id = ? AND removed_at IS NULL"
        + and_category + " ORDER BY pinned_at IS NULL, helped_count DESC, id DESC LIMIT ? OFFSET ?",
        [*params, PAGE_SIZE, page * PAGE_SIZE],
    )
    return [_view(r) for r in rows], page, pages


async def mark_helped(db: Database, clock: Clock, guild_id: int, strategy_id: int, user_id: int) -> bool:
    """One "this helped me too" per member and strategy; False when already given."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO coping_helped (guild_id, strategy_id, user_id, at)"
            " SELECT guild_id, id, ?, ? FROM coping_strategies WHERE guild_id = ? AND id = ? AND removed_at IS NULL"
            " ON CONFLICT DO NOTHING",
            (user_id, utcnow_iso(clock), guild_id, strategy_id),
        )
        if cursor.rowcount != 1:
            return False
        await conn.execute("UPDATE coping_strategies SET helped_count = helped_count + 1 WHERE guild_id = ? AND id = ?",
                           (guild_id, strategy_id))
    return True


async def toggle_save(db: Database, clock: Clock, guild_id: int, strategy_id: int, user_id: int) -> bool:
    """Save to (or, pressed again, remove from) the member's private list; True when now saved."""
    async with db.transaction() as conn:
        cursor = await conn.execute("DELETE FROM coping_saved WHERE guild_id = ? AND user_id = ? AND strategy_id = ?",
                                    (guild_id, user_id, strategy_id))
        if cursor.rowcount:
            return False
        await conn.execute("INSERT INTO coping_saved (guild_id, user_id, strategy_id, saved_at) VALUES (?, ?, ?, ?)",
                           (guild_id, user_id, strategy_id, utcnow_iso(clock)))
    return True


async def unsave(db: Database, guild_id: int, strategy_id: int, user_id: int) -> bool:
    return await db.execute("DELETE FROM coping_saved WHERE guild_id = ? AND user_id = ? AND strategy_id = ?",
                            (guild_id, user_id, strategy_id)) > 0


async def saved(db: Database, guild_id: int, user_id: int) -> list[tuple[str, StrategyView]]:
    """The member's saved strategies still shared, newest saved first, with their circle's name."""
    columns = ", ".join(f"s.{c}" for c in _COLUMNS.split(", ")[:-1]) + ", s.pinned_at IS NOT NULL"
    rows = await db.fetchall(
        f"SELECT c.name, {columns} FROM coping_saved v JOIN coping_strategies s ON s.id = v.strategy_id"
        " JOIN circles c ON c.id = s.circle_id AND c.guild_id = s.guild_id"
        " WHERE v.guild_id = ? AND v.user_id = ? AND s.guild_id = ? AND s.removed_at IS NULL"
        " ORDER BY v.saved_at DESC, s.id DESC LIMIT ?",
        (guild_id, user_id, guild_id, SAVED_SHOWN),
    )
    return [(r[0], _view(tuple(r)[1:])) for r in rows]


async def set_pinned(db: Database, clock: Clock, guild_id: int, strategy_id: int, actor_id: int,
                     pinned: bool) -> StrategyView:
    strategy = await get_strategy(db, guild_id, strategy_id)
    now = utcnow_iso(clock)
    async with db.transaction() as conn:
        await conn.execute("UPDATE coping_strategies SET pinned_at = ?, pinned_by = ? WHERE guild_id = ? AND id = ?",
                           (now if pinned else None, actor_id if pinned else None, guild_id, strategy_id))
        await audit.record(conn, clock, guild_id=guild_id, circle_id=strategy.circle_id, actor_id=actor_id,
                           action="pin" if pinned else "unpin", target_kind="strategy", target_id=strategy_id)
    return strategy


async def remove(db: Database, clock: Clock, guild_id: int, strategy_id: int, actor_id: int) -> StrategyView:
    """Take a strategy off the circle's list: its text is erased, the row stays for the audit trail."""
    strategy = await get_strategy(db, guild_id, strategy_id)
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE coping_strategies SET removed_at = ?, removed_by = ?, pinned_at = NULL, pinned_by = NULL,"
            " body = '', helps_with = ''"
            " WHERE guild_id = ? AND id = ?", (utcnow_iso(clock), actor_id, guild_id, strategy_id))
        await conn.execute("DELETE FROM coping_saved WHERE guild_id = ? AND strategy_id = ?", (guild_id, strategy_id))
        # A post still waiting in the outbox is never sent (one already being sent is deleted once sent: the cog).
        await cancel_pending(conn, guild_id, post_key(strategy_id))
        await audit.record(conn, clock, guild_id=guild_id, circle_id=strategy.circle_id, actor_id=actor_id,
                           action="remove", target_kind="strategy", target_id=strategy_id)
    return strategy


async def posted_message(db: Database, guild_id: int, strategy_id: int) -> tuple[int, int] | None:
    """(channel id, message id) of a strategy's post in its circle, once the outbox sent it."""
    return await sent_message(db.reader, guild_id, post_key(strategy_id))
