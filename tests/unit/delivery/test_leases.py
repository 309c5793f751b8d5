"""Leases: two bot processes over one database. A live process keeps what it claimed; a dead one's
claims are taken over once their lease runs out, and sent once (the same nonce); a restart takes
back its own at once. Stories and crisis-card threads use the same leases."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.clock import FakeClock
from bot.core.config import OutboxSettings
from bot.core.db import Database
from bot.delivery.leases import CRISIS_THREADS, LEASED, OUTBOX, STORIES, Leases, owner_name
from bot.delivery.outbox import Outbox, Pacer, nonce_for
from tests.unit.delivery.test_outbox import GUILD, START, FakeDiscord, TopRng

LEASE = timedelta(seconds=60)


@dataclass
class Process:
    """One bot process: its own connection, outbox and leases, sharing the database file."""
    db: Database
    leases: Leases
    outbox: Outbox

    async def stop(self, grace: float = 1) -> None:
        await self.outbox.stop(grace=grace)
        await self.db.close()


async def process(path: Path, clock: FakeClock, discord: FakeDiscord, owner: str) -> Process:
    db = await Database(path).connect()
    await db.migrate()
    leases = Leases(db, clock, owner, LEASE)
    outbox = Outbox(db, clock, OutboxSettings(max_attempts=4), sender=discord, pacer=Pacer(1e6), rng=TopRng(),
                    leases=leases)
    leases.on_recovered(OUTBOX, outbox.wake)
    return Process(db, leases, outbox)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Path, FakeClock, FakeDiscord]]:
    yield tmp_path / "bot.sqlite3", FakeClock(START), FakeDiscord()


async def enqueue(p: Process, key: str) -> None:
    async with p.db.transaction() as conn:
        await p.outbox.enqueue(conn, key=key, kind="goal_ping", guild_id=GUILD, target_kind="dm", target_id=42,
                               payload={"content": "Time for your stretch goal"})


async def state_of(p: Process, key: str) -> tuple[str, str | None]:
    row = await p.db.fetchone("SELECT state, lease_owner FROM outbox WHERE key = ?", (key,))
    assert row is not None
    return row["state"], row["lease_owner"]


async def wait_for(p: Process, key: str, state: str) -> None:
    for _ in range(2000):
        if (await state_of(p, key))[0] == state:
            return
        await asyncio.sleep(0.001)
    raise AssertionError(f"{key} never reached {state}: {await state_of(p, key)}")


def test_the_owner_name_is_the_shard_range_or_single() -> None:
    assert owner_name() == "single"
    assert owner_name("0-3") == "shards 0-3"


async def test_a_claim_records_its_owner_and_lease(world: tuple[Path, FakeClock, FakeDiscord]) -> None:
    path, clock, discord = world
    a = await process(path, clock, discord, "shards 0-1")
    discord.release = asyncio.Event()  # the send hangs: the row stays claimed
    await enqueue(a, "k")
    a.outbox.start()
    await wait_for(a, "k", "sending")
    row = await a.db.fetchone("SELECT lease_owner, lease_until FROM outbox WHERE key = 'k'")
    assert row is not None and row["lease_owner"] == "shards 0-1"
    assert row["lease_until"] == "2026-11-23T09:01:00Z"
    discord.release.set()
    await a.outbox.drain()
    assert await state_of(a, "k") == ("sent", None)
    await a.stop()


async def test_a_live_process_keeps_its_claims_and_a_starting_one_leaves_them(
        world: tuple[Path, FakeClock, FakeDiscord]) -> None:
    path, clock, discord = world
    a = await process(path, clock, discord, "shards 0-1")
    discord.release = asyncio.Event()
    await enqueue(a, "k")
    a.outbox.start()
    await wait_for(a, "k", "sending")
    b = await process(path, clock, discord, "shards 2-3")
    b.outbox.start()  # its start-up reconcile must not take a live process's row
    for _ in range(5):  # a lives: it renews every third of the lease, so its lease never runs out
        clock.advance(LEASE / 3)
        await a.leases.tick()
        assert await b.leases.tick() == 0
    assert await state_of(a, "k") == ("sending", "shards 0-1")
    discord.release.set()
    await a.outbox.drain()
    assert discord.calls_for("k") == 1
    await b.stop()
    await a.stop()


async def test_a_dead_process_s_rows_are_taken_over_after_the_lease_and_sent_once(
        world: tuple[Path, FakeClock, FakeDiscord]) -> None:
    path, clock, discord = world
    a = await process(path, clock, discord, "shards 0-1")
    discord.hang_after_accepting = True  # Discord has the message; the process dies before hearing back
    await enqueue(a, "k")
    a.outbox.start()
    await wait_for(a, "k", "sending")
    await a.outbox.stop(grace=0)  # kill -9: nothing more is written
    await a.db.close()
    discord.hang_after_accepting = False
    b = await process(path, clock, discord, "shards 2-3")
    b.outbox.start()
    clock.advance(LEASE - timedelta(seconds=1))
    assert await b.leases.tick() == 0, "not before the lease runs out"
    assert (await state_of(b, "k"))[0] == "sending"
    clock.advance(timedelta(seconds=2))
    assert await b.leases.tick() == 1
    await b.outbox.drain()
    assert await state_of(b, "k") == ("sent", None)
    assert discord.calls_for("k") == 2, "sent again by the survivor..."
    assert {c.nonce for c in discord.calls} == {nonce_for("k")}, "...with the same nonce"
    assert len(discord.messages) == 1, "so Discord holds one message"
    await b.stop()


async def test_a_restarted_process_takes_its_own_claims_back_at_once(
        world: tuple[Path, FakeClock, FakeDiscord]) -> None:
    path, clock, discord = world
    a = await process(path, clock, discord, "shards 0-1")
    other = await process(path, clock, discord, "shards 2-3")
    discord.release = asyncio.Event()
    await enqueue(a, "mine")
    a.outbox.start()
    await wait_for(a, "mine", "sending")
    async with other.db.transaction() as conn:  # a row the other, live process is sending
        await conn.execute(
            "INSERT INTO outbox (key, kind, guild_id, target_kind, target_id, payload, state, created_at,"
            " next_attempt_at, lease_owner, lease_until) VALUES ('theirs', 'goal_ping', ?, 'dm', 43,"
            " '{\"content\": \"hi\"}', 'sending', '2026-11-23T09:00:00Z', '2026-11-23T09:00:00Z',"
            " 'shards 2-3', '2026-11-23T09:01:00Z')", (GUILD,))
    await a.outbox.stop(grace=0)
    await a.db.close()
    discord.release.set()
    again = await process(path, clock, discord, "shards 0-1")
    assert await again.outbox.reconcile() == 1
    assert await state_of(again, "mine") == ("pending", None)
    assert await state_of(again, "theirs") == ("sending", "shards 2-3")
    await again.db.close()
    await other.db.close()


async def test_stories_and_crisis_threads_share_the_same_leases(world: tuple[Path, FakeClock, FakeDiscord]) -> None:
    path, clock, discord = world
    a = await process(path, clock, discord, "shards 0-1")
    b = await process(path, clock, discord, "shards 2-3")
    claim = a.leases.claim()
    async with a.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO case_crisis_threads (guild_id, card_key, user_id, channel_id, state, armed_at, updated_at,"
            " lease_owner, lease_until) VALUES (?, 'card', 7, 8, 'creating', 'x', 'x', ?, ?)", (GUILD, *claim.params))
    recovered: list[str] = []
    b.leases.on_recovered(CRISIS_THREADS, lambda: recovered.append("threads"))
    assert await b.leases.recover(CRISIS_THREADS, at_start=True) == 0
    clock.advance(LEASE + timedelta(seconds=1))
    assert await b.leases.tick() == 1
    assert recovered == ["threads"]
    assert await b.db.fetchval("SELECT state FROM case_crisis_threads WHERE guild_id = ?", (GUILD,)) == "wanted"
    assert STORIES in LEASED and STORIES.returns_to == "ready"
    await a.db.close()
    await b.db.close()


async def test_renewal_extends_only_the_owner_s_own_claims(world: tuple[Path, FakeClock, FakeDiscord]) -> None:
    path, clock, discord = world
    a = await process(path, clock, discord, "shards 0-1")
    async with a.db.transaction() as conn:
        for owner, key in (("shards 0-1", "a"), ("shards 2-3", "b")):
            await conn.execute(
                "INSERT INTO outbox (key, kind, guild_id, target_kind, target_id, payload, state, created_at,"
                " next_attempt_at, lease_owner, lease_until) VALUES (?, 'goal_ping', ?, 'dm', 42, '{}', 'sending',"
                " 'x', 'x', ?, '2026-11-23T09:01:00Z')", (key, GUILD, owner))
    clock.advance(timedelta(seconds=30))
    assert await a.leases.renew() == 1
    until = {r["key"]: r["lease_until"] for r in await a.db.fetchall("SELECT key, lease_until FROM outbox")}
    assert until == {"a": "2026-11-23T09:01:30Z", "b": "2026-11-23T09:01:00Z"}
    await a.db.close()
