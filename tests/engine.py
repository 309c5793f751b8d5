"""The database engine the suite runs on, for the few tests that must know it.

``sqlite_only(reason)`` marks a test that checks something only SQLite has (its files, its
pragmas); such a test's name ends in ``_sqlite_only`` (tests/conftest.py checks both ways) and it
is skipped, with the reason, when the suite runs on PostgreSQL. ``schema_objects`` lists tables,
indexes and triggers on either engine, for tests that compare a schema before and after.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest

from bot.core.db import Database, read_all, table_names
from tests import postgres_cluster


def on_postgresql() -> bool:
    """True when this run's databases are PostgreSQL schemas (PEER_CIRCLES_TEST_DATABASE)."""
    return postgres_cluster.wanted()


def sqlite_only(reason: str) -> pytest.MarkDecorator:
    return pytest.mark.sqlite_only(reason)


_PG_OBJECTS = """
SELECT 'index' AS kind, indexname AS name FROM pg_indexes WHERE schemaname = current_schema()
UNION ALL
SELECT 'trigger', t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT t.tgisinternal AND n.nspname = current_schema()
"""
_SQLITE_OBJECTS = "SELECT type, name FROM sqlite_master WHERE type IN ('index', 'trigger')"


async def schema_objects(db: Database) -> list[tuple[str, str]]:
    """Every table, index and trigger as ``(kind, name)``, sorted."""
    found = [("table", name) for name in await table_names(db.reader)]
    rows = await db.fetchall(_PG_OBJECTS if db.engine == "postgresql" else _SQLITE_OBJECTS)
    found += [(str(r[0]), str(r[1])) for r in rows]
    return sorted(found)


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # as declared (SQLite) or PostgreSQL's data_type; "INT" in it for whole numbers
    notnull: bool
    default: str | None
    pk: bool  # part of the primary key
    numbered: bool  # the engine numbers it when left out (SQLite's rowid alias, an identity column)


_PG_COLUMNS = """
SELECT c.column_name, upper(c.data_type), c.is_nullable = 'NO', c.column_default, c.is_identity = 'YES',
       EXISTS (SELECT 1 FROM information_schema.table_constraints t
               JOIN information_schema.key_column_usage k
                 ON k.constraint_name = t.constraint_name AND k.table_schema = t.table_schema
               WHERE t.table_schema = c.table_schema AND t.table_name = c.table_name
                 AND t.constraint_type = 'PRIMARY KEY' AND k.column_name = c.column_name)
FROM information_schema.columns c
WHERE c.table_schema = current_schema() AND c.table_name = ? ORDER BY c.ordinal_position
"""


async def table_columns(db: Database, table: str) -> list[Column]:
    """``table``'s columns as either engine describes them."""
    if db.engine == "postgresql":
        return [Column(str(r[0]), str(r[1]), bool(r[2]), r[3], bool(r[5]), bool(r[4]))
                for r in await db.fetchall(_PG_COLUMNS, (table,))]
    rows = await db.fetchall(f"PRAGMA table_info({table})")
    return [Column(str(r[1]), str(r[2]).upper(), bool(r[3]), r[4], bool(r[5]),
                   bool(r[5]) and "INT" in str(r[2]).upper() and not r[3]) for r in rows]


async def standalone_rows(db: Database) -> None:
    """Let rows stand alone: no foreign keys or CHECK constraints enforced from now on (a test
    inserting synthetic rows into every table; the database is a throwaway)."""
    conn = db.conn
    if db.engine == "postgresql":
        await conn.execute("SET session_replication_role = replica")  # foreign keys are triggers there
        checks = await read_all(conn, "SELECT c.conrelid::regclass::text, c.conname FROM pg_constraint c"
                                      " JOIN pg_namespace n ON n.oid = c.connamespace"
                                      " WHERE c.contype = 'c' AND n.nspname = current_schema()")
        for table, name in checks:
            await conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        return
    await conn.execute("PRAGMA ignore_check_constraints = ON")
    await conn.execute("PRAGMA foreign_keys = OFF")


@asynccontextmanager
async def another_process_writing(db: Database) -> AsyncIterator[None]:
    """Another process holds the database's write lock until the block ends: SQLite's (BEGIN
    IMMEDIATE on a second connection); on PostgreSQL, which has none, every table of the schema
    locked against writes (EXCLUSIVE: reads go on), as a migration or a bulk job would."""
    if db.engine == "postgresql":
        import asyncpg

        other = await asyncpg.connect(db.path)
        try:
            tables = ", ".join(await table_names(db.reader))
            async with other.transaction():
                await other.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
                yield
        finally:
            await other.close()
        return
    import aiosqlite

    # Its own thread (a blocking sqlite3 call here would stall the bot's loop).
    conn = await aiosqlite.connect(db.path, isolation_level=None)
    try:
        await conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            await conn.execute("ROLLBACK")
    finally:
        await conn.close()
