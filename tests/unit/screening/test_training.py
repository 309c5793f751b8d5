"""bot/screening/train.py: same data, same weights, byte for byte; held-out never read."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from bot.screening import semantic, train

ROOT = Path(__file__).resolve().parents[3]
HELDOUT = sorted((ROOT / "benchmarks" / "data" / "crisis").glob("crisis_heldout_v*.jsonl"))


def run_training(out: Path, *extra: str) -> None:
    """In its own process, as the script is run: one BLAS thread (set before numpy loads)."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    subprocess.run([sys.executable, "-m", "bot.screening.train", "--out", str(out), *extra],
                   cwd=ROOT, env=env, check=True, capture_output=True)


def test_training_twice_gives_identical_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    run_training(first, "--subset", "120")
    run_training(second, "--subset", "120")
    assert first.read_bytes() == second.read_bytes()


def test_the_shipped_head_is_what_the_training_data_gives(tmp_path: Path) -> None:
    """Retraining on the repo's training files reproduces the shipped weights exactly."""
    out = tmp_path / "head.json"
    run_training(out)
    assert hashlib.sha256(out.read_bytes()).hexdigest() == hashlib.sha256(semantic.HEAD_PATH.read_bytes()).hexdigest()


def test_the_head_records_its_training_files() -> None:
    meta = json.loads(semantic.HEAD_PATH.read_text())["meta"]
    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in train.training_files()}
    assert meta["train_files"] == files


def test_held_out_sentences_are_never_in_the_training_files() -> None:
    assert len(HELDOUT) >= 2
    held = {json.loads(line)["text"].lower() for path in HELDOUT for line in path.read_text().splitlines() if line}
    assert all(HELDOUT[0].parent != p.parent for p in train.training_files())
    for path in train.training_files():
        for line in path.read_text().splitlines():
            assert json.loads(line)["text"].lower() not in held
