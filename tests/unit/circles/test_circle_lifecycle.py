"""bot/circles/lifecycle.py: create (validate, then record), edit, archive."""

from __future__ import annotations

import asyncio

import pytest

from bot.circles.consent import agree, leave, members_of
from bot.circles.lifecycle import (
    CircleEdit,
    archive_circle,
    prepare_circle,
    prepare_edit,
    record_circle,
    store_edit,
)
from bot.circles.norms import default_norms_text, get_norms
from bot.circles.records import CircleArchived, NameTaken, get_circle
from bot.circles.waitlist import join_waitlist
from bot.core.errors import UserFacingError
from tests.unit.circles import support as cs
from tests.unit.circles.support import GUILD, consent_rows, make_circle

outbox = cs.outbox


@pytest.mark.parametrize("capacity", [1, 31, 0, -3])
async def test_capacity_is_2_to_30(db, capacity: int) -> None:
    with pytest.raises(UserFacingError, match="2 to 30"):
        await prepare_circle(db, GUILD, name="Ok", description="d", topics="general", language="en",
                             capacity=capacity)


async def test_created_circle_starts_with_the_default_norms_as_version_1(db, clock) -> None:
    circle = await make_circle(db, clock, "**Bold** @everyone")
    assert circle.norms_version == 1
    assert "@everyone" not in circle.name and circle.name.startswith("**Bold**")
    norms = await get_norms(db, GUILD, circle.id)
    assert (norms.version, norms.text) == (1, default_norms_text())


async def test_two_creations_racing_for_one_name_leave_one_circle(db, clock) -> None:
    draft_a = await prepare_circle(db, GUILD, name="Pelvic Pain", description="d", topics="pelvic",
                                   language="en", capacity=6)
    draft_b = await prepare_circle(db, GUILD, name="pelvic pain", description="d", topics="pelvic",
                                   language="en", capacity=6)
    results = await asyncio.gather(
        record_circle(db, clock, draft_a, created_by=1, norms_text=default_norms_text(), role_id=1,
                      text_channel_id=2, voice_channel_id=3),
        record_circle(db, clock, draft_b, created_by=1, norms_text=default_norms_text(), role_id=4,
                      text_channel_id=5, voice_channel_id=6),
        return_exceptions=True,
    )
    assert sum(isinstance(r, NameTaken) for r in results) == 1
    assert await db.fetchval("SELECT count(*) FROM circles") == 1


async def test_an_archived_circles_name_can_be_used_again(db, clock, outbox) -> None:
    old = await make_circle(db, clock, "Back Pain")
    await archive_circle(db, clock, GUILD, old.id, outbox)
    new = await make_circle(db, clock, "Back Pain")
    assert new.id != old.id


async def test_edit_validates_and_keeps_what_is_not_given(db, clock, outbox) -> None:
    circle = await make_circle(db, clock, "Back Pain", capacity=4)
    await make_circle(db, clock, "Migraine")
    with pytest.raises(NameTaken):
        await prepare_edit(db, circle, CircleEdit(name="MIGRAINE"))
    with pytest.raises(UserFacingError, match="Nothing to change"):
        await prepare_edit(db, circle, CircleEdit())
    updated = await store_edit(db, clock, await prepare_edit(db, circle, CircleEdit(description="New words")),
                               outbox)
    assert (updated.name, updated.description, updated.capacity) == ("Back Pain", "New words", 4)
    renamed = await store_edit(db, clock, await prepare_edit(db, updated, CircleEdit(name="back pain")), outbox)
    assert renamed.name == "back pain"  # its own name in another case is not a collision


async def test_capacity_cannot_drop_below_members(db, clock, outbox) -> None:
    circle = await make_circle(db, clock, capacity=3)
    for user in (1, 2, 3):
        await agree(db, clock, GUILD, circle.id, user, 1)
    with pytest.raises(UserFacingError, match="can't go below 3"):
        await prepare_edit(db, circle, CircleEdit(capacity=2))


async def test_capacity_cannot_drop_below_seats_held_for_the_waitlist(db, clock, outbox) -> None:
    circle = await make_circle(db, clock, capacity=3)
    for user in (1, 2, 3):
        await agree(db, clock, GUILD, circle.id, user, 1)
    await join_waitlist(db, clock, GUILD, circle.id, 4)
    await leave(db, clock, GUILD, circle.id, 1, outbox)  # 2 members; the third seat is held for 4
    with pytest.raises(UserFacingError, match="can't go below 3"):
        await prepare_edit(db, circle, CircleEdit(capacity=2))


async def test_more_capacity_offers_the_new_seats_to_the_waitlist(db, clock, outbox) -> None:
    circle = await make_circle(db, clock, capacity=2)
    await agree(db, clock, GUILD, circle.id, 1, 1)
    await agree(db, clock, GUILD, circle.id, 2, 1)
    for user in (3, 4, 5):
        await join_waitlist(db, clock, GUILD, circle.id, user)
    await store_edit(db, clock, await prepare_edit(db, circle, CircleEdit(capacity=4)), outbox)
    assert [r["target_id"] for r in outbox.rows if r["kind"] == "circles.seat_offer"] == [3, 4]


async def test_archive_ends_seats_and_waitlist_logs_and_tells_everyone(db, clock, outbox) -> None:
    circle = await make_circle(db, clock, capacity=2)
    await agree(db, clock, GUILD, circle.id, 1, 1)
    await agree(db, clock, GUILD, circle.id, 2, 1)
    await join_waitlist(db, clock, GUILD, circle.id, 3)
    result = await archive_circle(db, clock, GUILD, circle.id, outbox)
    assert (result.member_ids, result.waiting_ids, result.role_id) == ((1, 2), (3,), 9001)
    assert await members_of(db, GUILD, circle.id) == []
    assert [r[1] for r in await consent_rows(db, circle.id)] == ["agreed", "agreed", "archived", "archived"]
    assert sorted(r["target_id"] for r in outbox.rows if r["kind"] == "circles.archived") == [1, 2, 3]
    assert "Nothing you did caused this" in outbox.rows[-1]["payload"]["content"]
    with pytest.raises(CircleArchived, match="already archived"):
        await archive_circle(db, clock, GUILD, circle.id, outbox)
    with pytest.raises(CircleArchived):
        await agree(db, clock, GUILD, circle.id, 9, 1)
    with pytest.raises(CircleArchived):
        await prepare_edit(db, await get_circle(db, GUILD, circle.id), CircleEdit(capacity=5))
