"""A capability's new table is shown, exported, erased, expired and purged through the registry
alone: the privacy code never names it. Also member-owned schedules, receipts, consent history."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import pytest

from bot.core import personal_data
from bot.core.clock import FakeClock, iso_utc
from bot.core.db import Conn, Database
from bot.core.personal_data import PersonalTable
from bot.delivery import schedules
from bot.delivery.recurrence import Recurrence
from bot.privacy.departures import cancel_departure, mark_departure, purge_guild, purge_if_due
from bot.privacy.erasure import erase_member
from bot.privacy.export import build_export
from bot.privacy.inventory import inventory
from bot.privacy.retention import expire
from bot.privacy.settings import PrivacySettings, save_privacy_settings
from tests.unit.privacy.test_schema_classification import _import_every_bot_package

G, OTHER_G, ANN, BEA = 10, 20, 111, 222


@pytest.fixture(autouse=True)
def _every_capability_declared() -> None:
    # The running bot imports every capability through its cogs; so does this test.
    _import_every_bot_package()


@pytest.fixture
async def fake_table(db: Database) -> AsyncIterator[PersonalTable]:
    """What a future capability does: its own table, declared in the registry, nothing else."""
    await db.execute("CREATE TABLE fake_answers (id INTEGER PRIMARY KEY, guild_id INTEGER NOT NULL,"
                     " user_id INTEGER NOT NULL, answer TEXT NOT NULL, answered_at TEXT NOT NULL)")
    table = PersonalTable("fake_answers", "fakes", "your answers to fake pings", "a year", "only you",
                          ("user_id",), retention_setting="retention_goal_answers_days", age_column="answered_at")
    personal_data.register(table)
    yield table
    personal_data.unregister("fake_answers")


@pytest.fixture
def member_kind() -> Iterator[str]:
    personal_data.register_member_schedule_kind("fake_ping")
    yield "fake_ping"
    personal_data._MEMBER_SCHEDULE_KINDS.discard("fake_ping")


async def _answer(db: Database, guild_id: int, user_id: int, text: str, at: str) -> None:
    await db.execute("INSERT INTO fake_answers (guild_id, user_id, answer, answered_at) VALUES (?, ?, ?, ?)",
                     (guild_id, user_id, text, at))


async def _answers(db: Database) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in await db.fetchall("SELECT guild_id, user_id, answer FROM fake_answers ORDER BY id")]


async def test_a_new_capabilitys_table_is_shown_exported_and_erased_without_privacy_code(
        db: Database, clock: FakeClock, fake_table: PersonalTable) -> None:
    await _answer(db, G, ANN, "walked 5 minutes", "2026-11-20T09:00:00Z")
    await _answer(db, G, BEA, "rested", "2026-11-20T09:00:00Z")
    await _answer(db, OTHER_G, ANN, "elsewhere", "2026-11-20T09:00:00Z")

    inv = await inventory(db.conn, G, ANN)
    held = {h.table: h for h in inv.held}
    assert held["fake_answers"].count == 1 and held["fake_answers"].retention_days == 365

    document = await build_export(db.conn, G, ANN, clock.now())
    assert [r["answer"] for r in document["data"]["fake_answers"]["rows"]] == ["walked 5 minutes"]
    assert document["data"]["fake_answers"]["what"] == "your answers to fake pings"

    result = await erase_member(db, G, ANN)
    assert result.rows == {"fake_answers": 1}
    assert await _answers(db) == [(G, BEA, "rested"), (OTHER_G, ANN, "elsewhere")]


async def test_retention_expires_a_new_table_by_its_age_column_and_the_servers_days(
        db: Database, clock: FakeClock, fake_table: PersonalTable) -> None:
    now = clock.now()
    await _answer(db, G, ANN, "old", iso_utc(now - timedelta(days=40)))
    await _answer(db, G, ANN, "new", iso_utc(now - timedelta(days=10)))
    await _answer(db, OTHER_G, ANN, "other server old", iso_utc(now - timedelta(days=40)))
    await save_privacy_settings(db, clock, PrivacySettings(G, retention_goal_answers_days=30))
    async with db.transaction() as conn:
        assert await expire(conn, G, now) == {"fake_answers": 1}
    assert await _answers(db) == [(G, ANN, "new"), (OTHER_G, ANN, "other server old")]
    async with db.transaction() as conn:  # the other server keeps the default year
        assert await expire(conn, OTHER_G, now) == {}


async def test_erasure_cancels_the_members_own_schedules_of_declared_kinds_only(
        db: Database, clock: FakeClock, member_kind: str) -> None:
    rule = Recurrence.daily(clock.now().time().replace(second=0, microsecond=0), "UTC", start=clock.now().date())
    async with db.transaction() as conn:
        for guild, owner, kind in ((G, ANN, member_kind), (G, BEA, member_kind), (OTHER_G, ANN, member_kind),
                                   (G, ANN, "circle_checkin")):
            await schedules.create(conn, clock.now(), guild_id=guild, kind=kind, owner_id=owner, rule=rule)
    inv = await inventory(db.conn, G, ANN)
    assert inv.schedules == 1
    document = await build_export(db.conn, G, ANN, clock.now())
    assert [s["kind"] for s in document["your_schedules"]] == [member_kind]
    result = await erase_member(db, G, ANN)
    assert result.schedules == 1
    left = await db.fetchall("SELECT guild_id, owner_id, kind FROM schedules ORDER BY id")
    assert [tuple(r) for r in left] == [(G, BEA, member_kind), (OTHER_G, ANN, member_kind),
                                        (G, ANN, "circle_checkin")]


async def test_receipts_bring_anonymous_rows_into_the_export_only_when_given(db: Database, clock: FakeClock) -> None:
    seen: list[list[str]] = []

    async def lookup(conn: Conn, guild_id: int, receipts: list[str]) -> list[dict[str, Any]]:
        seen.append(receipts)
        return [{"story": "mine", "receipt": r} for r in receipts if r == "good-receipt" and guild_id == G]

    personal_data.register_receipt_lookup("fake_stories", lookup)
    try:
        without = await build_export(db.conn, G, ANN, clock.now())
        assert without["anonymous_by_receipt"] == {} and seen == []
        assert "receipts" in without["about"]["anonymous_stories"]
        given = await build_export(db.conn, G, ANN, clock.now(), [" good-receipt ", "bad", ""])
        assert given["anonymous_by_receipt"] == {"fake_stories": [{"story": "mine", "receipt": "good-receipt"}]}
        assert seen == [["good-receipt", "bad"]]
    finally:
        personal_data._RECEIPT_LOOKUPS.pop("fake_stories", None)


async def _consent(db: Database, guild_id: int, user_id: int) -> None:
    await db.execute("INSERT INTO consent_log (guild_id, circle_id, user_id, event, norms_version, at)"
                     " VALUES (?, 1, ?, 'agreed', 1, '2026-11-20T09:00:00Z')", (guild_id, user_id))


async def test_consent_history_stays_append_only_but_goes_with_an_erasure_or_a_purge(
        db: Database, clock: FakeClock) -> None:
    for guild, user in ((G, ANN), (G, BEA), (OTHER_G, ANN)):
        await _consent(db, guild, user)
    with pytest.raises(Exception, match="append-only"):
        await db.execute("DELETE FROM consent_log WHERE user_id = ?", (ANN,))
    await erase_member(db, G, ANN)
    assert await db.fetchval("SELECT COUNT(*) FROM consent_log") == 2
    async with db.transaction() as conn:
        deleted = await purge_guild(conn, G)
    assert deleted["consent_log"] == 1
    rows = await db.fetchall("SELECT guild_id, user_id FROM consent_log")
    assert [tuple(r) for r in rows] == [(OTHER_G, ANN)]
    assert await db.fetchval("SELECT COUNT(*) FROM consent_erasures") == 0
    with pytest.raises(Exception, match="append-only"):
        await db.execute("DELETE FROM consent_log")


async def test_a_departure_purges_only_when_due_and_a_return_cancels_it(db: Database, clock: FakeClock) -> None:
    await _consent(db, G, ANN)
    await save_privacy_settings(db, clock, PrivacySettings(G, departure_grace_days=3))
    async with db.transaction() as conn:
        purge_at = await mark_departure(conn, G, clock.now())
    assert purge_at == clock.now() + timedelta(days=3)
    async with db.transaction() as conn:
        assert await purge_if_due(conn, G, clock.now() + timedelta(days=2)) is None
        assert await cancel_departure(conn, G)
        assert await purge_if_due(conn, G, clock.now() + timedelta(days=4)) is None  # came back
    assert await db.fetchval("SELECT COUNT(*) FROM consent_log") == 1
    async with db.transaction() as conn:
        await mark_departure(conn, G, clock.now())
        assert (await purge_if_due(conn, G, clock.now() + timedelta(days=3)) or {}).get("consent_log") == 1
    assert await db.fetchval("SELECT COUNT(*) FROM privacy_settings") == 0
