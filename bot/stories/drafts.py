"""A story before it is posted: checking what the member wrote, and what screening found in it.

``check_draft`` refuses bad input (empty, too long, too short) with a UserFacingError and changes
nothing. ``screen_draft`` returns the verdict the preview shows: the text as it will be posted
(profanity censored, mentions made inert), identifying details, the crisis level, and whether it
holds insults or slurs aimed at people (declined kindly).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot import screening
from bot.core.errors import UserFacingError
from bot.core.text import neutralise_mentions, strip_invisible
from bot.screening import WordSettings
from bot.stories import wording
from bot.stories.settings import MAX_STORY, StorySettings

MAX_TITLE = 100
MAX_WARNING = 200


@dataclass(frozen=True)
class Draft:
    circle_id: int
    body: str
    content_warning: str = ""
    title: str = ""


@dataclass(frozen=True)
class Verdict:
    body: str  # as it will be posted: censored, mentions inert
    content_warning: str
    title: str
    crisis: str  # "none" | "concern" | "crisis"
    identifying: tuple[tuple[str, str], ...]  # (kind, the text found)
    aimed_slur: bool


def _tidy(text: str) -> str:
    """NFC, invisible characters out, line breaks kept, outer whitespace trimmed."""
    return strip_invisible(unicodedata.normalize("NFC", text or "")).strip()


def _one_line(text: str) -> str:
    return " ".join(_tidy(text).split())


def check_draft(draft: Draft, settings: StorySettings) -> Draft:
    """The draft tidied, or a UserFacingError saying what to change."""
    body = _tidy(draft.body)
    warning = _one_line(draft.content_warning)
    title = _one_line(draft.title)
    if not body:
        raise UserFacingError(wording.EMPTY)
    if len(body) > MAX_STORY:
        raise UserFacingError(wording.TOO_LONG.format(limit=MAX_STORY, length=len(body)))
    if len(body) < settings.min_length:
        raise UserFacingError(wording.TOO_SHORT.format(minimum=settings.min_length))
    if len(warning) > MAX_WARNING:
        raise UserFacingError(wording.FIELD_TOO_LONG.format(field="content warning", limit=MAX_WARNING))
    if len(title) > MAX_TITLE:
        raise UserFacingError(wording.FIELD_TOO_LONG.format(field="title", limit=MAX_TITLE))
    return Draft(draft.circle_id, body, warning, title)


# An insult is "aimed" when the words just before it address people: "you ...", "they're all ...".
_ADDRESS = re.compile(
    r"\b(?:you|you're|youre|ur|u|your|yo|they're|theyre|they|them|those|these|all\s+of\s+you|people\s+like)"
    r"(?:\s+(?:are|is|re|all|such|a|an|the|fucking|bloody|stupid|little|dumb|lazy|are\s+all))*\s*$",
    re.IGNORECASE,
)


def _aimed(text: str, spans: tuple[tuple[int, int], ...]) -> bool:
    for start, _end in spans:
        before = text[max(0, start - 40):start]
        if _ADDRESS.search(before):
            return True
    return False


async def screen_draft(draft: Draft, words: WordSettings | None = None) -> Verdict:
    result = await screening.screen_async(draft.body, words)
    found = tuple((d.kind, draft.body[d.start:d.end]) for d in result.identifying)
    spans = tuple((s[0], s[1]) for s in result.profanity_spans)
    warning = await screening.screen_async(draft.content_warning, words) if draft.content_warning else None
    title = await screening.screen_async(draft.title, words) if draft.title else None
    # Crisis language is judged on the story as a whole (title, warning and body together): a
    # title like "End of the road" reads differently above a story about a walk.
    whole = "\n\n".join(part for part in (draft.title, draft.content_warning, draft.body) if part)
    level = (await screening.screen_async(whole)).crisis if whole != draft.body else result.crisis
    return Verdict(
        body=neutralise_mentions(result.censored),
        content_warning=neutralise_mentions(warning.censored) if warning else "",
        title=neutralise_mentions(title.censored) if title else "",
        crisis=level,
        identifying=found,
        aimed_slur=result.slur or bool(title and title.slur) or bool(warning and warning.slur)
        or _aimed(draft.body, spans),
    )
