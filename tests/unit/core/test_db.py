"""bot/core/db.py: pragmas, numbered migrations that apply all or nothing, transactions, online backup."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import stat
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.core.db import (
    MIGRATIONS_DIR,
    Database,
    IntegrityError,
    MigrationError,
    _split_statements,
    discover_migrations,
)
from tests.engine import schema_objects, sqlite_only


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    async with Database(tmp_path / "bot.sqlite3") as database:
        yield database


def migrations(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "migrations"
    folder.mkdir(parents=True, exist_ok=True)
    for name, sql in files.items():
        (folder / name).write_text(sql, encoding="utf-8")
    return folder


async def schema(db: Database) -> list[tuple[str, str]]:
    return await schema_objects(db)


async def recorded(db: Database) -> list[tuple[int, str]]:
    rows = await db.fetchall("SELECT number, name FROM schema_migrations ORDER BY number")
    return [(row[0], row[1]) for row in rows]


GOOD_0001 = "CREATE TABLE circles (id INTEGER PRIMARY KEY, guild_id INTEGER NOT NULL);\n"

# -- connection -----------------------------------------------------------------------------------


@sqlite_only("journal_mode, foreign_keys and busy_timeout are SQLite pragmas")
async def test_connect_sets_wal_foreign_keys_and_busy_timeout_sqlite_only(db: Database) -> None:
    assert await db.fetchval("PRAGMA journal_mode") == "wal"
    assert await db.fetchval("PRAGMA foreign_keys") == 1
    assert await db.fetchval("PRAGMA busy_timeout") == 5000


@sqlite_only("a SQLite database is a file, whose folders connecting creates")
async def test_connect_creates_missing_folders_sqlite_only(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "bot.sqlite3"
    async with Database(path):
        pass
    assert path.exists()


async def test_using_the_database_before_connect_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="not connected"):
        await Database(tmp_path / "x.sqlite3").fetchval("SELECT 1")


async def test_foreign_keys_are_enforced(db: Database) -> None:
    await db.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
    await db.execute("CREATE TABLE child (parent_id INTEGER REFERENCES parent(id))")
    with pytest.raises(IntegrityError):
        await db.execute("INSERT INTO child VALUES (42)")


# -- the repo's migrations ------------------------------------------------------------------------


async def test_migrate_applies_the_repos_migrations_in_order_and_records_them(db: Database) -> None:
    expected = [(m.number, m.name) for m in discover_migrations()]
    assert expected, "the repo has migrations"
    assert [n for n, _ in expected] == sorted(n for n, _ in expected)
    assert expected[0] == (1, "initial")

    applied = await db.migrate()

    assert [(m.number, m.name) for m in applied] == expected
    assert await recorded(db) == expected
    tables = {name for kind, name in await schema(db) if kind == "table"}
    assert {"bot_meta", "guild_settings", "schema_migrations"} <= tables
    stamp = await db.fetchval("SELECT applied_at FROM schema_migrations WHERE number = 1")
    assert len(stamp) == 20 and stamp.endswith("Z")


async def test_migrate_twice_applies_nothing_the_second_time(db: Database) -> None:
    await db.migrate()
    before = await schema(db), await recorded(db)
    assert await db.migrate() == []
    assert (await schema(db), await recorded(db)) == before


async def test_migrations_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    async with Database(path) as first:
        await first.migrate()
    async with Database(path) as second:
        assert await second.migrate() == []


async def test_migrate_applies_only_the_new_ones(tmp_path: Path, db: Database) -> None:
    folder = migrations(tmp_path, {"0001_circles.sql": GOOD_0001})
    assert [m.number for m in await db.migrate(folder)] == [1]
    migrations(tmp_path, {"0002_members.sql": "CREATE TABLE members (id INTEGER);"})
    assert [m.name for m in await db.migrate(folder)] == ["members"]
    assert await recorded(db) == [(1, "circles"), (2, "members")]


async def test_migrations_run_in_number_order_not_file_creation_order(tmp_path: Path, db: Database) -> None:
    # 0002 depends on 0010? No: 0010 depends on 0002, and is written first.
    folder = migrations(tmp_path, {
        "0010_index.sql": "CREATE INDEX circles_guild ON circles (guild_id);",
        "0002_circles.sql": GOOD_0001,
    })
    assert [m.number for m in await db.migrate(folder)] == [2, 10]


# -- a failing migration --------------------------------------------------------------------------


async def test_failing_migration_leaves_the_database_as_it_was(tmp_path: Path, db: Database) -> None:
    folder = migrations(tmp_path, {
        "0001_circles.sql": GOOD_0001,
        "0002_broken.sql": (
            "CREATE TABLE goals (id INTEGER PRIMARY KEY);\n"
            "INSERT INTO circles (id, guild_id) VALUES (1, 10);\n"
            "INSERT INTO no_such_table VALUES (1);\n"
        ),
        "0003_later.sql": "CREATE TABLE later (id INTEGER);\n",
    })
    await db.migrate(migrations(tmp_path / "first", {"0001_circles.sql": GOOD_0001}))
    before = await schema(db)

    with pytest.raises(MigrationError) as caught:
        await db.migrate(folder)

    assert "0002_broken.sql" in str(caught.value)
    assert "rolled back" in str(caught.value)
    assert "no_such_table" in str(caught.value)
    assert await schema(db) == before  # no goals table, no later table
    assert await db.fetchval("SELECT count(*) FROM circles") == 0
    assert await recorded(db) == [(1, "circles")]

    # Once fixed, it applies, followed by the ones after it.
    (folder / "0002_broken.sql").write_text("CREATE TABLE goals (id INTEGER PRIMARY KEY);\n", encoding="utf-8")
    assert [m.number for m in await db.migrate(folder)] == [2, 3]


async def test_failing_migration_on_a_new_database_leaves_it_empty(tmp_path: Path, db: Database) -> None:
    folder = migrations(tmp_path, {
        "0001_circles.sql": GOOD_0001,
        "0002_broken.sql": "CREATE TABLE goals (id INTEGER);\nCREATE TABLE goals (id INTEGER);\n",
    })
    with pytest.raises(MigrationError, match=r"0002_broken\.sql"):
        await db.migrate(folder)
    tables = {name for kind, name in await schema(db) if kind == "table"}
    assert tables == {"schema_migrations", "circles"}
    assert await recorded(db) == [(1, "circles")]


@pytest.mark.parametrize(
    "name", ["1_initial.sql", "0001-initial.sql", "0001_Initial.sql", "00001_initial.sql", "0001_.sql", "initial.sql"]
)
async def test_badly_named_migration_files_are_refused(tmp_path: Path, db: Database, name: str) -> None:
    folder = migrations(tmp_path, {"0001_circles.sql": GOOD_0001, name: "CREATE TABLE x (id INTEGER);"})
    with pytest.raises(MigrationError, match=r"NNNN_name\.sql") as caught:
        await db.migrate(folder)
    assert name in str(caught.value)
    assert await recorded(db) == []  # refused before anything ran


async def test_files_other_than_sql_are_ignored(tmp_path: Path) -> None:
    folder = migrations(tmp_path, {"0001_circles.sql": GOOD_0001, "README.md": "notes", "0002_x.sql.orig": ""})
    assert [m.path.name for m in discover_migrations(folder)] == ["0001_circles.sql"]


async def test_duplicate_migration_numbers_are_refused(tmp_path: Path, db: Database) -> None:
    folder = migrations(tmp_path, {"0002_one.sql": GOOD_0001, "0002_two.sql": "CREATE TABLE x (id INTEGER);"})
    with pytest.raises(MigrationError, match="share a number"):
        await db.migrate(folder)
    assert await recorded(db) == []


# -- statement splitting --------------------------------------------------------------------------

TRIGGER_TABLES = """
-- Comments; with semicolons; are not statements.
CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL DEFAULT 'a; b');
/* A block comment; also
   spanning lines; */
CREATE TABLE audit (note_id INTEGER, what TEXT);
"""
SQLITE_TRIGGER = """CREATE TRIGGER notes_audit AFTER INSERT ON notes
BEGIN
    INSERT INTO audit (note_id, what) VALUES (new.id, 'insert; one');
    INSERT INTO audit (note_id, what) VALUES (new.id, 'insert; two');
END;
"""
TRIGGER_INDEXES = """\
CREATE INDEX audit_note ON audit (note_id); CREATE INDEX audit_what ON audit (what); -- two on one line
-- A trailing comment; nothing after it.
"""
TRIGGER_SCRIPT = TRIGGER_TABLES + SQLITE_TRIGGER + TRIGGER_INDEXES
# The same trigger as a migration for both engines: PostgreSQL's in its own section.
POSTGRESQL_TRIGGER = """CREATE FUNCTION notes_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit (note_id, what) VALUES (new.id, 'insert; one');
    INSERT INTO audit (note_id, what) VALUES (new.id, 'insert; two');
    RETURN new;
END $$;
CREATE TRIGGER notes_audit AFTER INSERT ON notes FOR EACH ROW EXECUTE FUNCTION notes_audit();
"""
TRIGGER_MIGRATION = (TRIGGER_TABLES + "-- engine: sqlite\n" + SQLITE_TRIGGER + "-- engine: postgresql\n"
                     + POSTGRESQL_TRIGGER + "-- engine: all\n" + TRIGGER_INDEXES)


def test_split_statements_keeps_trigger_bodies_and_skips_comments() -> None:
    statements = _split_statements(TRIGGER_SCRIPT)
    assert len(statements) == 5
    assert all(sqlite3.complete_statement(s) for s in statements)
    trigger = next(s for s in statements if "CREATE TRIGGER" in s)
    assert trigger.count("INSERT INTO audit") == 2
    assert trigger.rstrip().endswith("END;")
    assert statements[-2].endswith("CREATE INDEX audit_note ON audit (note_id);")
    assert statements[-1] == "CREATE INDEX audit_what ON audit (what);"


def test_split_statements_keeps_a_last_statement_without_semicolon() -> None:
    assert _split_statements("CREATE TABLE a (x);\nCREATE TABLE b (y)\n") == [
        "CREATE TABLE a (x);", "CREATE TABLE b (y)",
    ]


def test_split_statements_of_comments_only_is_empty() -> None:
    assert _split_statements("-- nothing; here\n\n-- still nothing\n") == []


async def test_migration_with_a_trigger_works(tmp_path: Path, db: Database) -> None:
    await db.migrate(migrations(tmp_path, {"0001_notes.sql": TRIGGER_MIGRATION}))
    await db.execute("INSERT INTO notes (id) VALUES (7)")
    rows = await db.fetchall("SELECT note_id, what FROM audit ORDER BY what")
    assert [tuple(r) for r in rows] == [(7, "insert; one"), (7, "insert; two")]
    assert await db.fetchval("SELECT body FROM notes") == "a; b"
    indexes = {name for kind, name in await schema(db) if kind == "index"}
    assert {"audit_note", "audit_what"} <= indexes


# -- transactions ---------------------------------------------------------------------------------


async def test_transaction_commits(db: Database) -> None:
    await db.execute("CREATE TABLE t (x INTEGER)")
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO t VALUES (1)")
        await conn.execute("INSERT INTO t VALUES (2)")
    assert await db.fetchval("SELECT sum(x) FROM t") == 3


async def test_transaction_rolls_back_on_exception(db: Database) -> None:
    await db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER)")
    await db.execute("INSERT INTO t (x) VALUES (1)")

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO t (x) VALUES (2)")
            await conn.execute("UPDATE t SET x = 100 WHERE x = 1")
            raise Boom
    assert [r[0] for r in await db.fetchall("SELECT x FROM t")] == [1]
    # The connection is usable afterwards.
    assert await db.execute("INSERT INTO t (x) VALUES (3)") > 0
    assert await db.fetchval("SELECT count(*) FROM t") == 2


async def test_failed_statement_in_execute_changes_nothing(db: Database) -> None:
    await db.execute("CREATE TABLE t (x INTEGER UNIQUE)")
    await db.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(IntegrityError):
        await db.executemany("INSERT INTO t VALUES (?)", [(2,), (1,)])
    assert await db.fetchval("SELECT count(*) FROM t") == 1


async def test_another_tasks_write_waits_for_an_open_transaction_and_survives_its_rollback(db: Database) -> None:
    await db.execute("CREATE TABLE t (x INTEGER)")
    inside = asyncio.Event()
    release = asyncio.Event()

    async def failing_transaction() -> None:
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO t VALUES (1)")
            inside.set()
            await release.wait()
            raise RuntimeError("abandoned")

    first = asyncio.create_task(failing_transaction())
    await inside.wait()
    second = asyncio.create_task(db.execute("INSERT INTO t VALUES (2)"))
    for _ in range(5):
        await asyncio.sleep(0)  # let the second task reach the lock
    assert not second.done(), "a write from another task must not join an open transaction"
    release.set()
    with pytest.raises(RuntimeError, match="abandoned"):
        await first
    await second
    assert [r[0] for r in await db.fetchall("SELECT x FROM t")] == [2]


async def test_fetch_helpers(db: Database) -> None:
    await db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
    row_id = await db.execute("INSERT INTO t (name) VALUES (?)", ("a",))
    assert row_id == 1
    assert await db.execute("INSERT INTO t (name) VALUES (:name)", {"name": "b"}) == 2
    row = await db.fetchone("SELECT id, name FROM t WHERE id = ?", (2,))
    assert row is not None and row["name"] == "b"
    assert await db.fetchone("SELECT id FROM t WHERE id = 99") is None
    assert await db.fetchval("SELECT id FROM t WHERE id = 99") is None
    assert [r["name"] for r in await db.fetchall("SELECT name FROM t ORDER BY id")] == ["a", "b"]


# -- backup ---------------------------------------------------------------------------------------


def _dumped_rows(dump: str, table: str) -> list[tuple[str, ...]]:
    """A table's rows in a plain pg_dump (its COPY block), as text."""
    lines = dump.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("COPY ") and f".{table} (" in line)
    end = lines.index("\\.", start)
    return [tuple(line.split("\t")) for line in lines[start + 1 : end]]


async def test_backup_while_open_is_a_readable_copy_with_the_same_rows(
        tmp_path: Path, db: Database, open_umask: None) -> None:
    await db.migrate()
    await db.executemany("INSERT INTO bot_meta (key, value) VALUES (?, ?)", [("a", "1"), ("b", "2")])
    dest = tmp_path / "backup.sqlite3"

    await db.backup(dest)

    assert _mode(dest) == 0o600
    expected_numbers = [m.number for m in discover_migrations(MIGRATIONS_DIR)]
    if db.engine == "postgresql":  # pg_dump's plain SQL: the rows are its COPY blocks
        dump = dest.read_text(encoding="utf-8")
        assert sorted(_dumped_rows(dump, "bot_meta")) == [("a", "1"), ("b", "2")]
        assert sorted(int(r[0]) for r in _dumped_rows(dump, "schema_migrations")) == expected_numbers
    else:
        copy = sqlite3.connect(dest)
        try:
            assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert copy.execute("SELECT key, value FROM bot_meta ORDER BY key").fetchall() == [("a", "1"), ("b", "2")]
            numbers = [r[0] for r in copy.execute("SELECT number FROM schema_migrations ORDER BY number")]
            assert numbers == expected_numbers
        finally:
            copy.close()
    # The source is still open and writable.
    await db.execute("INSERT INTO bot_meta (key, value) VALUES ('c', '3')")
    assert await db.fetchval("SELECT count(*) FROM bot_meta") == 3


async def test_a_concurrent_read_never_sees_an_uncommitted_row(tmp_path: Path) -> None:

    async with Database(tmp_path / "iso.sqlite3") as db:
        await db.migrate()
        inside = asyncio.Event()
        release = asyncio.Event()

        async def writer() -> None:
            with contextlib.suppress(RuntimeError):
                async with db.transaction() as conn:
                    await conn.execute("INSERT INTO bot_meta (key, value) VALUES ('pending', 'x')")
                    # The transaction reads its own write.
                    assert await db.fetchval("SELECT value FROM bot_meta WHERE key = 'pending'") == "x"
                    inside.set()
                    await release.wait()
                    raise RuntimeError("rolled back")

        task = asyncio.create_task(writer())
        await inside.wait()
        assert await db.fetchval("SELECT value FROM bot_meta WHERE key = 'pending'") is None
        assert await db.fetchall("SELECT key FROM bot_meta WHERE key = 'pending'") == []
        release.set()
        await task
        assert await db.fetchval("SELECT value FROM bot_meta WHERE key = 'pending'") is None

        await db.execute("INSERT INTO bot_meta (key, value) VALUES ('committed', 'y')")
        assert await db.fetchval("SELECT value FROM bot_meta WHERE key = 'committed'") == "y", "commits are seen"


async def test_a_read_after_a_commit_sees_it_while_other_reads_are_under_way(tmp_path: Path) -> None:
    # Reads share one read-only connection. A statement left open across an await would hold that
    # connection's snapshot, and a task reading right after its own commit would miss the commit
    # (a member who had just left a circle kept its role this way).
    async with Database(tmp_path / "fresh.sqlite3") as db:
        await db.migrate()
        await db.executemany("INSERT INTO bot_meta (key, value) VALUES (?, ?)",
                             [(f"row{i}", "x" * 200) for i in range(300)])
        for i in range(60):
            others = [asyncio.create_task(db.fetchall("SELECT key, value FROM bot_meta")) for _ in range(4)]
            others += [asyncio.create_task(db.fetchone("SELECT value FROM bot_meta WHERE key = 'row1'"))]
            await asyncio.sleep(0)
            await db.execute("INSERT INTO bot_meta (key, value) VALUES (?, 'new')", (f"new{i}",))
            assert await db.fetchval("SELECT value FROM bot_meta WHERE key = ?", (f"new{i}",)) == "new", i
            assert (await db.fetchone("SELECT value FROM bot_meta WHERE key = ?", (f"new{i}",))) is not None, i
            await asyncio.gather(*others)


async def test_a_task_started_inside_a_transaction_reads_committed_data_once_it_has_ended(tmp_path: Path) -> None:
    # A job's transaction may start a task (roles reconciled "after the commit"). That task must
    # not go on reading through the write connection, where another task's open transaction shows.
    async with Database(tmp_path / "child.sqlite3") as db:
        await db.migrate()
        child_may_read = asyncio.Event()
        other_inside = asyncio.Event()
        release = asyncio.Event()
        seen: list[object] = []

        async def child() -> None:
            await child_may_read.wait()
            seen.append(await db.fetchval("SELECT value FROM bot_meta WHERE key = 'uncommitted'"))

        async with db.transaction():
            started = asyncio.create_task(child())

        async def other() -> None:
            with contextlib.suppress(RuntimeError):
                async with db.transaction() as conn:
                    await conn.execute("INSERT INTO bot_meta (key, value) VALUES ('uncommitted', 'x')")
                    other_inside.set()
                    await release.wait()
                    raise RuntimeError("rolled back")

        task = asyncio.create_task(other())
        await other_inside.wait()
        child_may_read.set()
        await started
        release.set()
        await task
        assert seen == [None]


# -- file modes -----------------------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The usual umask (files 0644 unless the code says otherwise)."""
    saved = os.umask(0o022)
    try:
        yield None
    finally:
        os.umask(saved)


@sqlite_only("the database, -wal and -shm files are SQLite's")
async def test_database_wal_shm_and_backup_are_readable_by_the_owner_only_sqlite_only(
        tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "bot.sqlite3"
    async with Database(path) as database:
        await database.execute("CREATE TABLE t (x TEXT)")
        await database.execute("INSERT INTO t VALUES ('hello')")
        files = [path, tmp_path / "bot.sqlite3-wal", tmp_path / "bot.sqlite3-shm"]
        assert all(f.exists() for f in files)
        assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
        await database.backup(tmp_path / "copy.sqlite3")
    assert _mode(tmp_path / "copy.sqlite3") == 0o600


@sqlite_only("a SQLite database is a file, whose mode the bot fixes")
async def test_a_database_created_world_readable_before_is_made_private_sqlite_only(
        tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "bot.sqlite3"
    sqlite3.connect(path).close()
    path.chmod(0o644)
    async with Database(path) as database:
        await database.execute("CREATE TABLE t (x TEXT)")
        assert _mode(path) == 0o600
        assert _mode(tmp_path / "bot.sqlite3-wal") == 0o600
