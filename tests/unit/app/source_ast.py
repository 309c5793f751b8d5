"""Parsing the project's own source in tests that read it (guild scoping, doc paths)."""

from __future__ import annotations

import ast
import pickle
import subprocess
import sys


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
