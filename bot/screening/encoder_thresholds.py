"""Choose the cascade's thresholds on the held-out sets already seen and write them into
``encoder_head.json``.

    python -m bot.screening.encoder_thresholds            # after python -m bot.screening.finetune

``SETS`` are held-out sets written by writers who never saw the detector, each already judged once
at first sight and never trained on (sets 2, 3 and 8 since round 9, when 5-7 went to training). The
newest set is never read here: it is
judged once, at first sight, by ``benchmarks/screening.py``, and joins ``SETS`` only afterwards.
Until round 6 only set 2 (559 rows) chose; its thresholds were sharp on it and loose on the sets
after it (false crisis 2.2% on set 6), so the choice pools the seen sets (about 2,000 rows of 12
writers in round 9).

The search: every combination of the grids below; a combination qualifies when false `crisis` on
non-crisis sentences is at most ``MAX_FALSE_CRISIS`` pooled (a margin under issue 23's 2%) and at
most 2% on every set, and ordinary chat at `concern` or above is at most ``MAX_CHAT_CONCERN`` on
every set; among those the highest crisis recall wins, then concern-or-above recall, then the
higher thresholds (fewer alarms). ``mark`` (the fast model's score from which a message reaches
the encoder) is fixed: recall first, the encoder decides.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.screening import cascade, detector
from bot.screening.encoder import HEAD, THRESHOLD_NAMES, EncoderHead

ROOT = Path(__file__).resolve().parents[2]
SETS = tuple(ROOT / "benchmarks" / "data" / "crisis" / f"crisis_heldout_v{n}.jsonl" for n in (2, 3, 8))
# The fast model's own concern threshold (t_concern of crisis_head.json, round 9): what it finds at
# risk, the encoder reads. (0.62, round 8's, left no thresholds within the limits on the seen sets.)
MARK = 0.585
MAX_FALSE_CRISIS = 0.015  # issue 23: 2%, pooled
MAX_FALSE_CRISIS_PER_SET = 0.02
MAX_CHAT_CONCERN = 0.05   # issue 23: 5%, on every set (set 2's chat is the hardest: no margin left to spend)
# The encoder's probabilities bunch near 0 and 1: with crisis at 0.9 and above, recall on the
# pooled sets falls to 0.59, and below 0.7 with a sign false crisis passes 2.5% (measured in round
# 6), so the grids are dense only where the choice lies (and small: ~2,800 rows a combination).
GRID_CRISIS = (0.85, 0.9)
GRID_WITH_SIGN = (0.7, 0.75, 0.8, 0.85)
GRID_CONCERN = (0.5, 0.7, 0.8)
GRID_FLOOR = (0.1, 0.3)
GRID_CONCERN_FLOOR = (0.5, 0.7)
GRID_RULE_FLOOR = (0.0, 0.1, 0.2, 0.3)


@dataclass(frozen=True)
class Scored:
    label: str
    kind: str
    stage: detector.FirstStage
    probs: tuple[tuple[float, float, bool, str], ...]


def score_rows(rows: Sequence[dict[str, str]], head: EncoderHead) -> list[Scored]:
    """Each row through stage one and the encoder, with ``head`` (in memory) in place."""
    detector.use_encoder_head(head)
    if not detector.state().loaded:
        raise SystemExit(f"the models did not load: {detector.state().reason}")
    out = []
    for row in rows:
        stage = detector.first_stage(row["text"])
        out.append(Scored(row["label"], row.get("kind", ""), stage, tuple(detector.encoder_probs(stage))))
    return out


def figures(scored: Sequence[Scored], t: cascade.Thresholds) -> dict[str, float]:
    tiers = []
    for s in scored:
        if s.probs:
            tiers.append(cascade.decide((s.stage.tier, s.stage.signal), s.probs, t)[0])
        else:
            tiers.append(s.stage.tier)

    def rate(ok: Sequence[str], labels: Sequence[str], kind: str | None = None) -> float:
        idx = [i for i, s in enumerate(scored) if s.label in labels and (kind is None or s.kind == kind)]
        return sum(tiers[i] in ok for i in idx) / max(1, len(idx))

    return {
        "crisis_recall": rate(("crisis",), ("crisis",)),
        "risk_recall": rate(("concern", "crisis"), ("crisis", "concern")),
        "false_crisis": rate(("crisis",), ("none", "concern")),
        "chat_concern": rate(("concern", "crisis"), ("none",), "ordinary_chat"),
    }


def choose(sets: Sequence[Sequence[Scored]]) -> tuple[cascade.Thresholds, dict[str, float]]:
    pooled = [s for scored in sets for s in scored]
    best: tuple[tuple[float, ...], cascade.Thresholds, dict[str, float]] | None = None
    for c, w, k, f, cf, rf in itertools.product(GRID_CRISIS, GRID_WITH_SIGN, GRID_CONCERN, GRID_FLOOR,
                                                GRID_CONCERN_FLOOR, GRID_RULE_FLOOR):
        if w > c:
            continue
        t = cascade.Thresholds(crisis=c, crisis_with_sign=w, concern=k, model_only_floor=f, concern_floor=cf,
                               mark=MARK, rule_floor=rf)
        fig = figures(pooled, t)
        if fig["false_crisis"] > MAX_FALSE_CRISIS:
            continue
        each = [figures(scored, t) for scored in sets]
        if any(e["false_crisis"] > MAX_FALSE_CRISIS_PER_SET or e["chat_concern"] > MAX_CHAT_CONCERN for e in each):
            continue
        key = (fig["crisis_recall"], fig["risk_recall"], c, w, k, -f, -cf, -rf)
        if best is None or key > best[0]:
            best = (key, t, fig)
    if best is None:
        raise SystemExit("no thresholds meet the limits on the held-out sets")
    return best[1], best[2]


def read(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> int:
    raw = json.loads(HEAD.read_text(encoding="utf-8"))
    # Marking uses only ``mark``; the deciding thresholds are what is being chosen (kept in memory:
    # the shipped file is written once, at the end).
    base = EncoderHead.load(HEAD, thresholds=False)
    head = dataclasses.replace(base, thresholds={"crisis": 0.99, "crisis_with_sign": 0.99, "concern": 0.99,
                                                 "model_only_floor": 0.0, "concern_floor": 0.0, "mark": MARK,
                                                 "rule_floor": 0.0})
    t, fig = choose([score_rows(read(path), head) for path in SETS])
    raw["thresholds"] = {name: getattr(t, name) for name in THRESHOLD_NAMES}
    raw["thresholds_chosen_on"] = {"set": ", ".join(p.name for p in SETS), **{k: round(v, 4) for k, v in fig.items()}}
    HEAD.write_text(json.dumps(raw, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(raw["thresholds_chosen_on"] | raw["thresholds"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
