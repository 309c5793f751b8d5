"""Split sentences.txt into a tuning part (~70%) and a held-out part (~30%).

Stratified by label with a fixed seed, so running it again gives the same files. Run once, BEFORE
any pattern is written or tuned:  python benchmarks/data/identifying/split.py
"""
from __future__ import annotations

import json
import random
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 20261208
HELDOUT_FRACTION = 0.30
LABELS = ("street_address", "workplace", "both", "none")


def read() -> list[dict[str, object]]:
    rows = []
    family = "address"  # the file lists address sentences first, then work sentences
    for n, line in enumerate((HERE / "sentences.txt").read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        label, category, text = (p.strip() for p in line.split(" || ", 2))
        assert label in LABELS, (n, label)
        if label == "workplace":
            family = "work"
        kinds = {"both": ["street_address", "workplace"], "none": []}.get(label, [label])
        # Which family a negative tests (address-like or work-like wording), for per-kind false positives.
        rows.append({"text": text, "kinds": kinds, "category": category, "family": family})
    return rows


def main() -> None:
    by_label: dict[str, list[dict[str, object]]] = defaultdict(list)
    for row in read():
        by_label["+".join(row["kinds"]) or f"none:{row['family']}"].append(row)  # type: ignore[arg-type]
    rng = random.Random(SEED)
    tune, heldout = [], []
    for key in sorted(by_label):
        rows = by_label[key]
        rng.shuffle(rows)
        cut = round(len(rows) * HELDOUT_FRACTION)
        heldout += rows[:cut]
        tune += rows[cut:]
    for name, rows in (("identifying_tune.jsonl", tune), ("identifying_heldout.jsonl", heldout)):
        with (HERE / name).open("w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(name, len(rows))


if __name__ == "__main__":
    main()
