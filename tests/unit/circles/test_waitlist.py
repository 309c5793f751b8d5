"""bot/circles/waitlist.py: positions, 48-hour held seats, passing on and expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.circles.consent import agree, leave
from bot.circles.deadlines import OFFER_KIND
from bot.circles.records import seats_taken
from bot.circles.waitlist import (
    expire_offers,
    join_waitlist,
    leave_waitlist,
    position_of,
)
from bot.core.errors import UserFacingError
from bot.delivery import schedules
from tests.unit.circles import support as cs
from tests.unit.circles.support import GUILD, START, make_circle

outbox = cs.outbox


async def full_circle(db, clock, capacity: int = 2):
    circle = await make_circle(db, clock, capacity=capacity)
    for uid in range(1, capacity + 1):
        assert (await agree(db, clock, GUILD, circle.id, uid, 1)).kind == "joined"
    return circle


async def expire(db, clock, outbox) -> list[int]:
    async with db.transaction() as conn:
        return await expire_offers(db, conn, clock, outbox)


async def test_positions_are_first_come_first_served(db, clock) -> None:
    circle = await full_circle(db, clock)
    first = await join_waitlist(db, clock, GUILD, circle.id, 10)
    second = await join_waitlist(db, clock, GUILD, circle.id, 11)
    again = await join_waitlist(db, clock, GUILD, circle.id, 10)
    assert (first.kind, first.position, second.position) == ("added", 1, 2)
    assert (again.kind, again.position) == ("already", 1)


async def test_members_and_free_seats_are_not_waitlisted(db, clock) -> None:
    circle = await make_circle(db, clock, capacity=3)
    await agree(db, clock, GUILD, circle.id, 1, 1)
    with pytest.raises(UserFacingError, match="already a member"):
        await join_waitlist(db, clock, GUILD, circle.id, 1)
    assert (await join_waitlist(db, clock, GUILD, circle.id, 2)).kind == "seat_free"


async def test_a_freed_seat_is_held_for_the_first_waiting_member_for_48_hours(db, clock, outbox) -> None:
    circle = await full_circle(db, clock)
    await join_waitlist(db, clock, GUILD, circle.id, 10)
    await join_waitlist(db, clock, GUILD, circle.id, 11)
    await leave(db, clock, GUILD, circle.id, 1, outbox)

    [offer] = outbox.rows
    assert (offer["kind"], offer["target_id"], offer["target_kind"]) == ("circles.seat_offer", 10, "dm")
    assert "held for you until <t:" in offer["payload"]["content"]
    assert [b["label"] for b in offer["payload"]["components"][0]["components"]] == [
        "I agree, take the seat", "Pass it on"]
    assert offer["payload"]["embeds"][0]["title"].startswith("Norms of Migraine Mornings (version 1)")
    crisis = offer["payload"]["embeds"][1]
    assert crisis["title"] == "In a crisis" and "call **911**" in crisis["description"]  # the region set up, US
    assert crisis["fields"], "the region's crisis lines are listed"
    async with db.transaction() as conn:
        [wake] = await schedules.list_schedules(conn, GUILD, kind=OFFER_KIND)
    assert wake.next_fire_at == START + timedelta(hours=48)

    # The held seat counts as taken: someone else clicking join finds the circle full.
    stranger = await agree(db, clock, GUILD, circle.id, 99, 1)
    assert stranger.kind == "full"
    assert await position_of(db, GUILD, circle.id, 11) == 1
    taken = await agree(db, clock, GUILD, circle.id, 10, 1)
    assert taken.kind == "joined"
    assert await seats_taken(db, circle.guild_id, circle.id) == 2


async def test_an_unanswered_offer_expires_and_the_next_person_is_asked(db, clock, outbox) -> None:
    circle = await full_circle(db, clock)
    await join_waitlist(db, clock, GUILD, circle.id, 10)
    await join_waitlist(db, clock, GUILD, circle.id, 11)
    await leave(db, clock, GUILD, circle.id, 1, outbox)

    clock.advance(hours=47, minutes=59)
    assert await expire(db, clock, outbox) == []
    clock.advance(minutes=1)
    assert await expire(db, clock, outbox) == [10]
    assert outbox.kinds() == ["circles.seat_offer", "circles.offer_expired", "circles.seat_offer"]
    assert outbox.rows[1]["target_id"] == 10 and "passed to the next person" in outbox.rows[1]["payload"]["content"]
    assert outbox.rows[2]["target_id"] == 11
    assert await position_of(db, GUILD, circle.id, 10) is None  # off the list; may join it again
    assert (await agree(db, clock, GUILD, circle.id, 10, 1)).kind == "full"
    assert await expire(db, clock, outbox) == []  # running again changes nothing


async def test_the_last_expiry_leaves_the_seat_free(db, clock, outbox) -> None:
    circle = await full_circle(db, clock)
    await join_waitlist(db, clock, GUILD, circle.id, 10)
    await leave(db, clock, GUILD, circle.id, 1, outbox)
    clock.advance(hours=49)
    await expire(db, clock, outbox)
    assert await seats_taken(db, circle.guild_id, circle.id) == 1
    assert (await agree(db, clock, GUILD, circle.id, 77, 1)).kind == "joined"


async def test_passing_on_a_held_seat_asks_the_next_person_at_once(db, clock, outbox) -> None:
    circle = await full_circle(db, clock)
    await join_waitlist(db, clock, GUILD, circle.id, 10)
    await join_waitlist(db, clock, GUILD, circle.id, 11)
    await leave(db, clock, GUILD, circle.id, 1, outbox)
    assert await leave_waitlist(db, clock, GUILD, circle.id, 10, outbox) is True
    assert [r["target_id"] for r in outbox.rows if r["kind"] == "circles.seat_offer"] == [10, 11]
    assert await leave_waitlist(db, clock, GUILD, circle.id, 10, outbox) is False


async def test_offered_member_sees_their_held_seat_when_joining_the_waitlist_again(db, clock, outbox) -> None:
    circle = await full_circle(db, clock)
    await join_waitlist(db, clock, GUILD, circle.id, 10)
    await leave(db, clock, GUILD, circle.id, 1, outbox)
    result = await join_waitlist(db, clock, GUILD, circle.id, 10)
    assert result.kind == "offered" and result.offer_expires_at == START + timedelta(hours=48)
