"""What happens to a member's strategy or win before it is posted: one verdict from screening.

- crisis language: never posted; the one crisis response (``bot.coping.crisis``): the member's card
  privately, an urgent case for the moderators;
- a slur: declined kindly, nothing stored;
- other profanity: censored ("f***") in what is stored and posted;
- concern (possible risk): posted, and the member gets the gentle check-in card privately.

Slurs are screening's (``ScreeningResult.slur``: its reviewed list by category).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot import screening
from bot.core.text import strip_invisible
from bot.screening.profanity import WordSettings

Outcome = Literal["post", "crisis", "slur"]


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    text: str  # what may be stored and posted: censored, invisible characters removed
    censored: bool = False
    concern: bool = False  # posted, but the member is offered support privately
    has_links: bool = False
    parts: tuple[str, ...] = ()  # vet_all: each field's text, in the order given


def normalise(text: str) -> str:
    """Member text on the way in: invisible characters out, line breaks kept, ends trimmed."""
    lines = [" ".join(strip_invisible(line).split()) for line in text.replace("\r\n", "\n").split("\n")]
    joined = "\n".join(lines).strip()
    while "\n\n\n" in joined:
        joined = joined.replace("\n\n\n", "\n\n")
    return joined


async def vet(text: str, words: WordSettings | None = None) -> Verdict:
    """The verdict for one member text (``text`` already normalised)."""
    result = await screening.screen_async(text, words)
    if result.crisis == "crisis":
        return Verdict("crisis", "")
    if result.slur:
        return Verdict("slur", "")
    links = any(d.kind in ("url", "invite") for d in result.identifying)
    return Verdict("post", result.censored, censored=result.profane, concern=result.crisis == "concern",
                   has_links=links)


async def vet_all(texts: list[str], words: WordSettings | None = None) -> Verdict:
    """Several fields of one post (the strategy and what it helps with) judged together."""
    verdicts = [await vet(t, words) for t in texts]
    outcomes: tuple[Outcome, ...] = ("crisis", "slur")
    for outcome in outcomes:
        if any(v.outcome == outcome for v in verdicts):
            return Verdict(outcome, "")
    parts = tuple(v.text for v in verdicts)
    return Verdict("post", parts[0] if parts else "", parts=parts, censored=any(v.censored for v in verdicts),
                   concern=any(v.concern for v in verdicts), has_links=any(v.has_links for v in verdicts))


def link_spans(text: str) -> list[tuple[int, int]]:
    """Where the links are in ``text`` (web addresses and invites), for showing them without a preview."""
    return [(d.start, d.end) for d in screening.identifying_details(text) if d.kind in ("url", "invite")]
