"""Docs point at files that exist: every ``bot/...py``, ``cogs/...py`` and ``tests/...`` path named
in a module docstring (bot/, cogs/, emulator/, tests/) or in docs/*.md, README.md and PRIVACY.md
resolves from the repository root.

Code moves (a module split, a package renamed) and the prose naming it stays behind; a reader who
follows a stale path finds nothing. Paths with placeholders or wildcards (``<package>``, ``*``,
``NAME``, ``...``) name a pattern, not a file, and are skipped.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.unit.app.source_ast import parse_source

ROOT = Path(__file__).resolve().parents[3]
CODE_DIRS = ("bot", "cogs", "emulator", "tests")
DOCS = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md", ROOT / "PRIVACY.md"]

# Not preceded by a path character, so "emulator/bot/x.py" or "a.bot/x.py" are not read as bot/ paths.
PATH = re.compile(r"(?<![\w./<>*-])((?:bot|cogs)/[\w./<>*{}-]*?\.py\b|tests/[\w./<>*{}:-]+)")
PLACEHOLDER = re.compile(r"[<>*{}]|\.\.\.|(?:^|/)[A-Z][A-Z_]*(?:/|\.|$)")


def mentions(line: str) -> list[str]:
    found = []
    for match in PATH.finditer(line):
        path = match.group(1).split("::")[0].split(":")[0].rstrip(".")
        if not PLACEHOLDER.search(path):
            found.append(path)
    return found


def docstring_lines(path: Path) -> list[tuple[int, str]]:
    """The module docstring's source lines, numbered as in the file."""
    source = path.read_text(encoding="utf-8")
    body = parse_source(source).body
    if not body or not isinstance(body[0], ast.Expr) or not isinstance(body[0].value, ast.Constant) \
            or not isinstance(body[0].value.value, str):
        return []
    lines = source.splitlines()
    first, last = body[0].lineno, body[0].end_lineno or body[0].lineno
    return [(n, lines[n - 1]) for n in range(first, last + 1)]


def numbered(path: Path) -> list[tuple[int, str]]:
    if path.suffix == ".py":
        return docstring_lines(path)
    return list(enumerate(path.read_text(encoding="utf-8").splitlines(), start=1))


def stale_mentions() -> list[str]:
    files = [*(p for d in CODE_DIRS for p in sorted((ROOT / d).rglob("*.py"))), *DOCS]
    stale = []
    for file in files:
        for number, line in numbered(file):
            for path in mentions(line):
                if not (ROOT / path).exists():
                    stale.append(f"{file.relative_to(ROOT)}:{number}: {path}")
    return stale


def test_the_path_pattern_reads_paths_and_skips_placeholders() -> None:
    line = "see bot/core/db.py, `tests/unit/<package>/`, cogs/*.py, tests/e2e/x.py::test_y and emulator/bot/z.py."
    assert mentions(line) == ["bot/core/db.py", "tests/e2e/x.py"]


def test_docs_and_module_docstrings_name_paths_that_exist() -> None:
    stale = stale_mentions()
    assert not stale, (
        "these mentions name a path that does not exist (point them at where the code lives now):\n  "
        + "\n  ".join(stale)
    )
