"""Issue 25: after ``/privacy delete`` the erased words and id are in no byte of the database's
files: not the database file (``secure_delete``), not its write-ahead log or shared-memory index
(``Database.checkpoint``, run by the erasure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.db import Database
from bot.privacy.erasure import erase_member
from tests.engine import sqlite_only
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


@sqlite_only("the bytes of SQLite's database file, -wal and -shm (secure_delete, checkpoint)")
@pytest.mark.parametrize("checkpointed_before", [False, True], ids=["words-in-wal", "words-in-db-file"])
async def test_erasure_leaves_no_byte_of_the_members_words_or_id_sqlite_only(
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


@sqlite_only("SQLite's write-ahead log file")
async def test_checkpoint_empties_the_write_ahead_log_sqlite_only(db: Database, tmp_path: Path) -> None:
    await _write_goal(db)
    wal = tmp_path / "bot.sqlite3-wal"
    assert wal.stat().st_size > 0
    assert await db.checkpoint() is True
    assert wal.stat().st_size == 0


@sqlite_only("secure_delete is a SQLite pragma")
async def test_every_connection_deletes_securely_sqlite_only(db: Database) -> None:
    assert (await db.conn.execute_fetchall("PRAGMA secure_delete"))[0][0] == 1
    assert db._reader is not None
    assert (await db._reader.execute_fetchall("PRAGMA secure_delete"))[0][0] == 1


async def test_checkpoint_of_an_in_memory_database_is_a_no_op() -> None:
    async with Database(":memory:") as memory:
        assert await memory.checkpoint() is True


MODERATOR = 402_118_553_907_661_312
FACILITATOR = 519_004_377_120_448_001


async def _write_id_in_other_peoples_rows(db: Database) -> None:
    """The member's id inside text that is not theirs: a moderator's action naming them, a crisis
    case's dedupe key, a notice to a facilitator whose key (and waiting text) names them."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO cases (guild_id, kind, urgency, source, subject_user_id, opened_by, dedupe_key, created_at,"
            " updated_at, number) VALUES (?, 'concern', 'normal', 'goal_text', ?, ?, ?, '2026-11-23T09:00:00Z',"
            " '2026-11-23T09:00:00Z', 1)", (G, MEMBER, MEMBER, f"goal_text:{MEMBER}:2026-11-23T09:00:00Z"))
        case_id = cursor.lastrowid
        await conn.execute(
            "INSERT INTO case_events (guild_id, case_id, actor_id, event, detail, at) VALUES (?, ?, ?, 'action', ?,"
            " '2026-11-23T09:05:00Z')", (G, case_id, MODERATOR, f"timeout <@{MEMBER}> 60 minutes reason: spam"))
        await conn.execute(
            "INSERT INTO case_events (guild_id, case_id, actor_id, event, detail, at) VALUES (?, ?, ?, 'claimed', ?,"
            " '2026-11-23T09:06:00Z')", (G, case_id, MODERATOR, f"took over from <@!{MEMBER}>"))
        for state, payload in (("sent", None), ("pending", f'{{"content": "<@{MEMBER}> can\'t make it"}}')):
            await conn.execute(
                "INSERT INTO outbox (key, guild_id, kind, target_kind, target_id, payload, state, next_attempt_at,"
                " created_at) VALUES (?, ?, 'checkins.cant', 'dm', ?, ?, ?, '2026-11-23T09:00:00Z',"
                " '2026-11-23T09:00:00Z')",
                (f"checkin_cant:{state}7:{MEMBER}:{FACILITATOR}", G, FACILITATOR, payload, state))


@sqlite_only("the bytes of SQLite's database file, -wal and -shm (secure_delete, checkpoint)")
async def test_erasure_leaves_no_byte_of_the_id_where_others_rows_name_it_sqlite_only(
        db: Database, tmp_path: Path) -> None:
    await _write_id_in_other_peoples_rows(db)
    await db.checkpoint()
    db_path = tmp_path / "bot.sqlite3"
    assert "id as text" in _traces(db_path).get("bot.sqlite3", [])
    await erase_member(db, G, MEMBER)
    assert _traces(db_path) == {}


async def test_erasure_rewrites_the_id_where_others_rows_name_it(db: Database) -> None:
    """Issue 25: ids in case histories, case dedupe keys and outbox keys naming another member."""
    await _write_id_in_other_peoples_rows(db)

    result = await erase_member(db, G, MEMBER)

    details = [r[0] for r in await db.fetchall("SELECT detail FROM case_events ORDER BY id")]
    assert details[-2:] == ["timeout a former member 60 minutes reason: spam", "took over from a former member"]
    keys = sorted(r[0] for r in await db.fetchall("SELECT key FROM outbox WHERE target_id = ?", (FACILITATOR,)))
    assert len(keys) == 2 and all(f":{FACILITATOR}" in k and ":erased" in k for k in keys), keys
    payload = await db.fetchval("SELECT payload FROM outbox WHERE state = 'pending' AND target_id = ?", (FACILITATOR,))
    assert payload == '{"content": "a former member can\'t make it"}'
    key = await db.fetchval("SELECT dedupe_key FROM cases")
    assert key.startswith("goal_text:erased") and key.endswith(":2026-11-23T09:00:00Z")
    assert result.rows["outbox.key"] == 2 and result.rows["case_events.detail"] == 2


def test_only_whole_ids_are_rewritten() -> None:
    from bot.privacy.id_text import rewrite_key, rewrite_text

    assert rewrite_text("<@12> met 3123 and 12, not 125", 12) == "a former member met 3123 and 0, not 125"
    assert rewrite_key("checkin_cant:7:12:120", 12, 44) == "checkin_cant:7:erased44:120"
