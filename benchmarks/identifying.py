"""Street-address and workplace warnings (bot/screening/places.py): accuracy and false positives.

Labelled sentences: ``data/identifying/identifying_tune.jsonl`` (the patterns were tuned on it, so
its figures are not estimates) and ``identifying_heldout.jsonl`` (split off before any pattern was
written; its first-sight figures are in docs/stories.md). Each sentence is scored by the kinds
found in it: precision and recall per kind.

False positives: every sentence of the screening sets (``data/screening_*.jsonl``) and of the
crisis held-out sets (``data/crisis/crisis_heldout_v*.jsonl``; their ``ordinary_chat`` rows
separately), of the shared dev set (when present) and of the crisis training sentences was
written with no address or workplace in it, so each one flagged is a false
positive (``--show`` prints them, and the misses on a labelled file, for tuning).

    python -m benchmarks.identifying [--quick] [--show tune|heldout|sets]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bot.screening.identifying import find_identifying

DATA = Path(__file__).resolve().parent / "data"
SHARED_DEV = DATA.parents[2] / "shared" / "eval" / "screening-dev.jsonl"
TRAINING = DATA.parents[1] / "bot" / "screening" / "training"
LABELLED = {"tune": DATA / "identifying" / "identifying_tune.jsonl",
            "heldout": DATA / "identifying" / "identifying_heldout.jsonl"}
NEW_KINDS = ("street_address", "workplace")


def _rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def kinds_in(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for d in find_identifying(text):
        if d.kind in NEW_KINDS:
            found.setdefault(d.kind, []).append(text[d.start:d.end])
    return found


def score(path: Path, show: bool) -> dict[str, dict[str, float]]:
    figures: dict[str, dict[str, float]] = {}
    rows = _rows(path)
    for kind in NEW_KINDS:
        tp = fp = fn = 0
        for row in rows:
            expected = kind in row["kinds"]  # type: ignore[operator]
            found = kinds_in(str(row["text"])).get(kind)
            tp += bool(expected and found)
            fp += bool(found and not expected)
            fn += bool(expected and not found)
            if show and bool(found) != expected:
                print(f"  {'MISS' if expected else 'FALSE'} {kind}: {row['text']!r} -> {found}")
        figures[kind] = {"precision": round(tp / max(tp + fp, 1), 3), "recall": round(tp / max(tp + fn, 1), 3),
                         "tp": tp, "fp": fp, "fn": fn}
    return figures


def false_positives(show: bool) -> dict[str, dict[str, int]]:
    sets = {p.name: [str(r["text"]) for r in _rows(p)] for p in sorted(DATA.glob("screening_*.jsonl"))}
    crisis = sorted((DATA / "crisis").glob("crisis_heldout_v*.jsonl"))
    sets["crisis held-out, all rows"] = [str(r["text"]) for p in crisis for r in _rows(p)]
    sets["crisis held-out, ordinary_chat"] = [str(r["text"]) for p in crisis for r in _rows(p)
                                              if r.get("kind") == "ordinary_chat"]
    if SHARED_DEV.exists():
        sets["shared screening-dev"] = [str(r["text"]) for r in _rows(SHARED_DEV)]
    sets["crisis training sentences"] = [str(r["text"]) for p in sorted(TRAINING.glob("*.jsonl")) for r in _rows(p)]
    figures: dict[str, dict[str, int]] = {}
    for name, texts in sets.items():
        counts = {"rows": len(texts), **dict.fromkeys(NEW_KINDS, 0)}
        for text in texts:
            for kind, spans in kinds_in(text).items():
                counts[kind] += 1
                if show:
                    print(f"  FALSE {kind} in {name}: {text!r} -> {spans}")
        figures[name] = counts
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.identifying", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="the same (it takes well under a second)")
    parser.add_argument("--show", choices=("tune", "heldout", "sets"), help="print what was missed or flagged")
    args = parser.parse_args(argv)
    result: dict[str, object] = {}
    for name, path in LABELLED.items():
        figures = score(path, args.show == name)
        result[name] = figures
        print(f"{name} ({len(_rows(path))} sentences): " + "; ".join(
            f"{k} precision {f['precision']:.3f} recall {f['recall']:.3f}" for k, f in figures.items()))
    fps = false_positives(args.show == "sets")
    result["false_positives"] = fps
    for name, counts in fps.items():
        print(f"{name}: {counts['rows']} rows, flagged as a street address {counts['street_address']}, "
              f"as a workplace {counts['workplace']}")
    print(json.dumps({"benchmark": "identifying", **result}))


if __name__ == "__main__":
    main()
