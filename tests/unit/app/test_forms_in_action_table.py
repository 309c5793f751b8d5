"""Forms go through the Action table: no cog answers a modal submit by itself.

A cog's own ``on_interaction`` matching a form's custom_id (and checking who may submit it by hand),
or a Modal's ``on_submit`` (forgotten at a restart, so a form submitted after one goes unanswered),
bypasses the declared audience. Forms are ``form(method, audience)`` entries of a cog's
``component_actions``, answered by ``cogs.common.components.submit_modal`` (whose audience the
permission matrix tests); nothing else in bot/ or cogs/ names ``InteractionType.modal_submit`` or
defines ``on_submit``.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.unit.app.source_ast import parse_source, source_files

ROOT = Path(__file__).resolve().parents[3]
DISPATCHER = "cogs/common/components.py"
HOW = "declare it as form(method, audience) in the cog's component_actions (cogs/common/components.py)"


def problems(root: Path = ROOT) -> list[str]:
    found = []
    for rel, text in source_files(root):
        if rel == DISPATCHER:
            continue
        for node in sorted(ast.walk(parse_source(text)), key=lambda n: getattr(n, "lineno", 0)):
            if isinstance(node, ast.Attribute) and node.attr == "modal_submit":
                found.append(f"{rel}:{node.lineno}: answers form submits by itself: {HOW}")
            elif isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef) and node.name == "on_submit":
                found.append(f"{rel}:{node.lineno}: Modal.on_submit is forgotten at a restart: {HOW}")
    return found


def test_every_form_is_answered_through_the_action_table() -> None:
    found = problems()
    assert not found, "\n".join(found)


def test_the_check_finds_a_listener_and_an_on_submit(tmp_path: Path) -> None:
    (tmp_path / "bot").mkdir()
    (tmp_path / "cogs").mkdir()
    (tmp_path / "cogs" / "leaky.py").write_text(
        "class Cog:\n"
        "    async def on_interaction(self, interaction):\n"
        "        if interaction.type is discord.InteractionType.modal_submit:\n"
        "            pass\n"
        "class Form(discord.ui.Modal):\n"
        "    async def on_submit(self, interaction):\n"
        "        pass\n", encoding="utf-8")
    assert [line.split(": ")[0] for line in problems(tmp_path)] == ["cogs/leaky.py:3", "cogs/leaky.py:6"]
