"""Case numbers per server (issue 24): each server counts its own cases 1, 2, 3..., what moderators
see and type; the global id stays internal. The migration numbers existing cases per server."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.cases.data_rights import _export_case_events, _export_cases
from bot.cases.queue import queue_card
from bot.cases.records import add_event, get_case, get_case_by_number, open_case
from bot.core.clock import FakeClock
from bot.core.db import MIGRATIONS_DIR, Database, IntegrityError
from bot.core.messages import custom_id
from tests.unit.circles.support import GUILD, OTHER_GUILD


async def _open(db: Database, clock: FakeClock, guild_id: int, **extra: object) -> int:
    async with db.transaction() as conn:
        return (await open_case(conn, clock, guild_id=guild_id, kind="report", urgency="normal", source="report",
                                **extra)).case_id  # type: ignore[arg-type]


async def test_each_server_numbers_its_own_cases_from_one(db: Database, clock: FakeClock) -> None:
    ids = [await _open(db, clock, guild) for guild in (GUILD, GUILD, OTHER_GUILD, GUILD, OTHER_GUILD)]
    numbers = []
    for case_id, guild in zip(ids, (GUILD, GUILD, OTHER_GUILD, GUILD, OTHER_GUILD), strict=True):
        case = await get_case(db, guild, case_id)
        assert case is not None
        numbers.append((guild, case.number))
    assert numbers == [(GUILD, 1), (GUILD, 2), (OTHER_GUILD, 1), (GUILD, 3), (OTHER_GUILD, 2)]
    # A number is read within its server: #1 of the other server is its own case, not this one's.
    first_other = await get_case_by_number(db, OTHER_GUILD, 1)
    assert first_other is not None and first_other.id == ids[2] and first_other.guild_id == OTHER_GUILD
    assert await get_case_by_number(db, OTHER_GUILD, 3) is None


async def test_a_deduplicated_open_takes_no_number(db: Database, clock: FakeClock) -> None:
    first = await _open(db, clock, GUILD, dedupe_key="report:1")
    assert await _open(db, clock, GUILD, dedupe_key="report:1") == first
    second = await get_case(db, GUILD, await _open(db, clock, GUILD))
    assert second is not None and second.number == 2


async def test_the_queue_card_shows_the_number_and_its_buttons_keep_the_internal_id(
        db: Database, clock: FakeClock) -> None:
    await _open(db, clock, GUILD)
    case_id = await _open(db, clock, OTHER_GUILD)
    case = await get_case(db, OTHER_GUILD, case_id)
    assert case is not None and case.number == 1 and case.id == 2
    card = queue_card(case)
    assert card.embeds[0]["title"].startswith("Case #1:") and "/case show id:1" in card.embeds[0]["description"]
    assert card.content.startswith("Case #1 ")
    assert card.rows[0][0].custom_id == custom_id("caseclaim", case.id)


async def test_the_export_names_a_case_by_its_number_in_the_server(db: Database, clock: FakeClock) -> None:
    await _open(db, clock, GUILD)
    case_id = await _open(db, clock, OTHER_GUILD, opened_by=42)
    async with db.transaction() as conn:
        await add_event(conn, clock, guild_id=OTHER_GUILD, case_id=case_id, actor_id=42, event="note")
        [own] = await _export_cases(conn, OTHER_GUILD, 42)
        events = await _export_case_events(conn, OTHER_GUILD, 42)
    assert case_id == 2 and own["case"] == 1
    assert [(e["case"], e["event"]) for e in events] == [(1, "opened"), (1, "note")]


@pytest.fixture
def before_numbers(tmp_path: Path) -> Path:
    folder = tmp_path / "migrations"
    folder.mkdir()
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        if int(path.name[:4]) < 18:
            shutil.copy(path, folder / path.name)
    return folder


async def test_the_migration_numbers_existing_cases_per_server_in_id_order(
        tmp_path: Path, before_numbers: Path) -> None:
    async with Database(tmp_path / "old.sqlite3") as db:
        await db.migrate(before_numbers)
        for guild in (GUILD, OTHER_GUILD, GUILD, GUILD, OTHER_GUILD):
            await db.execute("INSERT INTO cases (guild_id, kind, urgency, source, created_at, updated_at)"
                             " VALUES (?, 'report', 'normal', 'report', 'x', 'x')", (guild,))
        await db.migrate()
        rows = await db.fetchall("SELECT guild_id, number FROM cases ORDER BY id")
        assert [(r[0], r[1]) for r in rows] == [(GUILD, 1), (OTHER_GUILD, 1), (GUILD, 2), (GUILD, 3),
                                                (OTHER_GUILD, 2)]
        with pytest.raises(IntegrityError, match=r"(?i)unique"):
            await db.execute("UPDATE cases SET number = 1 WHERE guild_id = ? AND number = 2", (GUILD,))
        # New cases continue each server's count.
        async with db.transaction() as conn:
            opened = await open_case(conn, FakeClock(), guild_id=OTHER_GUILD, kind="report", urgency="normal",
                                     source="report")
        case = await get_case(db, OTHER_GUILD, opened.case_id)
        assert case is not None and case.number == 3
