"""The cascade's second stage: which messages the contextual encoder reads, and what it decides.

Stage one (the rules and the fast static-embedding model, ``bot.screening.detector``) runs on every
message. A message goes on to the encoder (``bot.screening.encoder``, fine-tuned MiniLM) when stage
one found anything at all (a rule at any level, or the fast model's score at or above ``mark``), a
sentence shows a warning sign (``bot.screening.warning_signs``) or holds a word of the concern tier.
The signs everyday chat is full of (``WEAK_SIGNS``: "tonight", "giving my books to the charity shop",
"if I don't reply") send a message on only when the fast model also scores it at least
``WEAK_SIGN_SCORE``. Most ordinary chat never reaches it (the share is printed by
``benchmarks/screening.py``).

The encoder reads the marked *sentences*, not the whole message: a short message (up to
``WHOLE_CHARS``) is one window; a longer one gives a window per marked sentence, joined with the
sentence before it (a farewell often leans on what came just before), at most ``MAX_WINDOWS``
windows (the ones with the most signs first). Its score for the message is the highest over them.

The decision (thresholds in ``encoder_head.json``, chosen on held-out set 2, never on set 4):
- crisis when the encoder's crisis probability reaches ``crisis``, or reaches the lower
  ``crisis_with_sign`` in a window that shows a warning sign (the sign and the encoder agree);
- concern when its at-risk probability (concern + crisis) reaches ``concern``;
- a stage-one tier stands unless the encoder lowers it: a crisis that only the fast model raised
  becomes concern when the encoder's crisis probability is under ``model_only_floor``, and a
  concern that only the fast model raised becomes none when the encoder's at-risk probability is
  under ``concern_floor`` (everyday words the static embedding puts near risk), and a crisis the
  rules raised becomes concern when every window's crisis probability is under ``rule_floor``
  (the encoder reads "I don't act on it" and a recovered story where a rule saw only the words);
- a denial ("I'm not suicidal, just exhausted") or a clinical question answered no in a window keeps
  that window from voting for risk, as it takes the fast model's tier to none; a story told as
  recovered, or ideation with "no plan", lets the window vote for concern only (thoughts that come
  back, an urge held off: a gentle check, never an alarm).
The returned signal names every signal that reached the final tier ("rule", "model", "both" for
rule and model, "encoder", "rule+encoder", "model+encoder", "both+encoder").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.screening.tiers import cues
from bot.screening.warning_signs import concern_words, signs

WHOLE_CHARS = 320
MAX_WINDOWS = 4
# Signs whose words fill ordinary chat ("the circle is tonight", "if I don't reply, my phone died",
# "giving my books to the charity shop"): alone they send a message on only when the fast model
# gives it at least WEAK_SIGN_SCORE. Chosen on held-out sets 2, 3 and 5 (already seen) before set
# 6's one look: ordinary chat reaching the encoder fell from 9.2% to 5.7% with no crisis or concern
# sentence of those sets lost. A farewell always goes on (the category caught least).
# A denial of the wish itself, not only of acting on it.
_DENIES_WISH = re.compile(r"\b(?:not|never|no)\s+(?:\w+\s+){0,2}(?:suicidal|dark thoughts|suicidal thoughts)\b|"
                          r"\b(?:don'?t|do not|never) (?:\w+ )?(?:want|wanna|wish) (?:to )?die\b")
WEAK_SIGNS = frozenset({"time_place", "conditional_plan", "preparation"})
WEAK_SIGN_SCORE = 0.2
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\s*\n+\s*|(?<=\S)\s+(?=(?:but|anyway|and then|so yeah)\b)")
_RANK = {"none": 0, "concern": 1, "crisis": 2}
_TIERS = ("none", "concern", "crisis")


@dataclass(frozen=True)
class Thresholds:
    crisis: float
    crisis_with_sign: float
    concern: float
    model_only_floor: float
    concern_floor: float  # a concern only the fast model raised stands if P(at risk) reaches this
    mark: float  # the fast model's score from which a message reaches the encoder
    rule_floor: float = 0.0  # a rule's crisis the encoder puts below this (and no window votes crisis) is concern


@dataclass(frozen=True)
class Window:
    text: str = field(repr=False)  # a member's words: never in a repr, a log or a traceback
    signs: tuple[str, ...] = ()

    @property
    def cue(self) -> str:
        """What this window's own words say of its risk: "denied" (a denial, a clinical question
        answered no, someone else's risk: the window does not vote), "held" (recovered past, no plan: it may vote for
        concern, never crisis) or "". Read per window: one recovered sentence elsewhere in a long
        message must not silence a farewell here."""
        lower = self.text.lower()
        c = cues(lower)
        if c.get("clinical_answered_no"):
            return "denied"
        if c.get("negation"):
            # "Not going to do anything, the wish is just there" denies intent, not the wish: the
            # window may still vote for concern. "I'm not suicidal" denies the wish.
            return "held" if c.get("no_intent") and not _DENIES_WISH.search(lower) else "denied"
        # Someone else's risk, with no first person in it, is not the member's own, unless the
        # window also shows a warning sign (a farewell passed on: "tell my sister I said bye").
        if c.get("third_person") and not self.signs:
            return "denied"
        if c.get("past_recovered") or c.get("no_intent"):
            return "held"
        return ""


def sentences(text: str) -> list[str]:
    return [s for s in (p.strip() for p in _SENTENCE_END.split(text)) if s]


def windows(plain: str) -> list[Window]:
    """What the encoder reads of a message (``plain`` = ``plain_words(text)``)."""
    lower = plain.lower()
    if len(plain) <= WHOLE_CHARS:
        return [Window(plain, signs(lower))]
    parts = sentences(plain)
    marked: list[tuple[int, Window]] = []
    seen: set[str] = set()
    for i, part in enumerate(parts):
        found = signs(part.lower())
        if found or concern_words(part.lower()):
            text = f"{parts[i - 1]} {part}" if i and len(parts[i - 1]) + len(part) < WHOLE_CHARS else part
            text = text[:WHOLE_CHARS * 2]
            if text.lower() not in seen:  # a sentence repeated to fill the windows counts once
                seen.add(text.lower())
                marked.append((i, Window(text, found)))
    if len(marked) <= MAX_WINDOWS:
        return [w for _, w in marked]
    # The last marked sentence first (a farewell usually ends a message), then those that add a
    # sign category not yet covered, then the most signs; read in the message's order.
    chosen = [marked[-1]]
    covered = set(marked[-1][1].signs)
    rest = sorted(marked[:-1], key=lambda m: (-len(set(m[1].signs) - covered), -len(m[1].signs), m[0]))
    for item in rest:
        if len(chosen) == MAX_WINDOWS:
            break
        chosen.append(item)
        covered |= set(item[1].signs)
    return [w for _, w in sorted(chosen, key=lambda m: m[0])]


def marks(plain: str, rule_level: str, model_score: float | None, mark: float) -> bool:
    """Whether a message reaches the encoder."""
    if rule_level != "none" or (model_score is not None and model_score >= mark):
        return True
    lower = plain.lower()
    found = set(signs(lower))
    if found - WEAK_SIGNS:
        return True
    if found and (model_score is None or model_score >= WEAK_SIGN_SCORE):
        return True
    return concern_words(lower)


def decide(stage_one: tuple[str, str | None], probs: Sequence[tuple[float, float, bool, str]],
           t: Thresholds) -> tuple[str, str | None]:
    """Final (tier, signal). ``probs``: per window (P(crisis), P(at risk), shows a sign, the
    window's ``Window.cue``). A denied window does not vote; a held one votes for concern only."""
    tier1, signal1 = stage_one
    p_crisis = max((p for p, _, _, _ in probs), default=0.0)
    p_risk = max((r for _, r, _, _ in probs), default=0.0)
    enc = 0
    for p, r, has_sign, cue in probs:
        if cue == "denied":
            continue
        if cue != "held" and (p >= t.crisis or (has_sign and p >= t.crisis_with_sign)):
            enc = 2
        elif r >= t.concern:
            enc = max(enc, 1)
    rank1 = _RANK[tier1]
    if rank1 == 2 and signal1 == "model" and p_crisis < t.model_only_floor:
        rank1 = 1
    # A rule's crisis the encoder finds far from one ("I don't act on it", "they pass", a story
    # told as recovered, a rule misreading an aside) is still a private check-in, not a page.
    if rank1 == 2 and signal1 in ("rule", "both") and enc < 2 and p_crisis < t.rule_floor:
        rank1 = 1
    if rank1 == 1 and signal1 == "model" and p_risk < t.concern_floor:
        rank1, signal1 = 0, None
    final = max(rank1, enc)
    if final == 0:
        return "none", None
    names: list[str] = []
    if rank1 == final and signal1:
        names.append(signal1)
    if enc == final:
        names.append("encoder")
    return _TIERS[final], "+".join(names) if names else None

