"""Which tables hold personal data, and how a member's rows in each are shown, exported and erased.

Each capability declares its tables here when its package is imported (``register`` in its
``__init__``), so the privacy package reads this registry and imports no capability. A table
that holds nothing about a member is declared with ``not_personal`` and a reason. A unit test
lists the schema's tables and fails on any table that is not declared.

A member's rows are found by ``guild_id`` and the member columns; the default export selects
them and the default erasure deletes them, in the caller's transaction. A capability whose
table needs more (an append-only log, a row to anonymise rather than delete) passes its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiosqlite

Export = Callable[[aiosqlite.Connection, int, int], Awaitable[list[dict[str, Any]]]]
Erase = Callable[[aiosqlite.Connection, int, int], Awaitable[int]]


@dataclass(frozen=True)
class PersonalTable:
    table: str
    owner: str  # the capability package that declared it, e.g. "circles"
    holds: str  # for the member, in plain words: "which version of each circle's norms you agreed to"
    kept: str  # for how long, in plain words: "while you hold the seat", "90 days"
    seen_by: str  # who can see it: "you and the circle's facilitators"
    member_columns: tuple[str, ...]  # columns that hold a member's user id
    export: Export | None = None  # default: every column of the member's rows
    erase: Erase | None = None  # default: delete the member's rows
    retention_setting: str | None = None  # the guild setting (days) a daily job enforces, if any
    extra: dict[str, Any] = field(default_factory=dict)

    def _where(self) -> str:
        columns = " OR ".join(f"{c} = ?" for c in self.member_columns)
        return f"guild_id = ? AND ({columns})"

    async def export_rows(self, conn: aiosqlite.Connection, guild_id: int, user_id: int) -> list[dict[str, Any]]:
        if self.export is not None:
            return await self.export(conn, guild_id, user_id)
        params = [guild_id, *([user_id] * len(self.member_columns))]
        async with conn.execute(f"SELECT * FROM {self.table} WHERE {self._where()}", params) as cursor:
            rows = await cursor.fetchall()
            names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in rows]

    async def count_rows(self, conn: aiosqlite.Connection, guild_id: int, user_id: int) -> int:
        params = [guild_id, *([user_id] * len(self.member_columns))]
        async with conn.execute(f"SELECT COUNT(*) FROM {self.table} WHERE {self._where()}", params) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def erase_rows(self, conn: aiosqlite.Connection, guild_id: int, user_id: int) -> int:
        if self.erase is not None:
            return await self.erase(conn, guild_id, user_id)
        params = [guild_id, *([user_id] * len(self.member_columns))]
        cursor = await conn.execute(f"DELETE FROM {self.table} WHERE {self._where()}", params)
        return cursor.rowcount


_PERSONAL: dict[str, PersonalTable] = {}
_NOT_PERSONAL: dict[str, str] = {}


def register(table: PersonalTable) -> None:
    """Declare a table that holds personal data (idempotent for the same declaration)."""
    if table.table in _NOT_PERSONAL:
        raise ValueError(f"{table.table} is already declared as holding no personal data")
    _PERSONAL[table.table] = table


def not_personal(table: str, why: str) -> None:
    """Declare a table that holds nothing about any member, with the reason."""
    if table in _PERSONAL:
        raise ValueError(f"{table} is already declared as personal data")
    _NOT_PERSONAL[table] = why


def personal_tables() -> list[PersonalTable]:
    return [_PERSONAL[name] for name in sorted(_PERSONAL)]


def declared() -> set[str]:
    return set(_PERSONAL) | set(_NOT_PERSONAL)


def delete_and_anonymise(table: str, delete_by: tuple[str, ...], anonymise: tuple[str, ...]) -> Erase:
    """An erasure that deletes the member's own rows and blanks their id (to 0) where they only
    acted on someone else's row (an organiser who added a facilitator), keeping the row itself."""

    async def erase(conn: aiosqlite.Connection, guild_id: int, user_id: int) -> int:
        changed = 0
        for column in delete_by:
            cursor = await conn.execute(f"DELETE FROM {table} WHERE guild_id = ? AND {column} = ?", (guild_id, user_id))
            changed += cursor.rowcount
        for column in anonymise:
            cursor = await conn.execute(
                f"UPDATE {table} SET {column} = 0 WHERE guild_id = ? AND {column} = ?", (guild_id, user_id)
            )
            changed += cursor.rowcount
        return changed

    return erase
