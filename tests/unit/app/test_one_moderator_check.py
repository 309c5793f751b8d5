"""One moderator check: ``cogs.common.context.require_moderator`` (on ``bot.core.permissions.is_moderator``).

Cogs call it directly; a wrapper of their own (a second name, other refusal words) is how checks
drift apart, so no function named like it is defined anywhere else in bot/ or cogs/.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.unit.app.source_ast import parse_source, source_files

ROOT = Path(__file__).resolve().parents[3]
HOMES = {"cogs/common/context.py": "require_moderator", "bot/core/permissions.py": "is_moderator"}


def wrappers(root: Path = ROOT) -> list[str]:
    found = []
    for rel, text in source_files(root):
        for node in ast.walk(parse_source(text)):
            if (isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                    and any(name in node.name for name in HOMES.values())
                    and HOMES.get(rel) != node.name):
                found.append(f"{rel}:{node.lineno}: {node.name} wraps the moderator check: call "
                             "cogs.common.context.require_moderator(bot, interaction) instead")
    return found


def test_there_is_one_moderator_check() -> None:
    found = wrappers()
    assert not found, "\n".join(found)


def test_the_check_finds_a_wrapper(tmp_path: Path) -> None:
    (tmp_path / "bot").mkdir()
    (tmp_path / "cogs" / "common").mkdir(parents=True)
    (tmp_path / "cogs" / "common" / "context.py").write_text("async def require_moderator(b, i): ...\n")
    (tmp_path / "cogs" / "stories.py").write_text(
        "class Admin:\n    async def _require_moderator(self, interaction): ...\n")
    assert [line.split(": ")[0] for line in wrappers(tmp_path)] == ["cogs/stories.py:2"]
