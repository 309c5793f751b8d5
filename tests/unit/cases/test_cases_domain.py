"""The cases domain: opening announces and schedules the ladder, respond_to_crisis's rules,
pending cards, settings, workflow and guild scoping."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.cases.crisis import has_pending, mark_pending, respond_to_crisis, take_pending
from bot.cases.queue import ANNOUNCE_KIND, LADDER_KIND, queue_card
from bot.cases.records import get_case, list_cases, open_case
from bot.cases.settings import case_settings, update_case_settings
from bot.cases.workflow import add_note, claim, escalate, resolve, timeout_length
from bot.core.clock import FakeClock
from bot.core.db import Database
from bot.core.errors import UserFacingError
from bot.delivery import schedules
from tests.unit.circles.support import GUILD, OTHER_GUILD, RecordingOutbox

CARD = {"title": "In a crisis", "description": "call 988"}
QUEUE = 7001
ONCALL = 7002


async def set_up(db: Database) -> None:
    await db.execute("INSERT INTO guild_settings (guild_id, queue_channel_id, oncall_role_id, organiser_role_id,"
                     " setup_done, updated_at) VALUES (?, ?, ?, 7003, 1, '2026-11-23T09:00:00Z')",
                     (GUILD, QUEUE, ONCALL))


async def crisis(db: Database, clock: FakeClock, outbox: Any, level: str = "crisis", **extra: Any):
    async with db.transaction() as conn:
        return await respond_to_crisis(conn, clock, outbox, guild_id=GUILD, user_id=42, level=level, source="chat",
                                       crisis_embed=CARD, server_name="Pain Peers",
                                       can_reply_privately=extra.pop("private", False), **extra)


async def test_open_case_announces_in_the_queue_and_schedules_the_urgent_ladder(db: Database, clock: FakeClock) -> None:
    await set_up(db)
    outbox = RecordingOutbox()
    async with db.transaction() as conn:
        opened = await open_case(conn, clock, guild_id=GUILD, kind="crisis", urgency="urgent", source="story",
                                 outbox=outbox)  # type: ignore[arg-type]
        ladder = await schedules.list_schedules(conn, GUILD, kind=LADDER_KIND)
    [post] = outbox.rows
    assert (post["key"], post["target_id"]) == (f"case:{opened.case_id}:queue", QUEUE)
    assert post["payload"]["allowed_mentions"]["roles"] == [str(ONCALL)]
    assert sorted(s.next_fire_at - clock.now() for s in ladder if s.next_fire_at) == [timedelta(minutes=5),
                                                                                       timedelta(minutes=15)]


async def test_open_case_without_an_outbox_still_gets_announced_by_a_wake_up(db: Database, clock: FakeClock) -> None:
    await set_up(db)
    async with db.transaction() as conn:
        opened = await open_case(conn, clock, guild_id=GUILD, kind="review", urgency="normal", source="story")
        [announce] = await schedules.list_schedules(conn, GUILD, kind=ANNOUNCE_KIND)
        [raise_] = await schedules.list_schedules(conn, GUILD, kind=LADDER_KIND)
    assert announce.owner_id == opened.case_id and announce.next_fire_at == clock.now()
    assert raise_.next_fire_at == clock.now() + timedelta(hours=24) and raise_.payload == {"step": "raise"}


async def test_crisis_sends_one_card_an_hour_and_later_messages_join_the_open_case(db: Database,
                                                                                  clock: FakeClock) -> None:
    await set_up(db)
    outbox = RecordingOutbox()
    first = await crisis(db, clock, outbox)
    assert first.dm_queued and first.case_id and len(outbox.to(42)) == 1
    assert outbox.to(42)[0]["fallback"] == "case_card_pending"
    clock.advance(minutes=59)
    second = await crisis(db, clock, outbox)
    assert not second.dm_queued and second.card is None and second.case_id == first.case_id
    assert len(outbox.to(42)) == 1
    clock.advance(minutes=1)
    assert (await crisis(db, clock, outbox)).dm_queued
    assert len(await list_cases(db, GUILD)) == 1, "one open crisis case per member (issue 24)"


async def test_an_unasked_concern_check_in_comes_at_most_daily_and_a_crisis_card_still_hourly(
        db: Database, clock: FakeClock) -> None:
    await set_up(db)
    outbox = RecordingOutbox()
    assert (await crisis(db, clock, outbox, level="concern")).dm_queued
    clock.advance(hours=2)
    assert not (await crisis(db, clock, outbox, level="concern")).dm_queued, "one gentle check-in a day"
    assert (await crisis(db, clock, outbox)).dm_queued, "a crisis card still comes after an hour"
    clock.advance(hours=2)
    assert (await crisis(db, clock, outbox, level="concern", private=True)).show_card, "asked: shown hourly"
    clock.advance(hours=21)
    assert not (await crisis(db, clock, outbox, level="concern")).dm_queued
    clock.advance(hours=3)
    assert (await crisis(db, clock, outbox, level="concern")).dm_queued
    assert len(outbox.to(42)) == 3


async def test_a_caller_with_a_private_reply_gets_the_card_to_show(db: Database, clock: FakeClock) -> None:
    await set_up(db)
    outbox = RecordingOutbox()
    result = await crisis(db, clock, outbox, private=True)
    assert result.show_card and result.card is not None and not outbox.to(42)
    assert any(b.label == "Talk to a moderator now" for b in result.card.buttons)


async def test_concern_opens_no_case_unless_opted_in(db: Database, clock: FakeClock) -> None:
    await set_up(db)
    outbox = RecordingOutbox()
    result = await crisis(db, clock, outbox, level="concern")
    assert result.case_id is None and result.dm_queued
    async with db.transaction() as conn:
        await update_case_settings(conn, clock, GUILD, concern_opens_case=True)
    clock.advance(hours=2)
    result = await crisis(db, clock, outbox, level="concern")
    case = await get_case(db, GUILD, result.case_id or 0)
    assert case is not None and (case.kind, case.urgency) == ("concern", "normal")


async def test_none_does_nothing_and_anonymous_keeps_the_author_out_of_the_case(db: Database, clock: FakeClock) -> None:
    await set_up(db)
    outbox = RecordingOutbox()
    assert (await crisis(db, clock, outbox, level="none")).case_id is None
    result = await crisis(db, clock, outbox, anonymous=True)
    case = await get_case(db, GUILD, result.case_id or 0)
    assert case is not None and case.subject_user_id is None


async def test_pending_cards_are_taken_once(db: Database, clock: FakeClock) -> None:
    async with db.transaction() as conn:
        await mark_pending(conn, clock, GUILD, 42, "crisis")
        assert await has_pending(conn, 42, None)
        assert await take_pending(conn, 42, OTHER_GUILD) is None
        assert await take_pending(conn, 42, None) == (GUILD, "crisis")
        assert await take_pending(conn, 42, None) is None


async def test_workflow_is_scoped_by_server_and_logged(db: Database, clock: FakeClock) -> None:
    await set_up(db)
    outbox = RecordingOutbox()
    async with db.transaction() as conn:
        opened = await open_case(conn, clock, guild_id=GUILD, kind="report", urgency="normal", source="report")
    with pytest.raises(UserFacingError, match="no such case"):
        await claim(db, clock, OTHER_GUILD, opened.case_id, 9)
    claimed = await claim(db, clock, GUILD, opened.case_id, 9)
    assert claimed.status == "claimed" and claimed.claimed_by == 9
    async with db.transaction() as conn:
        assert await schedules.list_schedules(conn, GUILD, kind=LADDER_KIND) == [], "a claim stops the ladder"
    with pytest.raises(UserFacingError):
        await add_note(db, clock, GUILD, opened.case_id, 9, "   ")
    escalated = await escalate(db, clock, outbox, GUILD, opened.case_id, 9)  # type: ignore[arg-type]
    assert escalated.urgency == "urgent" and outbox.rows[-1]["key"] == f"case:{opened.case_id}:escalated:1"
    resolved = await resolve(db, clock, GUILD, opened.case_id, 9, "done")
    assert resolved.status == "resolved" and queue_card(resolved).rows == ()
    with pytest.raises(UserFacingError, match="already resolved"):
        await resolve(db, clock, GUILD, opened.case_id, 9, "again")


async def test_settings_defaults_validation_and_timeout_bounds(db: Database, clock: FakeClock) -> None:
    settings = await case_settings(db.conn, GUILD)
    assert (settings.repage_minutes, settings.organiser_minutes, settings.profanity_mode) == (5, 15, "off")
    async with db.transaction() as conn:
        with pytest.raises(UserFacingError):
            await update_case_settings(conn, clock, GUILD, repage_minutes=20, organiser_minutes=15)
        saved = await update_case_settings(conn, clock, GUILD, repage_minutes=3, profanity_mode="remove")
    assert (saved.repage_minutes, saved.organiser_minutes, saved.profanity_mode) == (3, 15, "remove")
    assert (await case_settings(db.conn, OTHER_GUILD)).repage_minutes == 5
    assert timeout_length(1) == timedelta(minutes=1)
    with pytest.raises(UserFacingError):
        timeout_length(40321)
