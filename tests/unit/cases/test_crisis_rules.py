"""respond_to_crisis after issue 24: a concern card has its own clock (it never holds back a crisis
card), and one open crisis case per member and server gathers later messages and pages once."""

from __future__ import annotations

from typing import Any

from bot.cases.records import case_events, list_cases
from bot.cases.settings import update_case_settings
from bot.core.clock import FakeClock
from bot.core.db import Database
from tests.unit.cases.test_cases_domain import crisis, set_up
from tests.unit.circles.support import GUILD, RecordingOutbox


def cards(outbox: RecordingOutbox, level: str) -> list[dict[str, Any]]:
    return outbox.to(42, f"case_card_{level}")


def pages(outbox: RecordingOutbox) -> list[dict[str, Any]]:
    return [r for r in outbox.rows if r["kind"] in ("case_queue", "case_page") and r["target_kind"] == "channel"]


async def test_a_crisis_card_is_never_held_back_by_an_earlier_concern_card(db: Database, clock: FakeClock) -> None:
    await set_up(db)
    outbox = RecordingOutbox()
    await crisis(db, clock, outbox, level="concern")
    clock.advance(minutes=10)
    await crisis(db, clock, outbox, level="crisis")
    assert len(cards(outbox, "concern")) == 1 and len(cards(outbox, "crisis")) == 1


async def test_a_concern_card_is_held_back_by_a_recent_crisis_card_and_crisis_cards_keep_their_hour(
        db: Database, clock: FakeClock) -> None:
    await set_up(db)
    outbox = RecordingOutbox()
    await crisis(db, clock, outbox, level="crisis")
    clock.advance(minutes=10)
    await crisis(db, clock, outbox, level="concern")
    await crisis(db, clock, outbox, level="crisis")
    assert cards(outbox, "concern") == [] and len(cards(outbox, "crisis")) == 1
    clock.advance(minutes=51)
    await crisis(db, clock, outbox, level="crisis")
    assert len(cards(outbox, "crisis")) == 2


async def test_ten_crisis_messages_make_one_case_one_page_and_one_ladder(db: Database, clock: FakeClock) -> None:
    await set_up(db)
    outbox = RecordingOutbox()
    results = []
    for n in range(10):
        results.append(await crisis(db, clock, outbox, snapshot={"link": f"https://discord.com/x/{n}"},
                                    dedupe_key=f"chat:{n}"))
        clock.advance(seconds=20)
    [case] = await list_cases(db, GUILD)
    assert {r.case_id for r in results} == {case.id}
    assert len(pages(outbox)) == 1, "paged once"
    ladder = await db.fetchval("SELECT count(*) FROM schedules WHERE kind = 'case_ladder'")
    assert ladder == 2
    gathered = [e.detail for e in await case_events(db, GUILD, case.id) if e.event == "gathered"]
    assert len(gathered) == 9 and gathered[0] == "another message (crisis, chat): https://discord.com/x/1"


async def test_a_crisis_joining_an_open_concern_case_makes_it_urgent_and_pages_once(
        db: Database, clock: FakeClock) -> None:
    await set_up(db)
    async with db.transaction() as conn:
        await update_case_settings(conn, clock, GUILD, concern_opens_case=True)
    outbox = RecordingOutbox()
    await crisis(db, clock, outbox, level="concern", dedupe_key="chat:1")
    await crisis(db, clock, outbox, level="concern", dedupe_key="chat:2")
    assert len(await list_cases(db, GUILD)) == 1
    assert [p["kind"] for p in pages(outbox)] == ["case_queue"], "a normal case's queue post, no page"
    await crisis(db, clock, outbox, level="crisis", dedupe_key="chat:3")
    await crisis(db, clock, outbox, level="crisis", dedupe_key="chat:4")
    [case] = await list_cases(db, GUILD)
    assert (case.kind, case.urgency) == ("crisis", "urgent")
    assert [p["key"] for p in pages(outbox) if p["kind"] == "case_page"] == [f"case:{case.id}:urgent"]


async def test_a_resolved_case_does_not_gather_a_new_crisis(db: Database, clock: FakeClock) -> None:
    await set_up(db)
    outbox = RecordingOutbox()
    first = await crisis(db, clock, outbox, dedupe_key="chat:1")
    await db.execute("UPDATE cases SET status = 'resolved' WHERE id = ?", (first.case_id,))
    second = await crisis(db, clock, outbox, dedupe_key="chat:2")
    assert second.case_id != first.case_id
