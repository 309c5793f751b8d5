"""A member's private note on a ping, and its crisis screening.

The note is kept only on the member's own ping row (personal data, erased with the goal or on
request, kept one year like the answers). It is screened before it is saved: at ``crisis`` or
``concern`` the member gets the server's crisis card privately at once (the cog shows it) and an
urgent case is opened for the moderators in the same transaction; the case names the member and
the source, never the note's words.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import screening
from bot.cases.records import open_case
from bot.core.clock import Clock, iso_utc
from bot.core.db import Database
from bot.core.errors import UserFacingError
from bot.goals import wording
from bot.goals.pings import get_ping
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


async def save_note(db: Database, clock: Clock, ping_id: int, user_id: int, text: str) -> NoteResult:
    text = (text or "").strip()
    if len(text) > wording.MAX_NOTE:
        raise UserFacingError(wording.NOTE_TOO_LONG)
    ping = await get_ping(db, ping_id)
    if ping is None:
        return NoteResult("gone")
    if ping.user_id != user_id:
        return NoteResult("not_yours")
    verdict = screening.screen(text, await word_settings(db, ping.guild_id)) if text else None
    level = verdict.crisis if verdict is not None else "none"
    case_id = None
    async with db.transaction() as conn:
        await conn.execute("UPDATE goal_pings SET note = ? WHERE id = ? AND guild_id = ?",
                           (text or None, ping.id, ping.guild_id))
        if level in ("crisis", "concern"):
            opened = await open_case(
                conn, clock, guild_id=ping.guild_id, kind="crisis" if level == "crisis" else "concern",
                urgency="urgent", source="goal_note", subject_user_id=user_id, summary=CASE_SUMMARY[level],
                dedupe_key=f"goal_note:{ping.id}:{iso_utc(clock.now())}",
            )
            case_id = opened.case_id
    return NoteResult("saved", level, case_id, ping.guild_id)
