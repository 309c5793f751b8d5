"""Split the hand-written batches (data/batches/*.txt) into train (~70%) and held-out (~30%).

Stratified by (label, kind) with a fixed seed, so running it again gives the same files.
Run once, BEFORE any training or threshold choice:  python split.py
"""
from __future__ import annotations

import json
import random
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
BATCHES = HERE / "data" / "batches"
SEED = 20240607
HELDOUT_FRACTION = 0.30
LABELS = ("none", "concern", "crisis")


def read_batches() -> list[dict]:
    rows, seen = [], set()
    for path in sorted(BATCHES.glob("b*.txt")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            label, kind, text = (p.strip() for p in line.split(" || ", 2))
            assert label in LABELS, (path.name, n, label)
            key = text.lower()
            if key in seen:  # exact duplicates across batches are kept once
                continue
            seen.add(key)
            rows.append({"text": text, "label": label, "kind": kind, "batch": path.stem})
    return rows


def split(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    strata: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        strata[(row["label"], row["kind"])].append(row)
    rng = random.Random(SEED)
    train, held = [], []
    for key in sorted(strata):
        group = strata[key]
        rng.shuffle(group)
        k = round(len(group) * HELDOUT_FRACTION) if len(group) >= 3 else (1 if len(group) == 2 else 0)
        held += group[:k]
        train += group[k:]
    return train, held


def write(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    rows = read_batches()
    train, held = split(rows)
    write(HERE / "data" / "crisis_train.jsonl", train)
    write(HERE / "data" / "crisis_heldout.jsonl", held)
    for name, part in (("all", rows), ("train", train), ("heldout", held)):
        by = {lab: sum(r["label"] == lab for r in part) for lab in LABELS}
        print(f"{name:8s} {len(part):4d}  {by}")
