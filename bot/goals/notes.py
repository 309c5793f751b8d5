"""A member's private note on a ping, and its crisis screening.

The note is kept only on the member's own ping row (personal data, erased with the goal or on
request, kept one year like the answers). It is screened before it is saved, and the verdict goes
through the one crisis response every capability uses (``bot.cases.crisis.respond_to_crisis``, in
the same transaction): at ``crisis`` the member gets the card privately at once and the moderators
an urgent case; at ``concern`` a gentle private check-in, and a case only where the server chose
so. The case names the member and the source, never the note's words.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import screening
from bot.cases.crisis import CrisisResponse, respond_to_crisis
from bot.core.clock import Clock, iso_utc
from bot.core.db import Database
from bot.core.errors import UserFacingError
from bot.delivery.outbox import Outbox
from bot.goals import wording
from bot.goals.pings import get_ping
from bot.safety.card import server_crisis_card
from bot.screening.words import word_settings

CASE_SUMMARY = {
    "crisis": "Crisis language in a member's private goal note (the note itself is not shared).",
    "concern": "Possible risk in a member's private goal note (the note itself is not shared).",
}


@dataclass(frozen=True)
class NoteResult:
    status: str  # saved, not_yours, gone
    crisis: str = "none"  # none, concern, crisis
    case_id: int | None = None
    guild_id: int | None = None
    response: CrisisResponse | None = None  # the card to show the member now, if any


async def save_note(db: Database, clock: Clock, outbox: Outbox | None, guild_id: int, ping_id: int, user_id: int,
                    text: str, *, server_name: str) -> NoteResult:
    text = (text or "").strip()
    if len(text) > wording.MAX_NOTE:
        raise UserFacingError(wording.NOTE_TOO_LONG)
    ping = await get_ping(db.reader, guild_id, ping_id)
    if ping is None:
        return NoteResult("gone")
    if ping.user_id != user_id:
        return NoteResult("not_yours")
    verdict = await screening.screen_async(text, await word_settings(db, ping.guild_id)) if text else None
    level = verdict.crisis if verdict is not None else "none"
    card = await server_crisis_card(db, ping.guild_id) if level != "none" else {}
    response = None
    async with db.transaction() as conn:
        await conn.execute("UPDATE goal_pings SET note = ? WHERE id = ? AND guild_id = ?",
                           (text or None, ping.id, ping.guild_id))
        if level in ("crisis", "concern"):
            response = await respond_to_crisis(
                conn, clock, outbox, guild_id=ping.guild_id, user_id=user_id, level=level, source="goal_note",
                crisis_embed=card, server_name=server_name, can_reply_privately=True,
                summary=CASE_SUMMARY[level], dedupe_key=f"goal_note:{ping.id}:{iso_utc(clock.now())}",
            )
    return NoteResult("saved", level, response.case_id if response else None, ping.guild_id, response)
