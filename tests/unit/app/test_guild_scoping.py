"""Every query on a per-server table filters by guild_id (data of one server is never visible from,
or changed by, another), read from the SQL in bot/ and cogs/ themselves.

Per-server tables are those whose schema has a guild_id column (after every migration). Each SQL
string (literals, f-strings and '+' joins of them, with module constants they name filled in),
in a function or held in a module or class constant, is cut into query blocks
(``tests/unit/app/sql_scope.py``): every SELECT, UPDATE and DELETE on such a table has guild_id in
its WHERE clause, every INSERT in its column list. The only exceptions are the sweeps that span
servers by design, named below with why.
"""

from __future__ import annotations

import ast
import re
import sqlite3
from pathlib import Path

from bot.core.db import _split_statements, discover_migrations
from bot.core.postgres import engine_sections
from tests.unit.app.source_ast import parse_source
from tests.unit.app.sql_scope import unscoped_tables

ROOT = Path(__file__).resolve().parents[3]
SCANNED = ("bot", "cogs")

# (file, function or constant) -> why it may span servers.
SPANS_SERVERS: dict[tuple[str, str], str] = {
    ("bot/delivery/scheduler.py", "_warn_unregistered"): "counts due schedules of every server at start-up",
    ("bot/delivery/schedules.py", "due"): "the scheduler's sweep: every server's due schedules",
    ("bot/delivery/schedules.py", "any_due"): "the scheduler's sweep: is anything due anywhere",
    ("bot/delivery/schedules.py", "upcoming_instants"): "the scheduler's window: every server's next instants",
    ("bot/delivery/schedules.py", "advance"): "moves the sweep's schedules on, by the ids the sweep read",
    ("bot/delivery/schedules.py", "record_occurrences"): "records the sweep's occurrences, by schedule id",
    ("bot/delivery/schedules.py", "prune_occurrences"): "retention: old occurrence records of every server",
    ("bot/delivery/outbox.py", "_has_due_work"): "the outbox worker: is anything due anywhere",
    ("bot/delivery/outbox.py", "_next_attempt_at"): "the outbox worker: the next row due anywhere",
    ("bot/delivery/outbox.py", "_claim"): "the outbox worker claims due rows of every server, by row id",
    ("bot/delivery/outbox.py", "_record"): "the outbox worker records a send result, by row id",
    ("bot/delivery/outbox.py", "_fail"): "the outbox worker records a failure, by row id",
    ("bot/delivery/status.py", "render_status"): "the operator's status: counts across servers, no content",
    ("bot/privacy/errors_seen.py", "prune"): "retention: hourly error counts (kinds, no content) of every server",
    ("bot/cases/crisis.py", "has_pending"): "in DMs (no server) a member's waiting crisis card from any server;"
                                            " in a server it filters by guild_id",
    ("bot/delivery/leases.py", "recover"): "claims whose lease ran out (a dead process's, of any server), or at"
                                           " start this process's own from an earlier life",
    ("bot/delivery/leases.py", "renew"): "this process's own claims, of whichever servers it holds",
    ("bot/cases/closed_dm.py", "to_open"): "the closed-DM worker's sweep: crisis-card threads still to open,"
                                           " any server",
    ("bot/cases/crisis.py", "take_pending"): "as has_pending: in DMs the waiting card from any server",
    ("bot/cases/relay.py", "relay_of_member"): "a member's DM to the bot: their open relay in whichever server",
    ("bot/cases/relay.py", "relays_of_member"): "a member's DM to the bot: their open relays, one per server",
    ("bot/members/servers.py", "servers_of"): "a member's DM to the bot: the servers they share with it (another"
                                              " process may hold them, issue 28)",
    ("bot/circles/consent.py", "may_use_from_dm"): "a DM button carries only a circle id: its server is found by"
                                                   " the member's own seat or waitlist place in it",
    ("bot/circles/norms.py", "pause_overdue"): "the deadline sweep: overdue re-consents of every server",
    ("bot/circles/waitlist.py", "expire_offers"): "the deadline sweep: expired waitlist offers of every server",
    ("bot/delivery/schedules.py", "next_fires"): "the scheduler's window: the next fires across servers",
    ("bot/privacy/departures.py", "due_departures"): "the purge sweep: servers whose grace period has ended",
    ("bot/stories/records.py", "claim_ready"): "the publisher's sweep: the oldest ready story of any server"
                                               " (or of the servers given)",
    ("bot/delivery/housekeeping.py", "prune_outbox"): "the daily clean-up: spent outbox rows of every server",
    ("bot/delivery/housekeeping.py", "prune_spent_schedules"): "the daily clean-up: spent one-off schedules of every"
                                                           " server",
    ("bot/cases/data_rights.py", "prune_screened"): "the daily clean-up: screened message ids (no member, no text)"
                                                " of every server",
    ("bot/stories/records.py", "any_keyed_rows"): "the start-up check: does any server hold rows only the"
                                               " anonymity key can match (then a missing key is fatal)",
}

SQL_START = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|REPLACE)\b", re.IGNORECASE)


def per_server_tables() -> set[str]:
    conn = sqlite3.connect(":memory:")
    for migration in discover_migrations():
        for statement in _split_statements(engine_sections(migration.sql, "sqlite")):
            conn.execute(statement)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {t for t in tables if any(c[1] == "guild_id" for c in conn.execute(f"PRAGMA table_info({t})"))}


class _Source:
    """One file's SQL: string expressions, with the module's string constants they name filled in."""

    def __init__(self, tree: ast.Module) -> None:
        self.constants: dict[str, str] = {}
        self.composed: set[str] = set()  # constants used as a piece of a longer statement
        for node in tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                text = self.text(node.value) if node.value is not None else None
                for target in targets:
                    if isinstance(target, ast.Name) and text is not None:
                        self.constants[target.id] = text

    def text(self, node: ast.AST) -> str | None:
        """The SQL text of a string expression: literal, f-string (placeholders as '?', constants
        filled in), a '+' join, or a module constant's name."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name):
            return self.constants.get(node.id)
        if isinstance(node, ast.JoinedStr):
            parts = []
            for value in node.values:
                if isinstance(value, ast.Constant):
                    parts.append(str(value.value))
                elif isinstance(value, ast.FormattedValue) and isinstance(value.value, ast.Name) \
                        and value.value.id in self.constants and self._compose(value.value.id):
                    parts.append(self.constants[value.value.id])
                else:
                    parts.append(" ? ")
            return "".join(parts)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.text(node.left), self.text(node.right)
            if left is None and right is None:
                return None
            for side in (node.left, node.right):
                if isinstance(side, ast.Name) and side.id in self.constants:
                    self._compose(side.id)
            return (left or " ? ") + (right or " ? ")
        return None

    def _compose(self, name: str) -> bool:
        self.composed.add(name)
        return True


def _scopes(tree: ast.Module) -> list[tuple[str, ast.AST]]:
    """(name, node) to read SQL in: every function, and each module or class constant by its name."""
    found: list[tuple[str, ast.AST]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found.append((node.name, node))
        elif isinstance(node, ast.Module | ast.ClassDef):
            for stmt in node.body:
                if isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is not None:
                    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                    names = [t.id for t in targets if isinstance(t, ast.Name)]
                    found.append((names[0] if names else "<constant>", stmt.value))
    return found


def sql_in(root: Path = ROOT) -> list[tuple[str, str, int, str]]:
    """(file, function or constant, line, sql) for every SQL statement in bot/ and cogs/. A module
    constant that is only a piece of longer statements is checked where it is used."""
    found: list[tuple[str, str, int, str]] = []
    for top in SCANNED:
        for path in sorted((root / top).rglob("*.py")):
            tree = parse_source(path.read_text(encoding="utf-8"))
            rel = path.relative_to(root).as_posix()
            source = _Source(tree)
            pending: list[tuple[str, str, int, str]] = []
            for name, scope in _scopes(tree):
                seen: set[int] = set()
                for node in ast.walk(scope):
                    if id(node) in seen:
                        continue
                    text = source.text(node) if not isinstance(node, ast.Name) else None
                    if text is None or not SQL_START.match(text):
                        continue
                    for sub in ast.walk(node):
                        seen.add(id(sub))
                    pending.append((rel, name, getattr(node, "lineno", 0), text))
            found += [entry for entry in pending
                      if not (entry[1] in source.composed and entry[3] == source.constants.get(entry[1]))]
    return found


def unscoped(root: Path = ROOT) -> list[str]:
    tables = per_server_tables()
    out = []
    for rel, scope, line, sql in sql_in(root):
        missing = unscoped_tables(sql, tables)
        if missing and (rel, scope) not in SPANS_SERVERS:
            out.append(f"{rel}:{line} in {scope}: {', '.join(sorted(missing))}: {' '.join(sql.split())[:140]}")
    return out


def test_the_scan_finds_sql_and_per_server_tables() -> None:
    assert {"circles", "circle_seats", "outbox", "schedules"} <= per_server_tables()
    statements = sql_in()
    assert len(statements) > 50, "the scan reads the bot's SQL"
    assert any(rel.startswith("cogs/") for rel, *_ in statements), "the scan reads the cogs' SQL"
    assert any(rel == "bot/cases/relay.py" and "source = 'reach_out'" in sql and "guild_id = ?" in sql
               for rel, _s, _l, sql in statements), \
        "the scan fills in SQL held in module constants"


LEAKS = {
    "bot/leaky.py": (
        'async def leaky(db, circle_id):\n'
        '    return await db.fetchall("SELECT user_id FROM circle_seats WHERE circle_id = ?", (circle_id,))\n'),
    "bot/selected.py": (
        'async def only_selected(db, circle_id):\n'
        '    return await db.fetchall("SELECT guild_id, user_id FROM circle_seats WHERE circle_id = ?", (1,))\n'),
    "bot/constant.py": (
        '_SEATS = "SELECT user_id FROM circle_seats WHERE status = \'active\'"\n'
        'async def seats(db, circle_id):\n'
        '    return await db.fetchall(_SEATS + " AND circle_id = ?", (circle_id,))\n'),
    "bot/held.py": 'ALL_SEATS = "DELETE FROM circle_seats WHERE circle_id = ?"\n',
    "bot/inserted.py": (
        'async def add(conn):\n'
        '    await conn.execute("INSERT INTO circle_seats (circle_id, user_id) VALUES (?, ?)", (1, 2))\n'),
    "cogs/leaky.py": (
        'async def show(self, circle_id):\n'
        '    return await self.bot.db.fetchone("SELECT name FROM circles WHERE id = ?", (circle_id,))\n'),
}


def test_the_scan_catches_each_kind_of_unscoped_query(tmp_path: Path) -> None:
    for rel, text in LEAKS.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    (tmp_path / "bot" / "fine.py").write_text(
        'Q = "SELECT c.name, (SELECT COUNT(*) FROM circle_seats s WHERE s.guild_id = c.guild_id) FROM circles c"\n'
        'async def one(db, gid):\n'
        '    return await db.fetchall(Q + " WHERE c.guild_id = ?", (gid,))\n', encoding="utf-8")
    assert sorted(line.split(":")[0] for line in unscoped(tmp_path)) == sorted(LEAKS)


def test_every_query_on_a_per_server_table_filters_by_guild_id() -> None:
    problems = unscoped()
    assert not problems, ("queries on per-server tables without guild_id in their WHERE clause (or, for an "
                          "INSERT, its columns):\n" + "\n".join(problems))


def test_every_allow_listed_sweep_still_exists() -> None:
    scopes = {(rel, scope) for rel, scope, _line, _sql in sql_in()}
    assert set(SPANS_SERVERS) <= scopes, set(SPANS_SERVERS) - scopes
