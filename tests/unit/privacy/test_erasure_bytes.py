"""Issue 25: after ``/privacy delete`` the erased words and id are in no byte of the database's
files: not the database file (``secure_delete``), not its write-ahead log or shared-memory index
(``Database.checkpoint``, run by the erasure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.db import Database
from bot.privacy.erasure import erase_member
from tests.unit.privacy.test_schema_classification import _import_every_bot_package

G = 10
MEMBER = 738_291_046_518_273_049  # a snowflake-sized id
WORDS = "Zebrafinch-Quokka: my left knee burns after the 4pm walk"


@pytest.fixture(autouse=True)
def _every_capability_declared() -> None:
    _import_every_bot_package()


def _traces(db_path: Path) -> dict[str, list[str]]:
    """Each of the database's files that holds the words or the id (text, 8-byte LE or BE)."""
    needles = {
        "words": WORDS.encode("utf-8"),
        "id as text": str(MEMBER).encode("ascii"),
        "id little-endian": MEMBER.to_bytes(8, "little"),
        "id big-endian": MEMBER.to_bytes(8, "big"),
    }
    found: dict[str, list[str]] = {}
    for suffix in ("", "-wal", "-shm"):
        path = Path(f"{db_path}{suffix}")
        data = path.read_bytes() if path.exists() else b""
        hits = [name for name, needle in needles.items() if needle in data]
        if hits:
            found[path.name] = hits
    return found


async def _write_goal(db: Database) -> None:
    await db.execute(
        "INSERT INTO goals (guild_id, user_id, text, cadence, local_time, created_at, updated_at)"
        " VALUES (?, ?, ?, 'daily', '09:00', '2026-11-23T09:00:00Z', '2026-11-23T09:00:00Z')",
        (G, MEMBER, WORDS))


@pytest.mark.parametrize("checkpointed_before", [False, True], ids=["words-in-wal", "words-in-db-file"])
async def test_erasure_leaves_no_byte_of_the_members_words_or_id(
        db: Database, tmp_path: Path, checkpointed_before: bool) -> None:
    await _write_goal(db)
    if checkpointed_before:  # the words already copied into the database file itself
        await db.checkpoint()
    db_path = tmp_path / "bot.sqlite3"
    assert _traces(db_path), "the test's needles must be found before the erasure"

    result = await erase_member(db, G, MEMBER)
    assert result.rows.get("goals") == 1
    assert await db.fetchval("SELECT COUNT(*) FROM goals") == 0

    assert _traces(db_path) == {}
    await db.close()  # and closing leaves nothing behind either
    assert _traces(db_path) == {}


async def test_checkpoint_empties_the_write_ahead_log(db: Database, tmp_path: Path) -> None:
    await _write_goal(db)
    wal = tmp_path / "bot.sqlite3-wal"
    assert wal.stat().st_size > 0
    assert await db.checkpoint() is True
    assert wal.stat().st_size == 0


async def test_every_connection_deletes_securely(db: Database) -> None:
    assert (await db.conn.execute_fetchall("PRAGMA secure_delete"))[0][0] == 1
    assert db._reader is not None
    assert (await db._reader.execute_fetchall("PRAGMA secure_delete"))[0][0] == 1


async def test_checkpoint_of_an_in_memory_database_is_a_no_op() -> None:
    async with Database(":memory:") as memory:
        assert await memory.checkpoint() is True
