"""Choose the cascade's thresholds on held-out set 2 and write them into ``encoder_head.json``.

    python -m bot.screening.encoder_thresholds            # after python -m bot.screening.finetune

Set 2 (``benchmarks/data/crisis/crisis_heldout_v2.jsonl``) was written by writers who never saw the
detector and was looked at in rounds 2-3; it is not trained on. Set 3 is reported beside it and set
4 is never read here (it is judged once, at first sight, by ``benchmarks/screening.py``).

The search: every combination of the grids below; a combination qualifies when on set 2 false
`crisis` on non-crisis sentences is at most ``MAX_FALSE_CRISIS`` and ordinary chat at `concern` or
above at most ``MAX_CHAT_CONCERN`` (both with a margin under issue 23's 2% and 5%, since writers
differ); among those the highest crisis recall wins, then concern-or-above recall, then the higher
thresholds (fewer alarms). ``mark`` (the fast model's score from which a message reaches the
encoder) is fixed: recall first, the encoder decides.
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
SET_2 = ROOT / "benchmarks" / "data" / "crisis" / "crisis_heldout_v2.jsonl"
MARK = 0.62  # the fast model's own concern threshold: what it finds at risk, the encoder reads
MAX_FALSE_CRISIS = 0.015  # issue 23: 2%
MAX_CHAT_CONCERN = 0.05   # issue 23: 5% (set 2's chat is the hardest of the sets: no margin left to spend)
GRID_CRISIS = (0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99)
GRID_WITH_SIGN = (0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97)
GRID_CONCERN = (0.5, 0.7, 0.8, 0.9, 0.95, 0.97, 0.99)
GRID_FLOOR = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5)
GRID_CONCERN_FLOOR = (0.0, 0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95)


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


def choose(scored: Sequence[Scored]) -> tuple[cascade.Thresholds, dict[str, float]]:
    best: tuple[tuple[float, ...], cascade.Thresholds, dict[str, float]] | None = None
    for c, w, k, f, cf in itertools.product(GRID_CRISIS, GRID_WITH_SIGN, GRID_CONCERN, GRID_FLOOR,
                                            GRID_CONCERN_FLOOR):
        if w > c:
            continue
        t = cascade.Thresholds(crisis=c, crisis_with_sign=w, concern=k, model_only_floor=f, concern_floor=cf,
                               mark=MARK)
        fig = figures(scored, t)
        if fig["false_crisis"] > MAX_FALSE_CRISIS or fig["chat_concern"] > MAX_CHAT_CONCERN:
            continue
        key = (fig["crisis_recall"], fig["risk_recall"], c, w, k, -f, -cf)
        if best is None or key > best[0]:
            best = (key, t, fig)
    if best is None:
        raise SystemExit("no thresholds meet the limits on set 2")
    return best[1], best[2]


def read(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> int:
    raw = json.loads(HEAD.read_text(encoding="utf-8"))
    # Marking uses only ``mark``; the deciding thresholds are what is being chosen (kept in memory:
    # the shipped file is written once, at the end).
    base = EncoderHead.load(HEAD, thresholds=False)
    head = dataclasses.replace(base, thresholds={"crisis": 0.99, "crisis_with_sign": 0.99, "concern": 0.99,
                                                 "model_only_floor": 0.0, "concern_floor": 0.0, "mark": MARK})
    scored = score_rows(read(SET_2), head)
    t, fig = choose(scored)
    raw["thresholds"] = {name: getattr(t, name) for name in THRESHOLD_NAMES}
    raw["thresholds_chosen_on"] = {"set": SET_2.name, **{k: round(v, 4) for k, v in fig.items()}}
    HEAD.write_text(json.dumps(raw, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(raw["thresholds_chosen_on"] | raw["thresholds"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
