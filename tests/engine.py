"""The database engine the suite runs on, for the few tests that must know it.

``sqlite_only(reason)`` marks a test that checks something only SQLite has (its files, its
pragmas); such a test's name ends in ``_sqlite_only`` (tests/conftest.py checks both ways) and it
is skipped, with the reason, when the suite runs on PostgreSQL. ``schema_objects`` lists tables,
indexes and triggers on either engine, for tests that compare a schema before and after.
"""

from __future__ import annotations

import pytest

from bot.core.db import Database, table_names
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
