"""Every query on a per-server table filters by guild_id (data of one server is never visible from,
or changed by, another), read from the SQL in bot/ itself.

Per-server tables are those whose schema has a guild_id column (after every migration). Each SQL
string in bot/ (literals, f-strings and '+' joins of them, taken per function call) that reads or
changes such a table must mention guild_id. The only exceptions are the sweeps that span servers
by design, named below with why.
"""

from __future__ import annotations

import ast
import re
import sqlite3
from pathlib import Path

import pytest

from bot.core.db import _split_statements, discover_migrations
from tests.unit.app.source_ast import parse_source

BOT = Path(__file__).resolve().parents[3] / "bot"

# (file relative to bot/, function) -> why it may span servers.
SPANS_SERVERS: dict[tuple[str, str], str] = {
    ("delivery/scheduler.py", "_warn_unregistered"): "counts due schedules of every server at start-up",
    ("delivery/schedules.py", "due"): "the scheduler's sweep: every server's due schedules",
    ("delivery/schedules.py", "any_due"): "the scheduler's sweep: is anything due anywhere",
    ("delivery/schedules.py", "upcoming_instants"): "the scheduler's window: every server's next instants",
    ("delivery/schedules.py", "advance"): "moves the sweep's schedules on, by the ids the sweep read",
    ("delivery/schedules.py", "record_occurrences"): "records the sweep's occurrences, by schedule id",
    ("delivery/schedules.py", "prune_occurrences"): "retention: old occurrence records of every server",
    ("delivery/outbox.py", "reconcile"): "the outbox worker's start: rows of every server left 'sending'",
    ("delivery/outbox.py", "_has_due_work"): "the outbox worker: is anything due anywhere",
    ("delivery/outbox.py", "_next_attempt_at"): "the outbox worker: the next row due anywhere",
    ("delivery/outbox.py", "_claim"): "the outbox worker claims due rows of every server, by row id",
    ("delivery/outbox.py", "_record"): "the outbox worker records a send result, by row id",
    ("delivery/outbox.py", "_fail"): "the outbox worker records a failure, by row id",
    ("delivery/status.py", "render_status"): "the operator's status: counts across servers, no content",
    ("delivery/housekeeping.py", "prune_outbox"): "the daily clean-up: spent outbox rows of every server",
    ("delivery/housekeeping.py", "prune_spent_schedules"): "the daily clean-up: spent one-off schedules of every"
                                                           " server",
    ("cases/data_rights.py", "prune_screened"): "the daily clean-up: screened message ids (no member, no text)"
                                                " of every server",
    ("privacy/errors_seen.py", "prune"): "retention: hourly error counts (kinds, no content) of every server",
    ("cases/crisis.py", "has_pending"): "in DMs (no server) a member's waiting crisis card from any server;"
                                        " in a server it filters by guild_id",
    ("stories/records.py", "any_keyed_rows"): "the start-up check: does any server hold rows only the"
                                               " anonymity key can match (then a missing key is fatal)",
    ("stories/records.py", "interrupted_to_ready"): "the start-up sweep: stories of every server a crash left"
                                                     " 'publishing' are published again",
    ("cases/closed_dm.py", "to_open"): "the closed-DM worker's sweep: crisis-card threads still to open, any server",
    ("cases/closed_dm.py", "interrupted_to_wanted"): "the start-up sweep: thread openings a crash interrupted",
}

SQL_START = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|REPLACE)\b", re.IGNORECASE)
TABLE_USE = re.compile(r"\b(?:FROM|JOIN|UPDATE|INTO)\s+([a-z_][a-z0-9_]*)", re.IGNORECASE)


def per_server_tables() -> set[str]:
    conn = sqlite3.connect(":memory:")
    for migration in discover_migrations():
        for statement in _split_statements(migration.sql):
            conn.execute(statement)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {t for t in tables if any(c[1] == "guild_id" for c in conn.execute(f"PRAGMA table_info({t})"))}


def _text(node: ast.AST) -> str | None:
    """The SQL text of a string expression: literal, f-string (placeholders as '?'), or a '+' join."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else " ? " for v in node.values)  # type: ignore[misc]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text(node.left), _text(node.right)
        if left is None and right is None:
            return None
        return (left or " ? ") + (right or " ? ")
    return None


def sql_in_bot() -> list[tuple[str, str, int, str]]:
    """(file, function, line, sql) for every SQL string in bot/."""
    found: list[tuple[str, str, int, str]] = []
    for path in sorted(BOT.rglob("*.py")):
        tree = parse_source(path.read_text(encoding="utf-8"))
        rel = path.relative_to(BOT).as_posix()
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            seen: set[int] = set()
            for node in ast.walk(func):
                if id(node) in seen:
                    continue
                text = _text(node)
                if text is None or not SQL_START.match(text):
                    continue
                for sub in ast.walk(node):
                    seen.add(id(sub))
                found.append((rel, func.name, getattr(node, "lineno", 0), text))
    return found


def unscoped() -> list[str]:
    tables = per_server_tables()
    out = []
    for rel, func, line, sql in sql_in_bot():
        used = {t.lower() for t in TABLE_USE.findall(sql)} & tables
        if used and "guild_id" not in sql and (rel, func) not in SPANS_SERVERS:
            out.append(f"bot/{rel}:{line} in {func}: {', '.join(sorted(used))}: {' '.join(sql.split())[:100]}")
    return out


def test_the_scan_finds_sql_and_per_server_tables() -> None:
    assert {"circles", "circle_seats", "outbox", "schedules"} <= per_server_tables()
    assert len(sql_in_bot()) > 50, "the scan reads the bot's SQL"


def test_the_scan_catches_a_query_without_guild_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    global BOT
    (tmp_path / "leaky.py").write_text(
        'async def leaky(db, circle_id):\n'
        '    return await db.fetchall("SELECT user_id FROM circle_seats WHERE circle_id = ?", (circle_id,))\n',
        encoding="utf-8")
    monkeypatch.setattr(__import__(__name__), "BOT", tmp_path, raising=False)
    saved, BOT = BOT, tmp_path
    try:
        assert [line.split(":")[0] for line in unscoped()] == ["bot/leaky.py"]
    finally:
        BOT = saved


def test_every_query_on_a_per_server_table_filters_by_guild_id() -> None:
    problems = unscoped()
    assert not problems, "queries on per-server tables without guild_id:\n" + "\n".join(problems)


def test_every_allow_listed_sweep_still_exists() -> None:
    functions = {(rel, func) for rel, func, _line, _sql in sql_in_bot()}
    assert set(SPANS_SERVERS) <= functions, set(SPANS_SERVERS) - functions
