"""The database: one aiosqlite connection, pragmas, numbered migrations, transactions.

Migrations are the files ``migrations/NNNN_name.sql``, applied in number order, each inside one
transaction together with its row in ``schema_migrations``: a failing migration leaves the
database exactly as it was, and running ``migrate`` twice changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, overload

import aiosqlite

from bot.core import changes, postgres
from bot.core.errors import DatabaseBusy

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
# How long a write waits for the write lock (another task's transaction in this process, or
# another process holding SQLite's lock). Background work (scheduler, outbox) waits patiently;
# a member's interaction must be answered within Discord's 3 seconds, so its writes give up sooner
# and the member is told kindly to try again (``DatabaseBusy``).
BUSY_TIMEOUT_SECONDS = 5.0
# The database, its -wal/-shm (SQLite gives them the database file's mode) and backups hold
# members' health words: readable by the bot's own user only.
PRIVATE_FILE_MODE = 0o600
INTERACTIVE_WRITE_WAIT = 1.5
_write_wait: ContextVar[float | None] = ContextVar("db_write_wait", default=None)


def answer_soon() -> None:
    """This task answers a member (an interaction not yet answered): its writes wait at most
    ``INTERACTIVE_WRITE_WAIT`` for the write lock, then raise ``DatabaseBusy``."""
    _write_wait.set(INTERACTIVE_WRITE_WAIT)


def answered() -> None:
    """This task's member has an answer (e.g. a deferral): its writes may wait patiently again."""
    _write_wait.set(None)


def create_private(path: str | Path) -> None:
    """Create ``path`` empty with mode 0600 if it does not exist (whatever the umask), and make an
    existing one 0600: a file created 0644 by an earlier version is closed to others too."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE_MODE)
    try:
        if os.fstat(fd).st_mode & 0o777 != PRIVATE_FILE_MODE:
            try:
                os.fchmod(fd, PRIVATE_FILE_MODE)
            except OSError as exc:  # another user's file: say so, and go on
                log.warning("could not make %s readable by its owner only: %s", path, exc.strerror)
    finally:
        os.close(fd)


def _make_database_files_private(path: str) -> None:
    """Before SQLite opens it: the database file 0600 (created if missing), and its -wal/-shm if
    present; SQLite creates new -wal and -shm files with the database file's mode."""
    create_private(path)
    for extra in (f"{path}-wal", f"{path}-shm"):
        if os.path.exists(extra):
            create_private(extra)


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def is_busy(exc: BaseException) -> bool:
    """A write found the database busy and changed nothing: SQLite's lock still held after the
    busy timeout, a lock PostgreSQL did not grant in time, or ``DatabaseBusy``. Trying the same
    write again later can succeed (``bot.delivery.busy_retries``)."""
    if isinstance(exc, DatabaseBusy) or postgres.is_lock_timeout(exc):
        return True
    return isinstance(exc, sqlite3.OperationalError) and _is_busy(exc)
_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


def _pg(conn: Conn | None) -> postgres.PgConn:
    assert isinstance(conn, postgres.PgConn)
    return conn


def _pg_errors() -> tuple[tuple[type[Exception], ...], tuple[type[Exception], ...]]:
    try:
        import asyncpg
    except ImportError:  # the postgres extra is not installed: only SQLite's errors can happen
        return (), ()
    return (asyncpg.PostgresError,), (asyncpg.IntegrityConstraintViolationError,)


_PG_ERROR, _PG_INTEGRITY = _pg_errors()
# What capabilities catch, whichever engine raised it: any database error, a broken constraint.
DatabaseError: tuple[type[Exception], ...] = (sqlite3.Error, *_PG_ERROR)
IntegrityError: tuple[type[Exception], ...] = (sqlite3.IntegrityError, *_PG_INTEGRITY)
_MIGRATION_ERRORS: tuple[type[Exception], ...] = (*DatabaseError, UnicodeDecodeError)


class MigrationError(Exception):
    """A migration failed; the database was left as it was before it."""


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")


def discover_migrations(folder: Path = MIGRATIONS_DIR) -> list[Migration]:
    found: list[Migration] = []
    for path in sorted(folder.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files are named NNNN_name.sql")
        found.append(Migration(int(match.group(1)), match.group(2), path))
    numbers = [m.number for m in found]
    if len(set(numbers)) != len(numbers):
        raise MigrationError("two migration files share a number")
    return found


def _split_statements(sql: str) -> list[str]:
    """Split a script into complete statements.

    The script is cut at every semicolon that ends a statement (sqlite3.complete_statement knows
    comments, quotes and trigger bodies), so two statements on one line are two statements.
    """
    statements: list[str] = []
    buffer = ""
    *pieces, rest = sql.split(";")
    for piece in pieces:
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    buffer += rest
    if buffer.strip() and not all(
        part.strip().startswith("--") or not part.strip() for part in buffer.splitlines()
    ):
        statements.append(buffer.strip())
    return statements


Params = Sequence[Any] | dict[str, Any]


# -- The engine interface: what capabilities see of a connection --------------------------------
# Capabilities type their connections ``Conn`` and their rows ``Row``, never an engine's classes.
# An aiosqlite connection is a ``Conn`` as it is (the SQLite path runs exactly as before); the
# PostgreSQL engine (bot/core/postgres.py) hands out an adapter with the same methods, which
# translates the placeholders and answers ``rowcount``/``lastrowid`` the same way.


class Row(Protocol):
    """A result row: by index (``row[0]``), by column name (``row["id"]``), ``keys()``, ``dict(row)``."""

    @overload
    def __getitem__(self, key: int | str, /) -> Any: ...
    @overload
    def __getitem__(self, key: slice, /) -> tuple[Any, ...]: ...
    def keys(self) -> list[str]: ...
    def __iter__(self) -> Iterator[Any]: ...
    def __len__(self) -> int: ...


class Cursor(Protocol):
    """What a statement leaves: its rows, how many rows it changed, the id it inserted."""

    @property
    def rowcount(self) -> int: ...
    @property
    def lastrowid(self) -> int | None: ...
    @property
    def description(self) -> Any: ...
    async def fetchone(self) -> Row | None: ...
    async def fetchall(self) -> Iterable[Row]: ...


class Pending(Protocol):
    """A statement under way: awaited (``cursor = await conn.execute(...)``) or entered
    (``async with conn.execute(...) as cursor``)."""

    def __await__(self) -> Generator[Any, None, Cursor]: ...
    async def __aenter__(self) -> Cursor: ...
    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> Any: ...


class Conn(Protocol):
    """A connection: a transaction's (``Database.transaction()``) or the reader (``Database.reader``).
    SQL is written with ``?`` placeholders in plain SQL both engines accept."""

    def execute(self, sql: str, parameters: Any = None, /) -> Pending: ...
    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Pending: ...
    def execute_fetchall(self, sql: str, parameters: Any = None, /) -> Awaitable[Iterable[Row]]: ...


async def read_all(conn: Conn, sql: str, params: Params = ()) -> list[Row]:
    """Every row, in one call on the connection's thread, run to the end. Reads that may be
    handed ``Database.reader`` go through here (or ``read_one``): see ``Database.reader``."""
    return list(await conn.execute_fetchall(sql, params))


async def read_one(conn: Conn, sql: str, params: Params = ()) -> Row | None:
    """The first row, or None (``read_all``; the queries read at most a few rows)."""
    rows = await read_all(conn, sql, params)
    return rows[0] if rows else None


def sql_max(a: str, b: str) -> str:
    """The larger of two SQL expressions (neither NULL), in SQL both engines accept: SQLite's
    two-argument ``max()`` is only an aggregate in PostgreSQL, whose ``GREATEST`` SQLite lacks."""
    return f"(CASE WHEN {a} >= {b} THEN {a} ELSE {b} END)"


async def table_names(conn: Conn) -> list[str]:
    """The database's tables (the application's, not the engine's own), by name."""
    if isinstance(conn, postgres.PgConn):
        return [str(r[0]) for r in await read_all(conn, postgres.TABLE_NAMES)]
    rows = await read_all(
        conn, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    return [str(r[0]) for r in rows]


async def column_names(conn: Conn, table: str) -> list[str]:
    """``table``'s columns, in their order."""
    if isinstance(conn, postgres.PgConn):
        return [str(r[0]) for r in await read_all(conn, postgres.COLUMN_NAMES, (table,))]
    return [str(r[1]) for r in await read_all(conn, f"PRAGMA table_info({table})")]


async def tables_with_column(conn: Conn, column: str) -> list[str]:
    """The tables that have ``column``, by name, for sweeps over every per-server table."""
    return [name for name in await table_names(conn) if column in await column_names(conn, name)]


class Database:
    """Two connections: one for writes (through ``transaction()``) and one read-only for reads.

    Reads (``fetchone``/``fetchall``/``fetchval``, ``reader``) outside a transaction go to the
    read-only connection, which in WAL mode sees only committed data: a read never observes
    another task's transaction that may still roll back. Inside the task's own ``transaction()``
    they go to the write connection, so a transaction reads its own writes. (An in-memory
    database has one connection: a second would be another database.)
    """

    def __init__(self, path: str | Path) -> None:
        # A SQLite file (or ":memory:"), or a ``postgresql://`` URL (bot/core/postgres.py).
        self.path = str(path)
        self.engine = "postgresql" if postgres.is_postgres_url(self.path) else "sqlite"
        self._conn: Conn | None = None
        self._reader: Conn | None = None
        self._sqlite: aiosqlite.Connection | None = None
        self._read_only_uri = f"file:{Path(self.path).resolve()}?mode=ro"
        # The transaction this context opened, so its reads see its own writes. A task created
        # inside a transaction inherits the mark; it counts only while that transaction is open
        # (``_open``), so such a task reads committed data like any other once it has ended.
        self._holder: ContextVar[object | None] = ContextVar(f"db_holder_{id(self)}", default=None)
        self._open: object | None = None
        # Run after the open transaction commits (e.g. waking the outbox worker for a new row,
        # which it can only see once committed); dropped on rollback.
        self._after_commit: list[Callable[[], object]] = []
        # aiosqlite serialises calls, but a transaction spans several awaits: this lock keeps
        # another task's statements out of an open transaction.
        self._write_lock = asyncio.Lock()

    @property
    def skip_locked(self) -> str:
        """Appended to a claim's SELECT inside a transaction: on PostgreSQL, rows another process
        is claiming this moment are skipped rather than waited for; SQLite's write lock already
        lets one process claim at a time."""
        return " FOR UPDATE SKIP LOCKED" if self.engine == "postgresql" else ""

    @property
    def conn(self) -> Conn:
        """The write connection, for this module only: elsewhere a transaction's connection comes
        from ``transaction()`` and reads go through ``fetch*``, ``reader`` or ``snapshot()``
        (``tests/unit/app/test_read_path.py`` fails on a ``.conn`` outside bot/core/db.py)."""
        if self._conn is None:
            raise RuntimeError("database is not connected")
        return self._conn

    @property
    def reader(self) -> Conn:
        """The connection for reads: committed data only, or this task's own transaction.

        Read on it only with ``read_all``/``read_one`` (one call, run to the end). A statement left
        open across an await (``async with reader.execute(...)``) holds the connection's read
        snapshot, so every other task's read meanwhile misses what was committed since: a role
        removal once read a seat its member had just given up, and kept the role."""
        if self._reader is None or (self._open is not None and self._holder.get() is self._open):
            return self.conn
        return self._reader

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Conn]:
        """One consistent view for a read that spans many tables and must agree with itself (a
        member's inventory or export): a private read-only connection inside one read transaction,
        closed after. Nobody else reads on it, so its statements may stay open across awaits. Inside
        this task's own transaction (or on an in-memory database) it is ``reader``."""
        if self._reader is None or (self._open is not None and self._holder.get() is self._open):
            yield self.reader
            return
        if self.engine == "postgresql":
            raw, view = await postgres.connect(self.path)
            try:
                await raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                yield view
            finally:
                await raw.close()
            return
        conn = await aiosqlite.connect(self._read_only_uri, uri=True, isolation_level=None)
        try:
            conn.row_factory = aiosqlite.Row
            await conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
            await conn.execute("BEGIN")
            yield conn
        finally:
            await conn.close()

    def exists(self) -> bool:
        """False for a SQLite file not there yet (connecting would create it); a PostgreSQL
        database is the server's, and counts as there."""
        return self.engine == "postgresql" or self.path == ":memory:" or Path(self.path).exists()

    async def size_bytes(self) -> int:
        """The database's size on disk: the SQLite file and its write-ahead log, or on PostgreSQL
        the tables (with their indexes) of the schema the bot uses."""
        if self.engine == "postgresql":
            return int(await self.fetchval(postgres.SCHEMA_SIZE) or 0)
        if self.path == ":memory:":
            return 0
        path = Path(self.path)
        return sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists())

    async def connect(self) -> Database:
        if self.engine == "postgresql":
            # The same two connections: writes in ``transaction()``, committed reads on the other.
            _, self._conn = await postgres.connect(self.path)
            _, self._reader = await postgres.connect(self.path)
            return self
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            _make_database_files_private(self.path)
        # isolation_level=None: we issue BEGIN/COMMIT ourselves.
        self._conn = self._sqlite = conn = await aiosqlite.connect(self.path, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        # Deleted content is overwritten with zeros, not left in free space (see ``checkpoint``).
        await conn.execute("PRAGMA secure_delete=ON")
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
        await conn.execute("PRAGMA synchronous=NORMAL")
        if self.path != ":memory:":
            self._reader = reader = await aiosqlite.connect(self._read_only_uri, uri=True, isolation_level=None)
            reader.row_factory = aiosqlite.Row
            await reader.execute("PRAGMA secure_delete=ON")
            await reader.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
            await reader.execute("PRAGMA foreign_keys=ON")
        return self

    async def close(self) -> None:
        for conn in (self._reader, self._conn):
            if isinstance(conn, postgres.PgConn):
                await conn.raw.close()
            elif isinstance(conn, aiosqlite.Connection):
                await conn.close()
        self._reader = self._conn = self._sqlite = None

    async def __aenter__(self) -> Database:
        return await self.connect()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Conn]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception. In a task that answers a
        member (``answer_soon``), waiting longer than ``INTERACTIVE_WRITE_WAIT`` for the write
        lock raises ``DatabaseBusy`` (nothing changed) instead of leaving them without an answer."""
        wait = _write_wait.get()
        if wait is None:
            await self._write_lock.acquire()
        else:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + wait
            try:
                async with asyncio.timeout(wait):
                    await self._write_lock.acquire()
            except TimeoutError:
                log.warning("interactive write gave up waiting for this process's write lock")
                raise DatabaseBusy() from None
        try:
            await self._begin(None if wait is None else max(0.05, deadline - loop.time()))
            self._open = mark = object()
            holding = self._holder.set(mark)
            try:
                yield self.conn
            except BaseException as exc:
                self._after_commit.clear()
                await self.conn.execute("ROLLBACK")
                if wait is not None and postgres.is_lock_timeout(exc):
                    log.warning("interactive write gave up waiting for a row or table lock")
                    raise DatabaseBusy() from None
                raise
            else:
                await self.conn.execute("COMMIT")
                changes.note()
                callbacks, self._after_commit = self._after_commit, []
                for callback in callbacks:
                    callback()
            finally:
                self._open = None
                self._holder.reset(holding)
        finally:
            self._write_lock.release()

    async def _begin(self, wait: float | None) -> None:
        if self.engine == "postgresql":
            # Writers in other processes wait on the rows they share, not on a database lock; a
            # member's write waits at most ``wait`` for one (then ``DatabaseBusy``, in transaction()).
            await self.conn.execute("BEGIN")
            if wait is not None:
                await self.conn.execute(f"SET LOCAL lock_timeout = {max(1, int(wait * 1000))}")
            return
        if wait is None:
            await self.conn.execute("BEGIN IMMEDIATE")
            return
        await self.conn.execute(f"PRAGMA busy_timeout={int(wait * 1000)}")
        try:
            await self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise
            log.warning("interactive write gave up waiting for the database lock")
            raise DatabaseBusy() from None
        finally:
            await self.conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")

    def after_commit(self, callback: Callable[[], object]) -> None:
        """Call ``callback`` once the current transaction commits (at once outside one)."""
        if self._write_lock.locked():
            self._after_commit.append(callback)
        else:
            callback()

    async def checkpoint(self) -> bool:
        """Copy the write-ahead log into the database file and empty it (``wal_checkpoint(TRUNCATE)``).

        With ``secure_delete`` the database file then holds no erased content; until then the
        -wal file still holds the pages as they were before an erasure. Call it after erasing a
        member's or a story's data (and the daily retention does). Waits for this process's open
        transaction to end; False (logged) when another reader kept the log from being emptied,
        in which case the next checkpoint empties it. (A no-op for other databases.)"""
        if self.path == ":memory:" or self.engine == "postgresql":
            return True
        async with self._write_lock:
            row = await read_one(self.conn, "PRAGMA wal_checkpoint(TRUNCATE)")
        busy = row is None or row[0] != 0
        if busy:
            log.warning("wal checkpoint could not empty the log yet (a reader was active)")
        return not busy

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one write statement in its own transaction; return the last row id."""
        async with self.transaction() as conn:
            cursor = await conn.execute(sql, params)
            return cursor.lastrowid or 0

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        async with self.transaction() as conn:
            await conn.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        return await read_one(self.reader, sql, params)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        return await read_all(self.reader, sql, params)

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    # -- migrations ---------------------------------------------------------------------------

    async def applied_migrations(self) -> set[int]:
        await self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        rows = await self.fetchall("SELECT number FROM schema_migrations")
        return {row[0] for row in rows}

    async def migrate(self, folder: Path = MIGRATIONS_DIR) -> list[Migration]:
        """Apply every pending migration in order; return the ones applied now."""
        done = await self.applied_migrations()
        applied: list[Migration] = []
        pg = self.engine == "postgresql"
        if pg:
            async with self.transaction() as conn:
                await _pg(conn).raw.execute(postgres.COMPAT_FUNCTIONS)
        now_sql = postgres.APPLIED_AT_NOW if pg else "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
        for migration in discover_migrations(folder):
            if migration.number in done:
                continue
            try:
                async with self.transaction() as conn:
                    if pg:
                        await _pg(conn).raw.execute(postgres.migration_sql(migration.sql))
                    else:
                        for statement in _split_statements(postgres.engine_sections(migration.sql, "sqlite")):
                            await conn.execute(statement)
                    await conn.execute(
                        "INSERT INTO schema_migrations (number, name, applied_at)"
                        f" VALUES (?, ?, {now_sql})",
                        (migration.number, migration.name),
                    )
            except _MIGRATION_ERRORS as exc:
                raise MigrationError(
                    f"migration {migration.path.name} failed and was rolled back: {exc}"
                ) from exc
            log.info("migration applied number=%s name=%s", migration.number, migration.name)
            applied.append(migration)
        if pg:
            tables = await postgres.identity_tables(_pg(self.conn).raw)
            for each in (self._conn, self._reader):
                _pg(each).identity_tables = tables
        return applied


    async def backup(self, dest: str | Path) -> None:
        """Copy the database with SQLite's online backup API (safe while the bot runs). The copy
        is created 0600, as the database is. On PostgreSQL: ``pg_dump`` into ``dest`` (plain SQL)."""
        create_private(dest)
        if self.engine == "postgresql":
            process = await asyncio.create_subprocess_exec(
                *postgres.dump_command(self.path, str(dest)), stderr=asyncio.subprocess.PIPE)
            _, err = await process.communicate()
            if process.returncode != 0:
                raise RuntimeError(f"pg_dump failed: {err.decode(errors='replace').strip()}")
            return
        dest_conn = sqlite3.connect(str(dest))
        try:
            assert self._sqlite is not None, "database is not connected"
            await self._sqlite.backup(dest_conn)
        finally:
            dest_conn.close()
