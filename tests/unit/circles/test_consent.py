"""bot/circles/consent.py: joining by agreeing to norms, the append-only consent log, seats, leaving."""

from __future__ import annotations

import asyncio

import pytest

from bot.circles.consent import (
    agree,
    consent_history,
    leave,
    may_use_from_dm,
    member_left_server,
    members_of,
    my_circles,
    role_states,
    undo_join,
)
from bot.circles.records import CircleNotFound, seats_taken
from bot.circles.waitlist import join_waitlist, position_of
from bot.core.db import IntegrityError
from bot.core.errors import UserFacingError
from tests.unit.circles import support as cs
from tests.unit.circles.support import GUILD, OTHER_GUILD, consent_rows, make_circle

outbox = cs.outbox


async def test_agreeing_records_member_circle_version_and_time_and_grants_the_role(db, clock) -> None:
    circle = await make_circle(db, clock)
    result = await agree(db, clock, GUILD, circle.id, 42, 1)
    assert result.kind == "joined"
    assert (result.role_change.user_id, result.role_change.role_id, result.role_change.add) == (42, 9001, True)
    assert await consent_rows(db, circle.id) == [(42, "agreed", 1, "2026-11-23T09:00:00Z")]
    [member] = await members_of(db, GUILD, circle.id)
    assert (member.user_id, member.status, member.consent_version) == (42, "active", 1)


async def test_a_double_click_joins_once(db, clock) -> None:
    circle = await make_circle(db, clock)
    first, second = await asyncio.gather(agree(db, clock, GUILD, circle.id, 42, 1),
                                         agree(db, clock, GUILD, circle.id, 42, 1))
    assert sorted([first.kind, second.kind]) == ["already", "joined"]
    assert len(await consent_rows(db, circle.id)) == 1
    assert await seats_taken(db, circle.guild_id, circle.id) == 1


async def test_two_members_racing_for_the_last_seat_one_wins(db, clock) -> None:
    circle = await make_circle(db, clock, capacity=2)
    await agree(db, clock, GUILD, circle.id, 1, 1)
    results = await asyncio.gather(*(agree(db, clock, GUILD, circle.id, uid, 1) for uid in (2, 3)))
    kinds = sorted(r.kind for r in results)
    assert kinds == ["full", "joined"]
    loser = next(r for r in results if r.kind == "full")
    assert loser.position == 1 and loser.role_change is None
    assert await seats_taken(db, circle.guild_id, circle.id) == 2


async def test_many_members_racing_never_overfill(db, clock) -> None:
    circle = await make_circle(db, clock, capacity=5)
    results = await asyncio.gather(*(agree(db, clock, GUILD, circle.id, uid, 1) for uid in range(1, 21)))
    assert sum(r.kind == "joined" for r in results) == 5
    assert await seats_taken(db, circle.guild_id, circle.id) == 5


async def test_a_card_showing_old_norms_is_refused_as_stale(db, clock, outbox) -> None:
    from bot.circles.norms import save_norms

    circle = await make_circle(db, clock)
    await save_norms(db, clock, GUILD, circle.id, "Be kind. " * 5, actor_id=1, grace_days=7, outbox=outbox)
    result = await agree(db, clock, GUILD, circle.id, 42, 1)
    assert (result.kind, result.version) == ("stale", 2)
    assert await seats_taken(db, circle.guild_id, circle.id) == 0


async def test_consent_log_is_append_only(db, clock) -> None:
    circle = await make_circle(db, clock)
    await agree(db, clock, GUILD, circle.id, 42, 1)
    with pytest.raises(IntegrityError, match="append-only"):
        await db.execute("UPDATE consent_log SET norms_version = 9")
    with pytest.raises(IntegrityError, match="append-only"):
        await db.execute("DELETE FROM consent_log")
    # Only a member's own erasure request lets their rows go (data rights).
    await db.execute("INSERT INTO consent_erasures (guild_id, user_id, erased_at) VALUES (?, 42, 'now')", (GUILD,))
    await db.execute("DELETE FROM consent_log WHERE guild_id = ? AND user_id = 42", (GUILD,))
    assert await consent_rows(db, circle.id) == []


async def test_leaving_frees_the_seat_logs_the_withdrawal_and_removes_the_role(db, clock, outbox) -> None:
    circle = await make_circle(db, clock)
    await agree(db, clock, GUILD, circle.id, 42, 1)
    clock.advance(days=3)
    result = await leave(db, clock, GUILD, circle.id, 42, outbox)
    assert result.kind == "left" and result.role_change.add is False
    assert [r[1:] for r in await consent_rows(db, circle.id)] == [
        ("agreed", 1, "2026-11-23T09:00:00Z"), ("left", 1, "2026-11-26T09:00:00Z")]
    assert await seats_taken(db, circle.guild_id, circle.id) == 0
    with pytest.raises(UserFacingError, match="nothing to leave"):
        await leave(db, clock, GUILD, circle.id, 42, outbox)


async def test_leaving_a_full_circle_offers_the_seat_to_the_first_waiting(db, clock, outbox) -> None:
    circle = await make_circle(db, clock, capacity=2)
    for uid in (1, 2):
        await agree(db, clock, GUILD, circle.id, uid, 1)
    await join_waitlist(db, clock, GUILD, circle.id, 3)
    await join_waitlist(db, clock, GUILD, circle.id, 4)
    await leave(db, clock, GUILD, circle.id, 1, outbox)
    assert [r["target_id"] for r in outbox.rows] == [3]
    assert await position_of(db, GUILD, circle.id, 4) == 1


async def test_leaving_the_waitlist(db, clock, outbox) -> None:
    circle = await make_circle(db, clock, capacity=2)
    for uid in (1, 2):
        await agree(db, clock, GUILD, circle.id, uid, 1)
    await join_waitlist(db, clock, GUILD, circle.id, 3)
    result = await leave(db, clock, GUILD, circle.id, 3, outbox)
    assert result.kind == "left_waitlist" and result.role_change is None


async def test_undo_join_gives_the_seat_back_and_logs_it(db, clock, outbox) -> None:
    circle = await make_circle(db, clock)
    await agree(db, clock, GUILD, circle.id, 42, 1)
    await undo_join(db, clock, GUILD, circle.id, 42, outbox)
    assert await seats_taken(db, circle.guild_id, circle.id) == 0
    assert [r[1] for r in await consent_rows(db, circle.id)] == ["agreed", "undone"]


async def test_leaving_the_server_frees_seats_and_waitlist_places(db, clock, outbox) -> None:
    a = await make_circle(db, clock, "A circle", capacity=2)
    b = await make_circle(db, clock, "B circle", capacity=2)
    await agree(db, clock, GUILD, a.id, 42, 1)
    await agree(db, clock, GUILD, a.id, 1, 1)
    await agree(db, clock, GUILD, b.id, 1, 1)
    await agree(db, clock, GUILD, b.id, 2, 1)
    await join_waitlist(db, clock, GUILD, b.id, 42)
    await join_waitlist(db, clock, GUILD, a.id, 7)
    other = await make_circle(db, clock, "A circle", guild_id=OTHER_GUILD)
    await agree(db, clock, OTHER_GUILD, other.id, 42, 1)

    result = await member_left_server(db, clock, GUILD, 42, outbox)
    assert (result.freed_circle_ids, result.waitlists_left) == ((a.id,), (b.id,))
    assert await my_circles(db, GUILD, 42) == []
    assert [r[1] for r in await consent_rows(db, a.id)][-1] == "left_server"
    assert [r["target_id"] for r in outbox.rows] == [7]  # the freed seat goes to the next in line
    assert len(await my_circles(db, OTHER_GUILD, 42)) == 1  # another server is untouched


async def test_my_circles_lists_seats_and_waitlist_places(db, clock) -> None:
    a = await make_circle(db, clock, "A circle", capacity=2)
    b = await make_circle(db, clock, "B circle", capacity=2)
    await agree(db, clock, GUILD, a.id, 42, 1)
    await agree(db, clock, GUILD, b.id, 1, 1)
    await agree(db, clock, GUILD, b.id, 2, 1)
    await join_waitlist(db, clock, GUILD, b.id, 42)
    lines = await my_circles(db, GUILD, 42)
    assert [(li.name, li.status, li.consent_version, li.position) for li in lines] == [
        ("A circle", "active", 1, None), ("B circle", "waiting", None, 1)]
    history = await consent_history(db, GUILD, 42)
    assert history == [{"circle_id": a.id, "event": "agreed", "norms_version": 1, "at": "2026-11-23T09:00:00Z"}]


async def test_dm_buttons_only_work_for_people_with_a_seat_or_place(db, clock) -> None:
    circle = await make_circle(db, clock)
    with pytest.raises(CircleNotFound):
        await may_use_from_dm(db, circle.id, 42)
    await agree(db, clock, GUILD, circle.id, 42, 1)
    assert await may_use_from_dm(db, circle.id, 42) == GUILD


async def test_role_states_for_reconciling(db, clock, outbox) -> None:
    circle = await make_circle(db, clock)
    await agree(db, clock, GUILD, circle.id, 1, 1)
    await agree(db, clock, GUILD, circle.id, 2, 1)
    await leave(db, clock, GUILD, circle.id, 2, outbox)
    [state] = await role_states(db, GUILD)
    assert (state.role_id, state.holders, state.revoked) == (9001, frozenset({1}), frozenset({2}))
    await agree(db, clock, GUILD, circle.id, 2, 1)  # came back
    [state] = await role_states(db, GUILD)
    assert state.holders == {1, 2} and state.revoked == set()
