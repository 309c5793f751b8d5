"""What the product wheel carries: the models the bot runs on, not the data they were trained on
(issue 27). Read from pyproject.toml, the one place that decides it."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

from tests.unit.app.source_ast import parse_source, source_files

ROOT = Path(__file__).resolve().parents[3]


def package_data() -> dict[str, list[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    data: dict[str, list[str]] = config["tool"]["setuptools"]["package-data"]
    return data


def test_the_training_data_stays_out_of_the_wheel() -> None:
    patterns = [p for pats in package_data().values() for p in pats]
    assert not [p for p in patterns if "training" in p], "training data belongs to the repo, not the wheel"


def test_the_models_the_bot_runs_on_are_in_it() -> None:
    assert {"data/*", "data/encoder/*"} <= set(package_data()["bot.screening"])


def test_nothing_the_bot_runs_reads_the_training_folder() -> None:
    """Only the training tools (run from a checkout) name bot/screening/training."""
    tools = {"train.py", "finetune.py"}
    readers = []
    for rel, text in source_files(ROOT):
        if rel in {f"bot/screening/{tool}" for tool in tools}:
            continue
        if any(isinstance(n, ast.Constant) and n.value == "training" for n in ast.walk(parse_source(text))):
            readers.append(rel)
    assert readers == []
