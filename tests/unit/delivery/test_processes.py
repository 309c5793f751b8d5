"""One REST budget for the bot token across processes: heartbeats, live counts and whole-request
shares whose sum stays within Discord's limit while processes join and die."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.clock import FakeClock
from bot.core.db import Database
from bot.delivery.budget import GlobalBudget
from bot.delivery.leases import Leases
from bot.delivery.processes import JOIN_ROOM, JOINING_RATE, Share, before_first_beat
from tests.unit.delivery.test_outbox import START

LIMIT = 50.0
LEASE = timedelta(seconds=60)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database(tmp_path / "bot.sqlite3").connect()
    await database.migrate()
    yield database
    await database.close()


class Proc:
    def __init__(self, db: Database, clock: FakeClock, owner: str) -> None:
        self.rate = LIMIT
        self.leases = Leases(db, clock, owner, LEASE, on_share=self.take)

    def take(self, share: Share) -> None:
        self.rate = share.rate(LIMIT)


def test_a_share_is_the_limit_less_a_joiner_split_in_whole_requests() -> None:
    assert Share(1, True, whole=True).rate(LIMIT) == LIMIT, "no shard range: the only process there can be"
    assert Share(1, True).rate(LIMIT) == LIMIT - JOIN_ROOM, "one of a fleet: room left for a joiner"
    assert [Share(3, True, rank).rate(LIMIT) for rank in range(3)] == [17.0, 16.0, 16.0]
    assert [Share(2, True, rank).rate(LIMIT) for rank in range(2)] == [25.0, 24.0]
    assert sum(Share(7, True, rank).rate(LIMIT) for rank in range(7)) == LIMIT - JOIN_ROOM
    assert all(Share(7, True, rank).rate(LIMIT).is_integer() for rank in range(7))
    assert Share(3, False, 2).rate(LIMIT) == JOINING_RATE
    assert Share(80, True, 79).rate(LIMIT) == 1.0, "more processes than requests: one each, never none"


async def test_shares_stay_within_the_limit_while_processes_join_and_die(db: Database) -> None:
    clock = FakeClock(START)
    a = Proc(db, clock, "shards 0-1")
    await a.leases.renew()
    assert a.rate == LIMIT - JOIN_ROOM, "alone in a fleet: the whole budget but a joiner's room"
    b = Proc(db, clock, "shards 2-3")
    await b.leases.renew()
    assert b.rate == JOINING_RATE, "a joining process waits for the others to see it"
    assert a.rate + b.rate <= LIMIT
    clock.advance(LEASE / 3)
    await a.leases.renew()
    assert a.rate == 25.0
    await b.leases.renew()
    assert b.rate == 24.0
    assert a.rate + b.rate == LIMIT - JOIN_ROOM
    c = Proc(db, clock, "shards 4-5")
    await c.leases.renew()
    assert a.rate + b.rate + c.rate <= LIMIT, "the join fits in the room left for it"
    await a.leases.renew()  # a sees c before b does: the sum only falls
    assert a.rate == 17.0 and a.rate + b.rate + c.rate <= LIMIT
    clock.advance(LEASE / 3)
    for p in (a, b, c):
        await p.leases.renew()
    assert (a.rate, b.rate, c.rate) == (17.0, 16.0, 16.0)
    assert a.rate + b.rate + c.rate >= 0.95 * LIMIT
    # c dies: it stops beating; a and b go on every third of a lease. A lease later they count two.
    for _ in range(2):
        clock.advance(LEASE / 3)
        await a.leases.renew()
        await b.leases.renew()
        assert (a.rate, b.rate) == (17.0, 16.0), "not before c's lease runs out"
    clock.advance(LEASE / 3 + timedelta(seconds=1))
    await a.leases.renew()
    await b.leases.renew()
    assert a.rate + b.rate == LIMIT - JOIN_ROOM
    # c was only stalled: back, it joins afresh rather than spending a share the others took.
    await c.leases.renew()
    assert c.rate == JOINING_RATE and a.rate + b.rate + c.rate <= LIMIT


async def test_three_processes_started_together_stay_within_the_limit(db: Database) -> None:
    clock = FakeClock(START)
    procs = [Proc(db, clock, f"shards {2 * i}-{2 * i + 1}") for i in range(3)]
    for p in procs:
        p.take(before_first_beat(whole=False))
    assert sum(p.rate for p in procs) <= LIMIT, "before their first beats, each spends a joiner's rate"
    for p in procs:  # the first to beat counts itself alone; the other two join
        await p.leases.renew()
        assert sum(q.rate for q in procs) <= LIMIT
    clock.advance(LEASE / 3)
    for p in procs:
        await p.leases.renew()
        assert sum(q.rate for q in procs) <= LIMIT
    assert sorted(p.rate for p in procs) == [16.0, 16.0, 17.0]


async def test_a_process_without_a_shard_range_spends_the_whole_limit(db: Database) -> None:
    clock = FakeClock(START)
    only = Proc(db, clock, "single")
    only.take(before_first_beat(whole=True))
    assert only.rate == LIMIT, "from login: no other process can share its token"
    only.rate = 0.0
    await only.leases.renew()
    assert only.rate == LIMIT


async def test_rows_of_long_gone_processes_are_forgotten(db: Database) -> None:
    clock = FakeClock(START)
    gone = Proc(db, clock, "shards 9-9")
    await gone.leases.renew()
    clock.advance(LEASE * 11)
    await Proc(db, clock, "single").leases.renew()
    owners = [r[0] for r in await db.fetchall("SELECT owner FROM bot_processes")]
    assert owners == ["single"]


async def test_the_budget_takes_a_new_rate_and_keeps_its_configured_limit() -> None:
    budget = GlobalBudget(LIMIT)
    budget.set_rate(25.0)
    assert (budget.rate, budget.capacity, budget.limit) == (25.0, 25, LIMIT)
    assert budget.interval == pytest.approx(budget.window / 25.0)
    with pytest.raises(ValueError):
        budget.set_rate(0)
