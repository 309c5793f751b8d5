"""One REST budget for the bot token across processes: heartbeats, live counts and shares whose
sum stays under Discord's limit while processes join and die."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.clock import FakeClock
from bot.core.db import Database
from bot.delivery.budget import GlobalBudget
from bot.delivery.leases import Leases
from bot.delivery.processes import HEADROOM, JOINING_RATE, Share
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


def test_a_share_is_the_limit_split_among_live_processes_with_headroom() -> None:
    assert Share(1, True).rate(LIMIT) == HEADROOM * LIMIT
    assert Share(3, True).rate(LIMIT) == pytest.approx(HEADROOM * LIMIT / 3)
    assert Share(3, False).rate(LIMIT) == JOINING_RATE


async def test_shares_stay_under_the_limit_while_processes_join_and_die(db: Database) -> None:
    clock = FakeClock(START)
    a = Proc(db, clock, "shards 0-1")
    await a.leases.renew()
    assert a.rate == HEADROOM * LIMIT, "alone: the whole budget, less the headroom"
    b = Proc(db, clock, "shards 2-3")
    await b.leases.renew()
    assert b.rate == JOINING_RATE, "a joining process waits for the others to see it"
    assert a.rate + b.rate <= LIMIT
    clock.advance(LEASE / 3)
    await a.leases.renew()
    assert a.rate == pytest.approx(HEADROOM * LIMIT / 2)
    await b.leases.renew()
    assert b.rate == pytest.approx(HEADROOM * LIMIT / 2)
    assert a.rate + b.rate <= LIMIT
    c = Proc(db, clock, "shards 4-5")
    await c.leases.renew()
    assert a.rate + b.rate + c.rate <= LIMIT, "the join fits in the headroom"
    clock.advance(LEASE / 3)
    for p in (a, b, c):
        await p.leases.renew()
    assert a.rate + b.rate + c.rate == pytest.approx(HEADROOM * LIMIT)
    assert a.rate + b.rate + c.rate >= 0.95 * LIMIT
    # c dies: it stops beating; a and b go on every third of a lease. A lease later they count two.
    for _ in range(2):
        clock.advance(LEASE / 3)
        await a.leases.renew()
        await b.leases.renew()
        assert a.rate == pytest.approx(HEADROOM * LIMIT / 3), "not before c's lease runs out"
    clock.advance(LEASE / 3 + timedelta(seconds=1))
    await a.leases.renew()
    await b.leases.renew()
    assert a.rate + b.rate == pytest.approx(HEADROOM * LIMIT)
    # c was only stalled: back, it joins afresh rather than spending a share the others took.
    await c.leases.renew()
    assert c.rate == JOINING_RATE and a.rate + b.rate + c.rate <= LIMIT


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
