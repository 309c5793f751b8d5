"""One way to read: outside a transaction through the reader, inside one through its connection.

``Database.conn`` is the write connection. Read through it outside a transaction, a query sees
another task's transaction that may still roll back, and waits behind its writes; so nothing outside
bot/core/db.py touches it. Outside a transaction code reads with ``db.fetchone``/``fetchall``/
``fetchval``, hands ``db.reader`` to a function that takes a connection (which reads with
``read_one``/``read_all``), or ``db.snapshot()`` for a read of many tables that must agree; inside
``async with db.transaction() as conn`` it uses ``conn``. Functions take a connection, never
"a connection or a Database" (no ``isinstance(x, Database)`` branches).
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.unit.app.source_ast import parse_source, source_files

ROOT = Path(__file__).resolve().parents[3]
SCANNED = ("bot", "cogs")
OWNER = "bot/core/db.py"

HOW = ("use db.fetchone/fetchall/fetchval, pass db.reader (or `async with db.snapshot()` for a read of many "
       "tables) outside a transaction, and the `conn` of `async with db.transaction() as conn` inside one")


def problems_in(text: str, rel: str) -> list[str]:
    found = []
    for node in sorted(ast.walk(parse_source(text)), key=lambda n: getattr(n, "lineno", 0)):
        if isinstance(node, ast.Attribute) and node.attr == "conn":
            found.append(f"{rel}:{node.lineno}: `{ast.unparse(node)}` is the database's write connection "
                         f"(bot/core/db.py only): {HOW}")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
              and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) and node.args[1].value == "conn"):
            found.append(f"{rel}:{node.lineno}: getattr(..., 'conn') reaches the write connection: {HOW}")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "isinstance"
              and len(node.args) == 2 and "Database" in {n.id for n in ast.walk(node.args[1])
                                                          if isinstance(n, ast.Name)}):
            found.append(f"{rel}:{node.lineno}: `{ast.unparse(node)}`: a function takes a connection "
                         "(the caller passes db.reader or its transaction's conn), not 'a connection or a Database'")
    return found


def problems(root: Path = ROOT) -> list[str]:
    return [found for rel, text in source_files(root, SCANNED) if rel != OWNER for found in problems_in(text, rel)]


def test_nothing_outside_the_database_module_reads_through_the_write_connection() -> None:
    found = problems()
    assert not found, "reads must go through the reader or a transaction's connection:\n" + "\n".join(found)


def test_the_check_catches_each_way_of_breaking_the_rule(tmp_path: Path) -> None:
    (tmp_path / "bot" / "core").mkdir(parents=True)
    (tmp_path / "cogs").mkdir()
    (tmp_path / "bot" / "core" / "db.py").write_text("def conn(db):\n    return db.conn\n", encoding="utf-8")
    (tmp_path / "bot" / "leaky.py").write_text(
        "async def count(db):\n"
        "    return await seats(db.conn, 1)\n"
        "async def either(conn_or_db):\n"
        "    if isinstance(conn_or_db, Database):\n"
        "        return 1\n", encoding="utf-8")
    (tmp_path / "cogs" / "leaky.py").write_text(
        "async def show(self):\n"
        "    conn = self.bot.db.conn\n"
        "    other = getattr(self.bot.db, 'conn')\n", encoding="utf-8")
    found = problems(tmp_path)
    assert [line.split(": ")[0] for line in found] == [
        "bot/leaky.py:2", "bot/leaky.py:4", "cogs/leaky.py:2", "cogs/leaky.py:3"]
    assert "self.bot.db.conn" in found[2] and "db.reader" in found[2]
