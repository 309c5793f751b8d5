"""Screening: the one place stories, circle chat, goal notes, help requests and reports pass through.

    result = screen(text, words=await screening_words.word_settings(db, guild_id))
    result.profane, result.censored      # profanity (better-profanity's list, trimmed, compiled)
    result.crisis, result.rule           # "none" | "concern" | "crisis", and the rule that fired
    result.identifying                   # [(start, end, kind)]: mentions, e-mail, phone, links...

Everything here is synchronous, pure and fast (a 2,000-character message in well under a
millisecond once compiled), so cogs may call it on the event loop. Call ``await prepare()`` once
at start: compiling the profanity list takes a few hundred milliseconds and is done in a thread.

The crisis card every feature shows lives in bot.safety (``server_crisis_card``).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from bot.core.text import neutralise_mentions  # the one implementation, re-exported for screening's callers
from bot.screening import data_rights as _data_rights  # noqa: F401  (declares this package's tables)
from bot.screening import profanity
from bot.screening.crisis import CrisisResult, Level, detect
from bot.screening.folding import fold
from bot.screening.identifying import IdentifyingDetail, find_identifying
from bot.screening.profanity import Span, WordSettings

__all__ = [
    "CrisisResult", "IdentifyingDetail", "Level", "ScreeningResult", "Span", "WordSettings", "censor",
    "contains", "crisis_level", "find", "identifying_details", "neutralise_mentions",
    "prepare", "screen",
]


@dataclass(frozen=True)
class ScreeningResult:
    profane: bool
    censored: str
    crisis: Level
    rule: str | None
    crisis_category: str | None
    identifying: tuple[IdentifyingDetail, ...]
    profanity_spans: tuple[Span, ...]

    def to_json(self) -> dict[str, Any]:
        """The verdict as ``python -m bot screen`` prints it."""
        return {
            "profane": self.profane,
            "censored": self.censored,
            "crisis": self.crisis,
            "rule": self.rule,
            "identifying": [[d.start, d.end, d.kind] for d in self.identifying],
        }


def screen(text: str, words: WordSettings | None = None) -> ScreeningResult:
    """Profanity (with the server's own words), crisis language and identifying details at once."""
    folded = fold(text)  # once, shared by both detectors
    spans = profanity.find(text, words, folded)
    crisis = detect(text, folded)
    return ScreeningResult(
        profane=bool(spans),
        censored=profanity.censor_spans(text, spans) if spans else text,
        crisis=crisis.level,
        rule=crisis.rule,
        crisis_category=crisis.category,
        identifying=tuple(find_identifying(text)),
        profanity_spans=tuple(spans),
    )


def find(text: str, words: WordSettings | None = None) -> list[Span]:
    """Profanity spans ``(start, end)``, for the moderator view."""
    return profanity.find(text, words)


def contains(text: str, words: WordSettings | None = None) -> bool:
    return profanity.contains(text, words)


def censor(text: str, words: WordSettings | None = None) -> str:
    """Same length and word shape: "fuck" -> "f***"."""
    return profanity.censor(text, words)


def crisis_level(text: str) -> CrisisResult:
    return detect(text)


def identifying_details(text: str) -> list[IdentifyingDetail]:
    return find_identifying(text)


async def prepare(words: WordSettings | None = None) -> None:
    """Compile everything screening needs, in a thread so the event loop keeps running."""
    await asyncio.to_thread(profanity.prepare, words)
