"""DM relays and reach-outs: one relay per (member, server), a member's relays across servers, the
open reach-out a second "Talk to a moderator now" press is answered with, and a crisis DM's case."""

from __future__ import annotations

from bot.cases.relay import relay_in_server, relays_of_member
from bot.cases.reports import open_reach_out_case, reach_out
from bot.cases.workflow import resolve
from bot.core.clock import FakeClock
from bot.core.db import Database
from tests.unit.circles.support import GUILD, OTHER_GUILD, RecordingOutbox

ANN = 42


async def relay(db: Database, clock: FakeClock, guild_id: int, thread_id: int, *, relay: bool = True) -> int:
    return (await reach_out(db, clock, RecordingOutbox(), guild_id=guild_id, user_id=ANN, text="", urgent=True,  # type: ignore[arg-type]
                            crisis_embed={}, server_name="S", thread_id=thread_id, relay=relay)).case_id


async def test_a_members_relays_are_one_per_server_newest_first(db: Database, clock: FakeClock) -> None:
    first_a = await relay(db, clock, GUILD, 501)
    in_b = await relay(db, clock, OTHER_GUILD, 601)
    newer_a = await relay(db, clock, GUILD, 502)
    found = await relays_of_member(db, ANN)
    assert [(r.guild_id, r.case_id, r.thread_id) for r in found] == [(GUILD, newer_a, 502), (OTHER_GUILD, in_b, 601)]
    assert (await relay_in_server(db, OTHER_GUILD, ANN)).case_id == in_b  # type: ignore[union-attr]
    await resolve(db, clock, GUILD, newer_a, 9, "talked")
    assert [r.case_id for r in await relays_of_member(db, ANN)] == [in_b, first_a]
    assert await relay_in_server(db, GUILD, 43) is None, "another member's: none"


async def test_the_open_reach_out_is_scoped_to_its_server_and_ends_when_resolved(db: Database,
                                                                               clock: FakeClock) -> None:
    case_id = await relay(db, clock, GUILD, 501, relay=False)
    assert (await open_reach_out_case(db, GUILD, ANN)).id == case_id  # type: ignore[union-attr]
    assert await open_reach_out_case(db, OTHER_GUILD, ANN) is None
    await resolve(db, clock, GUILD, case_id, 9, "talked")
    assert await open_reach_out_case(db, GUILD, ANN) is None


async def test_a_crisis_dm_picked_server_gets_an_urgent_crisis_case(db: Database, clock: FakeClock) -> None:
    done = await reach_out(db, clock, RecordingOutbox(), guild_id=GUILD, user_id=ANN, text="", urgent=False,  # type: ignore[arg-type]
                           crisis_embed={}, server_name="S", thread_id=501, relay=True, crisis_dm=True)
    case = await open_reach_out_case(db, GUILD, ANN)
    assert case is not None and (case.id, case.kind, case.urgency) == (done.case_id, "crisis", "urgent")
    assert "direct message" in case.summary

