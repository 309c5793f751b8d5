"""The crisis detector as screening runs it: a cascade of the rules, the fast learned model and,
for the messages those mark, the contextual encoder.

``load()`` builds both models once (``prepare()`` calls it in a thread at start, so the event loop
never waits for them; a script that never called ``prepare()`` loads them on its first message).
If loading fails, the rules (and whichever model did load) decide, and the failure is logged
once, never with text, and shown by ``/status``, ``python -m bot status`` and ``check-config``.

``verdict(text)`` returns the tier, the rule that fired and which signals decided. It runs the
encoder inline (scripts, the CLI, benchmarks); the bot calls ``first_stage`` on the event loop
and, only when it says the encoder must read the message, ``finish`` in a worker thread
(``bot.screening.screen_async``), so the encoder never runs on the event loop.

Every stage reads ``spelling.plain_words(text)``: leetspeak and misspellings of the plain words
reach the verdict of the plain spelling.
"""

from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from bot.screening import cascade
from bot.screening.crisis import CrisisResult, Level, detect_near
from bot.screening.spelling import plain_words
from bot.screening.tiers import decide

if TYPE_CHECKING:
    from bot.screening.encoder import Encoder, EncoderHead
    from bot.screening.semantic import CrisisModel

log = logging.getLogger(__name__)

# Thresholds when the model is absent (only the rules' own level counts then).
_NO_MODEL = (0.5, 0.9)


@dataclass(frozen=True)
class ModelState:
    loaded: bool  # both the fast model and the encoder
    reason: str | None = None  # why not (a short kind and the file, never message text)


class _Holder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.model: CrisisModel | None = None
        self.encoder: Encoder | None = None
        self.head: EncoderHead | None = None
        self.tried = False
        self.reason: str | None = "not loaded yet"
        self.loads = 0  # how many times the models were built (a test checks: once)


_HOLDER = _Holder()


def load() -> ModelState:
    """Build both models once (well under two seconds); later calls return at once."""
    with _HOLDER.lock:
        if not _HOLDER.tried:
            _HOLDER.tried = True
            reasons = []
            try:
                from bot.screening.semantic import CrisisModel

                _HOLDER.model = CrisisModel()
            except Exception as exc:  # any failure: screening goes on without this stage
                reasons.append(f"fast model: {type(exc).__name__}: {exc}"[:200])
            from bot.screening import encoder as enc

            # Module attributes read at call time: a test points them at a broken copy.
            try:
                encoder = enc.Encoder(enc.DATA)
                # One pass at load, so the first member's message does not pay for the first
                # matrix products (BLAS start-up, page faults): measured ~50 ms once.
                encoder.embed(["warming up"])
                _HOLDER.encoder = encoder
                # plain_words reads its English word list (the tokenizer's vocabulary) on first use:
                # here, in the loading thread, not on the event loop at the first member's message.
                plain_words("warming up")
            except Exception as exc:
                reasons.append(f"encoder: {type(exc).__name__}: {exc}"[:300])
            try:
                _HOLDER.head = enc.EncoderHead.load(enc.HEAD)
            except Exception as exc:
                reasons.append(f"encoder head: {type(exc).__name__}: {exc}"[:300])
            _HOLDER.loads += 1
            _HOLDER.reason = "; ".join(reasons) or None
            if _HOLDER.reason:
                log.error("crisis model not loaded, screening runs without it (%s)", _HOLDER.reason)
            else:
                log.info("crisis model loaded (fast model and encoder)")
    return state()


def availability() -> str:
    """Whether the model's files are there and pinned (for ``python -m bot status``; it does not
    load the model, and says nothing of a running bot, which logs its own load once)."""
    problem = model_files_problem()
    if problem:
        return f"not loaded ({problem}); screening runs on what remains"
    from bot.screening.encoder import SOURCE_PACKAGE
    from bot.screening.semantic import HEAD_PATH, WORDLLAMA_PIN

    return (f"available (wordllama {WORDLLAMA_PIN} from the installed wheel, head {HEAD_PATH.name}; "
            f"encoder fine-tuned from {SOURCE_PACKAGE}, files checked against manifest.json)")


def model_files_problem() -> str | None:
    """What is wrong with the models' files (naming the file), or None when all are in place.
    Checks presence and hashes without building the models (``check-config`` and ``status``)."""
    try:
        from bot.screening.semantic import HEAD_PATH, model_files

        model_files()
        if not HEAD_PATH.is_file():
            return f"missing {HEAD_PATH}"
        from bot.screening import encoder as enc

        enc.check_files(enc.DATA)
        enc.EncoderHead.load(enc.HEAD)  # present, and with every threshold in range
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"[:300]
    return None


def status_line() -> str:
    """One line for /status: whether the running bot's crisis models are loaded."""
    s = state()
    if s.loaded:
        return "crisis model: loaded (rules, fast model and encoder)"
    return f"crisis model: not loaded ({s.reason or 'not tried yet'}); the rules still run"


def state() -> ModelState:
    loaded = _HOLDER.model is not None and _HOLDER.encoder is not None and _HOLDER.head is not None
    return ModelState(loaded, _HOLDER.reason)


def model() -> CrisisModel | None:
    return _HOLDER.model


@dataclass(frozen=True)
class Verdict:
    level: Level
    rule: str | None
    category: str | None
    signal: str | None

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


@dataclass(frozen=True)
class FirstStage:
    """Stage one's verdict on a message and what stage two needs (no text is kept past the call)."""

    rules: CrisisResult
    tier: Level
    signal: str | None
    windows: tuple[cascade.Window, ...]  # what the encoder should read; empty: it need not run

    @property
    def needs_encoder(self) -> bool:
        return bool(self.windows)

    def verdict(self, level: Level, signal: str | None) -> Verdict:
        if self.rules.level == "none" or level == "none":
            return Verdict(level, None, None, signal)
        return Verdict(level, self.rules.rule, self.rules.category, signal)


def first_stage(text: str) -> FirstStage:
    """The rules and the fast model on ``text``, and the windows the encoder should read."""
    # A lone surrogate (possible in a str, not in UTF-8) would break the tokenizers: replace it.
    text = text.encode("utf-8", "replace").decode("utf-8")
    plain = plain_words(text)
    rules, window = detect_near(plain)
    if not _HOLDER.tried:  # prepare() loads them at start; this only serves scripts and tests
        load()
    m = _HOLDER.model
    chunk = ""
    score: float | None = None
    t_concern, t_crisis = _NO_MODEL
    if m is not None:
        try:
            raw, chunk = m.score_and_chunk(plain)
            t_concern, t_crisis = m.t_concern, m.t_crisis
            score = _short_message_cap(plain, raw, t_crisis)
        except Exception as exc:  # never lose the rules' verdict to a model error
            log.error("fast crisis model failed on a message (%s); the rules decide", type(exc).__name__)
            score, chunk, (t_concern, t_crisis) = None, "", _NO_MODEL
    level, signal = decide(rules.level, rules.rule, score, plain, t_concern=t_concern, t_crisis=t_crisis,
                           chunk=chunk, rule_window=window)
    head = _HOLDER.head
    windows: tuple[cascade.Window, ...] = ()
    if head is not None and _HOLDER.encoder is not None and cascade.marks(
            plain, rules.level, score, head.thresholds["mark"]):
        windows = tuple(cascade.windows(plain))
        if not windows:  # marked by a rule or the fast model in a long text with no sign: its chunk
            windows = (cascade.Window((window or chunk or plain)[: cascade.WHOLE_CHARS * 2], ()),)
    return FirstStage(rules, level, signal, windows)


def finish(stage: FirstStage) -> Verdict:
    """Stage two: the encoder reads the marked windows (run this off the event loop). Any error
    here leaves stage one's verdict standing (logged by kind, never with text)."""
    encoder, head = _HOLDER.encoder, _HOLDER.head
    if not stage.windows or encoder is None or head is None:
        return stage.verdict(stage.tier, stage.signal)
    try:
        from bot.screening.encoder import THRESHOLD_NAMES

        t = cascade.Thresholds(**{k: head.thresholds[k] for k in THRESHOLD_NAMES})
        level, signal = cascade.decide((stage.tier, stage.signal), encoder_probs(stage), t)
    except Exception as exc:
        log.error("crisis encoder failed on a message (%s); stage one's verdict stands", type(exc).__name__)
        return stage.verdict(stage.tier, stage.signal)
    return stage.verdict(cast(Level, level), signal)


def use_encoder_head(head: EncoderHead) -> None:
    """Put ``head`` in place of the loaded one (for ``encoder_thresholds``, which scores set 2 with
    candidate thresholds in memory instead of writing placeholders into the shipped file)."""
    load()
    _HOLDER.head = head


def encoder_probs(stage: FirstStage) -> list[tuple[float, float, bool, str]]:
    """The encoder's (P(crisis), P(at risk), sign, cue) per window of ``stage``."""
    encoder, head = _HOLDER.encoder, _HOLDER.head
    if not stage.windows or encoder is None or head is None:
        return []
    from bot.screening.encoder import emoji_words

    probs = head.probs(encoder.embed([emoji_words(w.text) for w in stage.windows]))
    return [(pc, pr, bool(w.signs), w.cue) for (pc, pr), w in zip(probs, stage.windows, strict=True)]


def verdict(text: str, folded: str | None = None) -> Verdict:
    """Tier, rule name, rule category and deciding signals for ``text`` (both stages, inline).
    ``folded`` is accepted for the callers that have it; the stages read ``plain_words(text)``."""
    del folded
    return finish(first_stage(text))
