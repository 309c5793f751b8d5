"""Whether a SQL statement is scoped to one server, read from its tokens (no SQL library).

A statement is cut into query blocks: each SELECT, UPDATE, DELETE and INSERT, at every depth of
parentheses (a subquery is a block of its own). A block that uses a per-server table (after FROM,
JOIN, UPDATE or INTO at its own depth) is scoped when:

- SELECT, UPDATE, DELETE: ``guild_id`` (bare or ``alias.guild_id``) appears in its WHERE clause,
  subqueries inside that clause included; ``guild_id`` in the select list or in an ON clause alone
  is not a filter.
- INSERT: ``guild_id`` is in its column list (the row belongs to a server). An INSERT ... SELECT's
  SELECT is a block of its own. The ``DO UPDATE`` of an upsert acts on the row the INSERT named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN = re.compile(r"""
    (?P<string>'(?:[^']|'')*')
  | (?P<quoted>"(?:[^"]|"")*")
  | (?P<comment>--[^\n]*)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<open>\()
  | (?P<close>\))
  | (?P<other>[^\sA-Za-z_()'"]+)
""", re.VERBOSE)

@dataclass
class Group:
    """Tokens inside one pair of parentheses (or the whole statement); nested groups as items."""

    items: list[str | Group] = field(default_factory=list)

    def words(self) -> list[str]:
        """Every token, nested groups flattened."""
        out: list[str] = []
        for item in self.items:
            out += item.words() if isinstance(item, Group) else [item]
        return out


def parse(sql: str) -> Group:
    root = Group()
    stack = [root]
    for match in _TOKEN.finditer(sql):
        kind, text = match.lastgroup, match.group()
        if kind in ("comment", "string"):
            continue
        if kind == "open":
            group = Group()
            stack[-1].items.append(group)
            stack.append(group)
        elif kind == "close":
            if len(stack) > 1:
                stack.pop()
        elif kind == "quoted":
            stack[-1].items.append(text[1:-1].lower())
        else:
            stack[-1].items.append(text.lower())
    return root


STARTS = {"select", "update", "delete", "insert", "replace"}
CLAUSE_END = {"group", "order", "limit", "having", "returning", "union", "intersect", "except", "window", "on"}
TABLE_AFTER = {"from", "join", "update", "into"}


@dataclass(frozen=True)
class Block:
    verb: str
    tables: frozenset[str]
    scoped: bool


def _is_guild_id(word: str) -> bool:
    return word == "guild_id" or word.endswith(".guild_id")


def _blocks_at(group: Group) -> list[Block]:
    """The query blocks at this depth, then those nested in its groups."""
    items = group.items
    found: list[Block] = []
    starts = [i for i, item in enumerate(items) if isinstance(item, str) and item in STARTS
              and not (item == "update" and i > 0 and items[i - 1] == "do")
              and not (item == "replace" and i > 0 and items[i - 1] == "or")]
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(items)
        block = items[start:end]
        verb = str(block[0])
        tables = frozenset(str(block[i + 1]) for i, item in enumerate(block[:-1])
                           if isinstance(item, str) and item in TABLE_AFTER and isinstance(block[i + 1], str)
                           and not (item == "update" and i > 0 and block[i - 1] == "do"))
        if verb in ("insert", "replace"):
            into = next((i for i, item in enumerate(block) if item == "into"), None)
            columns = block[into + 2] if into is not None and into + 2 < len(block) else None
            scoped = isinstance(columns, Group) and any(_is_guild_id(w) for w in columns.words())
        else:
            scoped = False
            inside = False
            for i, item in enumerate(block):
                if item == "where":
                    inside = True
                elif inside and isinstance(item, str) and item in CLAUSE_END:
                    # ON ends a WHERE only as an upsert's ON CONFLICT (a join's ON comes before WHERE)
                    inside = item == "on" and block[i + 1:i + 2] != ["conflict"]
                elif inside:
                    words = item.words() if isinstance(item, Group) else [item]
                    scoped = scoped or any(_is_guild_id(w) for w in words)
        found.append(Block(verb, tables, scoped))
    for item in items:
        if isinstance(item, Group):
            found += _blocks_at(item)
    return found


def blocks(sql: str) -> list[Block]:
    return _blocks_at(parse(sql))


def unscoped_tables(sql: str, per_server: set[str]) -> set[str]:
    """Per-server tables used by a block of ``sql`` that does not filter (or, inserting, set) guild_id."""
    out: set[str] = set()
    for block in blocks(sql):
        used = block.tables & per_server
        if used and not block.scoped:
            out |= used
    return out
