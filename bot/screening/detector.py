"""The crisis detector as screening runs it: the rules, and the learned model once it is loaded.

``load()`` builds the model once (``prepare()`` calls it in a thread at start, so the event loop
never waits for it; a script that never called ``prepare()`` loads it on its first message). If
loading fails, the rules decide alone and the failure is logged once, never with text.
``verdict(text, folded)`` returns the tier, the rule that fired and which signal decided.
"""

from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.screening.crisis import CrisisResult, Level, detect_near
from bot.screening.tiers import Signal, decide

if TYPE_CHECKING:
    from bot.screening.semantic import CrisisModel

log = logging.getLogger(__name__)

# Thresholds when the model is absent (only the rules' own level counts then).
_NO_MODEL = (0.5, 0.9)


@dataclass(frozen=True)
class ModelState:
    loaded: bool
    reason: str | None = None  # why it is not loaded (a short kind, never message text)


class _Holder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.model: CrisisModel | None = None
        self.tried = False
        self.reason: str | None = "not loaded yet"
        self.loads = 0  # how many times the model was built (a test checks: once)


_HOLDER = _Holder()


def load() -> ModelState:
    """Build the model once (about a third of a second); later calls return at once."""
    with _HOLDER.lock:
        if not _HOLDER.tried:
            _HOLDER.tried = True
            try:
                from bot.screening.semantic import CrisisModel

                _HOLDER.model = CrisisModel()
                _HOLDER.loads += 1
                _HOLDER.reason = None
                log.info("crisis model loaded")
            except Exception as exc:  # any failure: screening goes on with the rules alone
                _HOLDER.reason = f"{type(exc).__name__}: {exc}"[:200]
                log.warning("crisis model unavailable, screening uses the rules alone (%s)", _HOLDER.reason)
    return state()


def availability() -> str:
    """Whether the model's files are there and pinned (for ``python -m bot status``; it does not
    load the model, and says nothing of a running bot, which logs its own load once)."""
    try:
        from bot.screening.semantic import HEAD_PATH, WORDLLAMA_PIN, model_files

        model_files()
        if not HEAD_PATH.is_file():
            return f"unavailable: no head file at {HEAD_PATH.name}; screening uses the rules alone"
    except Exception as exc:
        return f"unavailable ({type(exc).__name__}: {exc}); screening uses the rules alone"
    return f"available (wordllama {WORDLLAMA_PIN} from the installed wheel, head {HEAD_PATH.name})"


def state() -> ModelState:
    return ModelState(_HOLDER.model is not None, _HOLDER.reason)


def model() -> CrisisModel | None:
    return _HOLDER.model


@dataclass(frozen=True)
class Verdict:
    level: Level
    rule: str | None
    category: str | None
    signal: Signal

    def result(self) -> CrisisResult:
        return CrisisResult(self.level, self.rule, self.category, self.signal)


MODEL_MIN_WORDS = 3  # below this the model says nothing on its own ("win", "ok thanks")
MODEL_CRISIS_MIN_WORDS = 6  # below this the model alone may raise concern, never crisis (5 until entry 12)


def _short_message_cap(text: str, score: float, t_crisis: float) -> float | None:
    """A few words say little and score wildly (a one-word "win" scored crisis): the rules still
    decide, and the model may only ask gently (concern) until there is a sentence to read."""
    words = len(text.split(maxsplit=MODEL_CRISIS_MIN_WORDS))  # enough to compare (a long text is not split whole)
    if words < MODEL_MIN_WORDS:
        return None
    if words < MODEL_CRISIS_MIN_WORDS:
        return min(score, math.nextafter(t_crisis, 0.0))
    return score


def verdict(text: str, folded: str | None = None) -> Verdict:
    """Tier, rule name, rule category and deciding signal for ``text``."""
    rules, window = detect_near(text, folded)
    if not _HOLDER.tried:  # prepare() loads it at start; this only serves scripts and tests
        load()
    m = _HOLDER.model
    chunk = ""
    if m is None:
        score, (t_concern, t_crisis) = None, _NO_MODEL
    else:
        score, chunk = m.score_and_chunk(text, folded)
        t_concern, t_crisis = m.t_concern, m.t_crisis
        score = _short_message_cap(text, score, t_crisis)
    level, signal = decide(rules.level, rules.rule, score, text, t_concern=t_concern, t_crisis=t_crisis,
                           chunk=chunk, rule_window=window)
    if rules.level == "none" or level == "none":
        return Verdict(level, None, None, signal)
    return Verdict(level, rules.rule, rules.category, signal)
