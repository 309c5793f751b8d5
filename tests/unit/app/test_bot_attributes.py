"""No cog-to-cog coupling through attributes on the bot.

A cog never imports another cog; it must not reach one through an attribute it sets on the bot either
(set with ``# type: ignore``, read back with ``getattr``: untyped, and silently absent when the order
of loading changes). What one capability offers another is declared, typed, in
``PeerCirclesBot.__init__`` and filled in through ``PeerCirclesBot.provide`` (bot/client.py).
Outside bot/client.py nothing in bot/ or cogs/ assigns an attribute of the bot, or reads, sets or
tests one by name (``getattr``/``setattr``/``hasattr``/``delattr``).
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.unit.app.source_ast import parse_source, source_files

ROOT = Path(__file__).resolve().parents[3]
SCANNED = ("bot", "cogs")
OWNER = "bot/client.py"
BY_NAME = {"getattr", "setattr", "hasattr", "delattr"}
HOW = "declare the service, typed, in PeerCirclesBot.__init__ and fill it in with bot.provide(...) (bot/client.py)"


def _is_bot(node: ast.expr) -> bool:
    """``bot``, ``self.bot``, ``demo.bot``, ``interaction.client``: the bot object by its usual names."""
    if isinstance(node, ast.Name):
        return node.id == "bot"
    return isinstance(node, ast.Attribute) and node.attr in ("bot", "client")


def problems_in(text: str, rel: str) -> list[str]:
    found = []
    for node in sorted(ast.walk(parse_source(text)), key=lambda n: getattr(n, "lineno", 0)):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and _is_bot(target.value):
                found.append(f"{rel}:{node.lineno}: `{ast.unparse(target)} = ...` sets an attribute on the bot: {HOW}")
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in BY_NAME
                and node.args and _is_bot(node.args[0])):
            found.append(f"{rel}:{node.lineno}: `{ast.unparse(node)}` reaches an attribute of the bot by name: {HOW}")
    return found


def problems(root: Path = ROOT) -> list[str]:
    return [found for rel, text in source_files(root, SCANNED) if rel != OWNER for found in problems_in(text, rel)]


def test_no_cog_sets_or_reads_attributes_on_the_bot() -> None:
    found = problems()
    assert not found, "services between capabilities go through the bot's typed slots:\n" + "\n".join(found)


def test_the_check_catches_each_way_of_breaking_the_rule(tmp_path: Path) -> None:
    (tmp_path / "bot").mkdir()
    (tmp_path / "cogs").mkdir()
    (tmp_path / "bot" / "client.py").write_text("def provide(bot):\n    bot.meeting_times = 1\n", encoding="utf-8")
    (tmp_path / "cogs" / "one.py").write_text(
        "async def setup(bot):\n"
        "    bot.circle_meeting_times = object()  # type: ignore[attr-defined]\n", encoding="utf-8")
    (tmp_path / "cogs" / "two.py").write_text(
        "class Two:\n"
        "    def times(self):\n"
        "        return getattr(self.bot, 'circle_meeting_times', None)\n"
        "    def mark(self, interaction):\n"
        "        interaction.client.seen: int = 1\n", encoding="utf-8")
    assert [line.split(": ")[0] for line in problems(tmp_path)] == ["cogs/one.py:2", "cogs/two.py:3", "cogs/two.py:5"]
