"""Screening: the one place stories, circle chat, goal notes, help requests and reports pass through.

    result = await screen_async(text, words=await screening_words.word_settings(db, guild_id))
    result.profane, result.censored      # profanity (better-profanity's list, trimmed, compiled)
    result.crisis, result.rule           # tier "none" | "concern" | "crisis", and the rule that fired
    result.signal                        # which signals decided the tier: "rule", "model", "both"
                                         # (rule and model), "encoder", "rule+encoder", ...
    result.slur                          # a slur aimed at people (ableist, transphobic, ...)
    result.identifying                   # [(start, end, kind)]: mentions, e-mail, phone, links...

The bot calls ``await screen_async(text, words)``: profanity, the rules and the fast model run on
the event loop (a 2,000-character message in about a millisecond), and the contextual encoder,
for the few messages the fast layer marks, in one worker thread (``detector.finish``), so the
event loop never waits on it. ``screen()`` does the same inline, for scripts and benchmarks.
Call ``await prepare()`` once at start: it compiles the profanity list and loads both crisis
models in a thread. Until they are loaded, or if one cannot be, the rest decide.

Crisis tiers (issue 10; bot.screening.tiers): ``crisis`` = stated intent, plan, means,
preparation, farewell, an act already done (card + urgent moderator case); ``concern`` = possible
risk (passive wish, ideation without intent, hopelessness, burden, the model's middle band): a
gentle private check-in.

The crisis card every feature shows lives in bot.safety (``server_crisis_card``).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from bot.core.text import neutralise_mentions  # the one implementation, re-exported for screening's callers
from bot.screening import data_rights as _data_rights  # noqa: F401  (declares this package's tables)
from bot.screening import detector, profanity
from bot.screening.crisis import CrisisResult, Level
from bot.screening.folding import fold
from bot.screening.identifying import IdentifyingDetail, find_identifying
from bot.screening.profanity import Span, WordSettings

__all__ = [
    "CrisisResult", "IdentifyingDetail", "Level", "ScreeningResult", "Span", "WordSettings", "censor",
    "contains", "crisis_level", "find", "identifying_details", "neutralise_mentions",
    "prepare", "prepare_now", "screen", "screen_async",
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
    signal: str | None = None  # which signals decided the crisis tier (see the module doc)
    slur: bool = False  # a slur aimed at people (bot/screening/data/slurs.txt): moderators may want a case

    def to_json(self) -> dict[str, Any]:
        """The verdict as ``python -m bot screen`` prints it."""
        return {
            "profane": self.profane,
            "slur": self.slur,
            "censored": self.censored,
            "crisis": self.crisis,
            "signal": self.signal,
            "rule": self.rule,
            "identifying": [[d.start, d.end, d.kind] for d in self.identifying],
        }


def screen(text: str, words: WordSettings | None = None) -> ScreeningResult:
    """Profanity (with the server's own words), crisis language and identifying details at once.
    Runs the encoder inline when the message needs it: in the bot, use ``screen_async``."""
    return _result(text, words, detector.verdict(text))


# One thread for the encoder (onnxruntime itself runs one intra-op thread): one message at a time
# bounds its memory; a burst of marked messages queues here, never on the event loop.
_ENCODER_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crisis-encoder")


async def screen_async(text: str, words: WordSettings | None = None) -> ScreeningResult:
    """``screen`` for the bot: the encoder (when the fast layer marks the message) runs in a worker
    thread, so the event loop never waits on it."""
    stage = detector.first_stage(text)
    if stage.needs_encoder:
        crisis = await asyncio.get_running_loop().run_in_executor(_ENCODER_THREAD, detector.finish, stage)
    else:
        crisis = stage.verdict(stage.tier, stage.signal)
    return _result(text, words, crisis)


def _result(text: str, words: WordSettings | None, crisis: detector.Verdict) -> ScreeningResult:
    folded = fold(text)
    spans, slur = profanity.find_tagged(text, words, folded)
    return ScreeningResult(
        profane=bool(spans),
        censored=profanity.censor_spans(text, spans) if spans else text,
        crisis=crisis.level,
        rule=crisis.rule,
        crisis_category=crisis.category,
        identifying=tuple(find_identifying(text)),
        profanity_spans=tuple(spans),
        signal=crisis.signal,
        slur=slur,
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
    """The crisis tier (rules and model combined), the rule that fired and the deciding signal."""
    return detector.verdict(text).result()


def identifying_details(text: str) -> list[IdentifyingDetail]:
    return find_identifying(text)


def prepare_now(words: WordSettings | None = None) -> detector.ModelState:
    """``prepare`` for scripts: compile the profanity list and load the crisis model here."""
    profanity.prepare(words)
    return detector.load()


async def prepare(words: WordSettings | None = None) -> detector.ModelState:
    """Compile everything screening needs and load the crisis models once, in a thread so the event
    loop keeps running. Never raises for a model: without one the other stages decide."""
    return await asyncio.to_thread(prepare_now, words)
