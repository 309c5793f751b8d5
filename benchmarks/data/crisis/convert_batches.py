"""Turn writers' raw batches (``label || kind || text`` a line) into one JSONL file.

    python benchmarks/data/crisis/convert_batches.py OUT.jsonl BATCH.txt [BATCH.txt ...]

Each row is ``{"text", "label", "kind", "batch"}`` (batch = the file's stem, the writer). Rows that
exactly repeat (case-insensitive, spaces squeezed) a sentence of any training file, any existing
held-out file or an earlier row are dropped mechanically and counted, so no sentence is both
trained on and judged. Prints counts only, never a sentence: whoever runs it before a held-out set
is committed does not read the set.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
TRAINING = ROOT / "bot" / "screening" / "training"
LABELS = ("none", "concern", "crisis")


def key(text: str) -> str:
    return " ".join(text.lower().split())


def known_sentences(out: Path) -> set[str]:
    seen: set[str] = set()
    for path in [*TRAINING.glob("*.jsonl"), *HERE.glob("crisis_heldout_v*.jsonl")]:
        if path.resolve() == out.resolve():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                seen.add(key(json.loads(line)["text"]))
    return seen


def read_batch(path: Path) -> list[dict[str, str]]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split(" || ", 2)]
        if len(parts) != 3 or parts[0] not in LABELS or not parts[2]:
            raise SystemExit(f"{path.name}:{n}: not 'label || kind || text'")
        rows.append({"text": parts[2], "label": parts[0], "kind": parts[1], "batch": path.stem})
    return rows


def convert(out: Path, batches: list[Path]) -> Counter[str]:
    seen = known_sentences(out)
    kept, counts = [], Counter[str]()
    for path in batches:
        for row in read_batch(path):
            k = key(row["text"])
            if k in seen:
                counts["dropped_repeat"] += 1
                continue
            seen.add(k)
            kept.append(row)
            counts[row["label"]] += 1
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept), encoding="utf-8")
    return counts


if __name__ == "__main__":
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    print(dict(convert(Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]])))
