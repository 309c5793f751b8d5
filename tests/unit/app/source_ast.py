"""Reading the project's own source in tests that check it (guild scoping, doc paths, read path ...)."""

from __future__ import annotations

import ast
import pickle
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path


def parse_source(text: str) -> ast.Module:
    """``ast.parse``, surviving a CPython 3.11 bug: deep in a long test session its AST builder can
    miscount its recursion depth ("SystemError: AST constructor recursion depth mismatch", seen
    both under coverage's tracer and without it). The tree is then built in a fresh interpreter
    and sent back pickled (unpickling does not go through the faulty counter)."""
    tracer = sys.gettrace()
    sys.settrace(None)
    try:
        return ast.parse(text)
    except SystemError:
        built = subprocess.run(
            [sys.executable, "-c", "import ast, pickle, sys; sys.stdout.buffer.write("
             "pickle.dumps(ast.parse(sys.stdin.read())))"],
            input=text.encode("utf-8"), capture_output=True, check=True,
        )
        tree: ast.Module = pickle.loads(built.stdout)
        return tree
    finally:
        sys.settrace(tracer)


def source_files(root: Path, tops: tuple[str, ...] = ("bot", "cogs")) -> Iterator[tuple[str, str]]:
    """(path relative to ``root`` in POSIX form, text) of every Python file under ``tops``, in order."""
    for top in tops:
        for path in sorted((root / top).rglob("*.py")):
            yield path.relative_to(root).as_posix(), path.read_text(encoding="utf-8")
