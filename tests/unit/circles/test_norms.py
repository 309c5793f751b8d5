"""bot/circles/norms.py: default norms, versions, re-consent across the grace period."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.circles.consent import agree, members_of, role_states
from bot.circles.deadlines import GRACE_KIND
from bot.circles.norms import (
    NORMS_MAX,
    clean_norms_text,
    default_norms_text,
    get_norms,
    pause_overdue,
    save_norms,
)
from bot.core.errors import UserFacingError
from bot.delivery import schedules
from tests.unit.circles import support as cs
from tests.unit.circles.support import GUILD, OTHER_GUILD, START, consent_rows, make_circle

outbox = cs.outbox
NEW = "Version two of our norms: be kind, keep confidences, no medical advice."


async def pause(db, clock, outbox):
    async with db.transaction() as conn:
        return await pause_overdue(db, conn, clock, outbox)


def test_default_norms_cover_what_the_issue_asks_for() -> None:
    text = default_norms_text().lower()
    for needle in ("stays here", "screenshot", "not medical advice", "diagnos", "comparing pain",
                   "content warning", "anonym", "moderators see", "crisis support", "never stores",
                   "crisis card", "emergency"):
        assert needle in text, needle
    assert len(default_norms_text()) <= NORMS_MAX


def test_norms_text_keeps_lines_and_is_bounded() -> None:
    assert clean_norms_text("Line one here\r\n\r\n\r\n\r\nLine two   \n@everyone be kind") == (
        "Line one here\n\nLine two\n@\u200beveryone be kind")
    with pytest.raises(UserFacingError, match="at most 4000"):
        clean_norms_text("x" * 4001)
    with pytest.raises(UserFacingError, match="at least 20"):
        clean_norms_text("be nice")


async def test_saving_changed_norms_makes_a_new_version_and_asks_members(db, clock, outbox) -> None:
    circle = await make_circle(db, clock)
    for uid in (1, 2):
        await agree(db, clock, GUILD, circle.id, uid, 1)
    saved = await save_norms(db, clock, GUILD, circle.id, NEW, actor_id=cs.ORGANISER, grace_days=7, outbox=outbox)
    assert (saved.changed, saved.version, saved.asked_user_ids) == (True, 2, (1, 2))
    assert saved.due_at == START + timedelta(days=7)
    assert (await get_norms(db, GUILD, circle.id)).text == NEW
    assert (await get_norms(db, GUILD, circle.id, 1)).text == default_norms_text()  # history kept
    assert [r["target_id"] for r in outbox.rows] == [1, 2]
    request = outbox.rows[0]["payload"]
    assert "**I agree** by <t:" in request["content"] and request["embeds"][0]["description"] == NEW
    async with db.transaction() as conn:
        [wake] = await schedules.list_schedules(conn, GUILD, kind=GRACE_KIND)
    assert wake.next_fire_at == START + timedelta(days=7)


async def test_unchanged_text_makes_no_version(db, clock, outbox) -> None:
    circle = await make_circle(db, clock)
    saved = await save_norms(db, clock, GUILD, circle.id, default_norms_text() + "\n\n", actor_id=1,
                             grace_days=7, outbox=outbox)
    assert (saved.changed, saved.version) == (False, 1)
    assert outbox.rows == []


async def test_norms_of_another_server_cannot_be_edited(db, clock, outbox) -> None:
    circle = await make_circle(db, clock)
    with pytest.raises(UserFacingError):
        await save_norms(db, clock, OTHER_GUILD, circle.id, NEW, actor_id=1, grace_days=7, outbox=outbox)


async def test_access_continues_through_the_grace_period_then_pauses(db, clock, outbox) -> None:
    circle = await make_circle(db, clock)
    for uid in (1, 2):
        await agree(db, clock, GUILD, circle.id, uid, 1)
    await save_norms(db, clock, GUILD, circle.id, NEW, actor_id=1, grace_days=7, outbox=outbox)
    clock.advance(days=2)
    within = await agree(db, clock, GUILD, circle.id, 1, 2)
    assert (within.kind, within.resumed) == ("reconsented", False)

    clock.advance(days=4, hours=23, minutes=59)  # one minute before the deadline
    assert await pause(db, clock, outbox) == []
    clock.advance(minutes=1)
    [change] = await pause(db, clock, outbox)
    assert (change.user_id, change.add, change.reason) == (2, False, "norms_grace_ended")
    members = {m.user_id: m for m in await members_of(db, GUILD, circle.id)}
    assert (members[1].status, members[1].consent_version) == ("active", 2)
    assert (members[2].status, members[2].consent_version) == ("paused", 1)  # seat kept
    paused_notice = outbox.to(2, "circles.access_paused")[0]["payload"]
    assert "paused" in paused_notice["content"]
    assert paused_notice["content"].startswith("Your seat in **Migraine Mornings** is kept")
    assert [r[1:3] for r in await consent_rows(db, circle.id)][-1] == ("paused", 2)
    [state] = await role_states(db, GUILD)
    assert state.holders == {1} and state.revoked == {2}
    assert await pause(db, clock, outbox) == []  # once only

    # Agreeing later brings access straight back.
    result = await agree(db, clock, GUILD, circle.id, 2, 2)
    assert result.kind == "reconsented" and result.resumed and result.role_change.add
    [state] = await role_states(db, GUILD)
    assert state.holders == {1, 2}


async def test_the_grace_period_is_the_servers_setting(db, clock, outbox) -> None:
    circle = await make_circle(db, clock)
    await agree(db, clock, GUILD, circle.id, 1, 1)
    saved = await save_norms(db, clock, GUILD, circle.id, NEW, actor_id=1, grace_days=2, outbox=outbox)
    assert saved.due_at == START + timedelta(days=2)
    clock.advance(days=2)
    assert len(await pause(db, clock, outbox)) == 1


async def test_newer_norms_reset_the_deadline_and_paused_members_are_sent_them(db, clock, outbox) -> None:
    circle = await make_circle(db, clock)
    await agree(db, clock, GUILD, circle.id, 1, 1)
    await agree(db, clock, GUILD, circle.id, 2, 1)
    await save_norms(db, clock, GUILD, circle.id, NEW, actor_id=1, grace_days=7, outbox=outbox)
    clock.advance(days=7)
    await pause(db, clock, outbox)  # both paused
    await agree(db, clock, GUILD, circle.id, 1, 2)
    clock.advance(days=1)
    saved = await save_norms(db, clock, GUILD, circle.id, NEW + " Version three.", actor_id=1, grace_days=7,
                             outbox=outbox)
    assert saved.asked_user_ids == (1, 2)
    third = next(r for r in outbox.rows if r["key"].endswith(":norms:3:user:2"))["payload"]["content"]
    assert "your seat is kept" in third.lower() and "access comes back as soon as you agree" in third
    members = {m.user_id: m for m in await members_of(db, GUILD, circle.id)}
    assert members[1].reconsent_due_at == "2026-12-08T09:00:00Z" and members[2].reconsent_due_at is None


async def test_an_undeliverable_request_becomes_a_post_in_the_circle_channel(db, clock, outbox) -> None:
    from bot.circles.notices import RECONSENT_FALLBACK, reconsent_channel_notice

    circle = await make_circle(db, clock)
    await agree(db, clock, GUILD, circle.id, 1, 1)
    await save_norms(db, clock, GUILD, circle.id, NEW, actor_id=1, grace_days=7, outbox=outbox)
    [request] = outbox.rows
    assert request["key"] == f"circle:{circle.id}:norms:2:user:1"
    assert await reconsent_channel_notice(db.reader, GUILD + 1, request["key"]) is None, "another server's key"
    notice = await reconsent_channel_notice(db.reader, GUILD, request["key"])
    assert (notice.target_kind, notice.target_id, notice.card.mention_user_ids) == ("channel", 7001, (1,))
    assert "<@1>, the norms of" in notice.card.content and "/circle mine" in notice.card.content
    assert request["fallback"] == RECONSENT_FALLBACK
    await agree(db, clock, GUILD, circle.id, 1, 2)
    assert await reconsent_channel_notice(db.reader, GUILD, request["key"]) is None, "nothing to say once agreed"
