"""Which tables hold personal data, and how a member's rows in each are shown, exported and erased.

Each capability declares its tables here when its package is imported (``register`` in its
``__init__``), so the privacy package reads this registry and imports no capability. A table
that holds nothing about a member is declared with ``not_personal`` and a reason. A unit test
lists the schema's tables and fails on any table that is not declared.

A member's rows are found by ``guild_id`` and the member columns; the default export selects
them and the default erasure deletes them, in the caller's transaction. A capability whose
table needs more (an append-only log, a row to anonymise rather than delete) passes its own.

Retention: a table naming a ``retention_setting`` (one of ``RETENTION_SETTINGS``, days kept per
server in bot.privacy's settings) also gives ``age_column`` (ISO UTC text: rows older than the
cut-off go) and/or ``retention_where`` (an SQL condition that may use ``:guild_id`` and
``:cutoff``, e.g. only resolved cases). A server's data goes with ``erase_guild`` (default: every
row with its ``guild_id``) when the bot has been removed from it for the grace period.

Schedules a member owns (``schedules.owner_id`` is their user id) are cancelled on erasure for
every kind declared with ``register_member_schedule_kind``; a capability whose schedules are owned
by a row (a goal) cancels them in its table's own ``erase``. See docs/privacy.md.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.core.db import Conn

Export = Callable[[Conn, int, int], Awaitable[list[dict[str, Any]]]]
Erase = Callable[[Conn, int, int], Awaitable[int]]
EraseGuild = Callable[[Conn, int], Awaitable[int]]
# (conn, guild_id, receipts) -> rows the receipts prove are the member's (anonymous stories).
ReceiptLookup = Callable[[Conn, int, list[str]], Awaitable[list[dict[str, Any]]]]

# The retention settings a table may name (days; defaults in bot.privacy.settings).
RETENTION_SETTINGS = (
    "retention_attendance_days",
    "retention_goal_answers_days",
    "retention_cases_days",
    "retention_declined_stories_days",
)


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
    # Optional, added for retention and server removal (see the module docstring):
    age_column: str | None = None  # ISO UTC time a row's age counts from (retention)
    retention_where: str | None = None  # extra SQL condition for expiry; may use :guild_id, :cutoff
    erase_guild: EraseGuild | None = None  # default: DELETE every row of the server
    # A record about conduct (a case): erasure keeps what happened and when with the member
    # replaced by a placeholder, until the server's retention removes it; /privacy says so.
    conduct_record: bool = False
    # SQL selecting Discord role ids the member's rows grant (``:guild_id``, ``:user_id``): after
    # an erasure the bot takes those roles away, since the rows that justified them are gone.
    grants_roles: str | None = None

    async def granted_roles(self, conn: Conn, guild_id: int, user_id: int) -> set[int]:
        if self.grants_roles is None:
            return set()
        async with conn.execute(self.grants_roles, {"guild_id": guild_id, "user_id": user_id}) as cursor:
            return {int(r[0]) for r in await cursor.fetchall() if r[0] is not None}

    async def expire_rows(self, conn: Conn, guild_id: int, cutoff: str) -> int:
        """Delete this server's rows past retention (``cutoff`` is ISO UTC); 0 without a rule."""
        if self.retention_setting is None:
            return 0
        return await _expire(conn, self.table, self.age_column, self.retention_where, guild_id, cutoff)

    async def erase_server(self, conn: Conn, guild_id: int) -> int:
        if self.erase_guild is not None:
            return await self.erase_guild(conn, guild_id)
        cursor = await conn.execute(f"DELETE FROM {self.table} WHERE guild_id = ?", (guild_id,))
        return cursor.rowcount

    def _where(self) -> str:
        columns = " OR ".join(f"{c} = ?" for c in self.member_columns)
        return f"guild_id = ? AND ({columns})"

    async def export_rows(self, conn: Conn, guild_id: int, user_id: int) -> list[dict[str, Any]]:
        if self.export is not None:
            return await self.export(conn, guild_id, user_id)
        if not self.member_columns:  # anonymous rows: found only through receipts
            return []
        params = [guild_id, *([user_id] * len(self.member_columns))]
        async with conn.execute(f"SELECT * FROM {self.table} WHERE {self._where()}", params) as cursor:
            rows = await cursor.fetchall()
            names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in rows]

    async def count_rows(self, conn: Conn, guild_id: int, user_id: int) -> int:
        if not self.member_columns:
            return 0
        params = [guild_id, *([user_id] * len(self.member_columns))]
        async with conn.execute(f"SELECT COUNT(*) FROM {self.table} WHERE {self._where()}", params) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def erase_rows(self, conn: Conn, guild_id: int, user_id: int) -> int:
        if self.erase is not None:
            return await self.erase(conn, guild_id, user_id)
        if not self.member_columns:
            return 0
        params = [guild_id, *([user_id] * len(self.member_columns))]
        cursor = await conn.execute(f"DELETE FROM {self.table} WHERE {self._where()}", params)
        return cursor.rowcount


async def _expire(conn: Conn, table: str, age_column: str | None, where: str | None,
                  guild_id: int, cutoff: str) -> int:
    if age_column is None and where is None:
        return 0
    sql = f"DELETE FROM {table} WHERE guild_id = :guild_id"
    if age_column is not None:
        sql += f" AND {age_column} IS NOT NULL AND {age_column} < :cutoff"
    if where is not None:
        sql += f" AND ({where})"
    cursor = await conn.execute(sql, {"guild_id": guild_id, "cutoff": cutoff})
    return cursor.rowcount


@dataclass(frozen=True)
class Expiry:
    """A retention rule on a table that holds no member id (declined anonymous stories): the daily
    retention job deletes its rows past the server's ``retention_setting`` like a personal table's."""

    table: str
    retention_setting: str
    age_column: str | None = None
    retention_where: str | None = None

    async def expire_rows(self, conn: Conn, guild_id: int, cutoff: str) -> int:
        return await _expire(conn, self.table, self.age_column, self.retention_where, guild_id, cutoff)


_EXPIRIES: dict[str, Expiry] = {}


def register_expiry(expiry: Expiry) -> None:
    """Declare a retention rule for a table declared ``not_personal`` (see ``Expiry``)."""
    _EXPIRIES[expiry.table] = expiry


def expiries() -> list[Expiry]:
    return [_EXPIRIES[name] for name in sorted(_EXPIRIES)]


_PERSONAL: dict[str, PersonalTable] = {}
_NOT_PERSONAL: dict[str, str] = {}
_MEMBER_SCHEDULE_KINDS: set[str] = set()
_RECEIPT_LOOKUPS: dict[str, ReceiptLookup] = {}


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


def register_member_schedule_kind(kind: str) -> None:
    """Declare a schedule kind whose ``owner_id`` is a member's user id: a member's erasure
    deletes their schedules of this kind (and their occurrences) in the same transaction."""
    _MEMBER_SCHEDULE_KINDS.add(kind)


def member_schedule_kinds() -> list[str]:
    return sorted(_MEMBER_SCHEDULE_KINDS)


def register_receipt_lookup(name: str, lookup: ReceiptLookup) -> None:
    """Let a member's export include anonymous rows (their stories) when they paste the receipts
    the bot gave them; ``name`` heads the section ("stories")."""
    _RECEIPT_LOOKUPS[name] = lookup


def receipt_lookups() -> dict[str, ReceiptLookup]:
    return dict(_RECEIPT_LOOKUPS)


@dataclass(frozen=True)
class IdText:
    """A text column where a member's id may be written inside other text: a mention in a case's
    history (``<@id>``), a key naming them (``checkin_cant:<session>:<member>:<facilitator>``).
    A member's erasure rewrites the id in every such column of the server, whoever the row is for:
    in text a mention becomes "a former member" and a bare id 0; in a key (``unique_by`` names the
    row's id column) the id becomes ``erased<row id>``, so keys stay unique and say nothing."""

    table: str
    column: str
    unique_by: str | None = None  # a key column: the row id that keeps the rewritten key unique
    row_id: str = "id"  # how the erasure addresses the row it rewrites (a column both engines have)


_ID_TEXT: dict[tuple[str, str], IdText] = {}


def register_id_text(table: str, column: str, *, unique_by: str | None = None, row_id: str = "id") -> None:
    """Declare a text column that may carry a member's id inside its text (see ``IdText``)."""
    _ID_TEXT[(table, column)] = IdText(table, column, unique_by, row_id)


def id_texts() -> list[IdText]:
    return [_ID_TEXT[k] for k in sorted(_ID_TEXT)]


def unregister(table: str) -> None:
    """Forget a declaration (tests that register a table of their own clean up with this)."""
    _PERSONAL.pop(table, None)
    _NOT_PERSONAL.pop(table, None)


def delete_and_anonymise(table: str, delete_by: tuple[str, ...], anonymise: tuple[str, ...]) -> Erase:
    """An erasure that deletes the member's own rows and blanks their id (to 0) where they only
    acted on someone else's row (an organiser who added a facilitator), keeping the row itself."""

    async def erase(conn: Conn, guild_id: int, user_id: int) -> int:
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
