"""Screening a goal's words (the goal and its hard-day minimum) before they are kept.

Those words are posted in the circle channel (circle delivery) and sent to an accountability
partner, so they are screened at ``/goal set`` and ``/goal edit`` with the server's own word list:

- crisis language: nothing is kept; the member gets the crisis card privately at once and the
  moderators an urgent case, through the one crisis response (``respond_to_crisis``); the case
  names the member and the source, never the words;
- concern: the goal is kept, and the gentle private check-in is shown with the saved message;
- a slur aimed at people: declined kindly, nothing kept;
- other profanity: kept censored ("f***"), so nothing rough reaches a channel or a partner.

Mentions are made inert wherever the words are shown (``bot.core.text.display``).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import screening
from bot.cases.crisis import CrisisResponse, respond_to_crisis
from bot.core.clock import Clock, iso_utc
from bot.core.db import Database
from bot.delivery.outbox import Outbox
from bot.safety.card import server_crisis_card
from bot.screening.words import word_settings

SOURCE = "goal_text"
CASE_SUMMARY = {
    "crisis": "Crisis language in a member's goal (the goal was not saved; its words are not shared).",
    "concern": "Possible risk in a member's goal (its words are not shared).",
}
_RANK = {"none": 0, "concern": 1, "crisis": 2}


class CrisisWords(Exception):
    """Raised by create/edit when a goal's words hold crisis language: nothing was kept."""

    def __init__(self, verdict: GoalWords) -> None:
        super().__init__("crisis language in a goal's words")
        self.verdict = verdict


@dataclass(frozen=True)
class GoalWords:
    status: str  # ok, crisis (nothing kept), slur (declined, nothing kept)
    text: str  # as kept: censored where profane
    minimum: str | None
    level: str = "none"  # none, concern, crisis


async def screen_goal_words(text: str, minimum: str | None, words: screening.WordSettings | None) -> GoalWords:
    """The verdict on both fields (pure: nothing is written)."""
    results = [await screening.screen_async(text, words)]
    if minimum:
        results.append(await screening.screen_async(minimum, words))
    level = max((r.crisis for r in results), key=lambda lv: _RANK.get(lv, 0))
    if level == "crisis":
        return GoalWords("crisis", "", None, "crisis")
    if any(r.slur for r in results):
        return GoalWords("slur", "", None, level)
    kept_min = results[1].censored if minimum else None
    return GoalWords("ok", results[0].censored, kept_min, level)


async def screen_words(db: Database, guild_id: int, text: str, minimum: str | None) -> GoalWords:
    return await screen_goal_words(text, minimum, await word_settings(db, guild_id))


async def respond(db: Database, clock: Clock, outbox: Outbox | None, level: str, *, guild_id: int,
                  user_id: int, server_name: str) -> CrisisResponse | None:
    """The crisis response for a goal's words (crisis or concern), in its own transaction; the
    card is for the member's own ephemeral reply."""
    if level not in ("crisis", "concern"):
        return None
    card = await server_crisis_card(db, guild_id)
    async with db.transaction() as conn:
        return await respond_to_crisis(
            conn, clock, outbox, guild_id=guild_id, user_id=user_id, level=level, source=SOURCE,
            crisis_embed=card, server_name=server_name, can_reply_privately=True,
            summary=CASE_SUMMARY[level], dedupe_key=f"{SOURCE}:{user_id}:{iso_utc(clock.now())}",
        )

