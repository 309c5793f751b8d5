"""The outbox: exactly-once delivery, retries with backoff, permanent failures, crash recovery."""

from __future__ import annotations

import asyncio
import itertools
import random
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.core.clock import FakeClock, parse_iso_utc
from bot.core.config import OutboxSettings
from bot.core.db import Conn, Database, Row
from bot.delivery.outbox import Outbox, OutboxRow, Pacer, SendResult, dm_reachable, nonce_for

GUILD = 111
CHANNEL = 500
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class TopRng(random.Random):
    """Jitter that always picks the top of the range, so delays are exact."""

    def uniform(self, a: float, b: float) -> float:
        return b


@dataclass
class FakeDiscord:
    """A sender standing in for Discord: scripted answers per key, and messages deduplicated by
    nonce the way Discord's enforce_nonce does."""

    script: dict[str, list[SendResult]] = field(default_factory=dict)
    calls: list[OutboxRow] = field(default_factory=list)
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)  # nonce -> payload
    hang_after_accepting: bool = False
    release: asyncio.Event | None = None
    active: Counter[tuple[str, int]] = field(default_factory=Counter)
    most_at_once: int = 0
    most_per_target: int = 0

    async def send(self, row: OutboxRow, pacer: Pacer) -> SendResult:
        await pacer.acquire()
        self.calls.append(row)
        target = (row.target_kind, row.target_id)
        self.active[target] += 1
        self.most_at_once = max(self.most_at_once, sum(self.active.values()))
        self.most_per_target = max(self.most_per_target, self.active[target])
        try:
            for _ in range(3):
                await asyncio.sleep(0)  # let other sends overlap, as real requests do
            if self.release is not None:
                await self.release.wait()
            planned = self.script.get(row.key)
            if planned:
                result = planned.pop(0)
                if result.status != "sent":
                    return result
            assert row.payload is not None
            self.messages.setdefault(row.nonce, row.payload)
            if self.hang_after_accepting:
                await asyncio.Event().wait()  # Discord has it; the bot dies before hearing back
            return SendResult.sent(message_id=9000 + row.id)
        finally:
            self.active[target] -= 1

    def calls_for(self, key: str) -> int:
        return sum(1 for c in self.calls if c.key == key)


@dataclass
class Harness:
    path: Path
    clock: FakeClock
    discord: FakeDiscord
    settings: OutboxSettings
    db: Database | None = None
    outbox: Outbox | None = None

    async def boot(self, *, pacer: Pacer | None = None, max_in_flight: int = 16) -> Outbox:
        self.db = await Database(self.path).connect()
        await self.db.migrate()
        self.outbox = Outbox(self.db, self.clock, self.settings, sender=self.discord,
                             pacer=pacer or Pacer(1e6), rng=TopRng(), max_in_flight=max_in_flight)
        return self.outbox

    async def kill(self) -> None:
        """As close to kill -9 as a test gets: cancel every task mid-flight, write nothing more."""
        assert self.outbox is not None and self.db is not None
        await self.outbox.stop(grace=0)
        await self.db.close()

    async def close(self) -> None:
        assert self.outbox is not None and self.db is not None
        await self.outbox.stop()
        await self.db.close()

    async def enqueue(self, key: str, *, target_kind: str = "dm", target_id: int = 42,
                      fallback: str | None = None, text: str = "Time for your stretch goal") -> bool:
        assert self.db is not None and self.outbox is not None
        async with self.db.transaction() as conn:
            return await self.outbox.enqueue(
                conn, key=key, kind="goal_ping", guild_id=GUILD, target_kind=target_kind,  # type: ignore[arg-type]
                target_id=target_id, payload={"content": text}, fallback=fallback)

    async def wait_state(self, key: str, state: str) -> None:
        for _ in range(1000):
            if (await self.row(key))["state"] == state:
                return
            await asyncio.sleep(0.001)
        raise AssertionError(f"row {key} never reached {state}")

    async def row(self, key: str) -> Row:
        assert self.db is not None
        row = await self.db.fetchone("SELECT * FROM outbox WHERE key = ?", (key,))
        assert row is not None
        return row


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = Harness(tmp_path / "bot.sqlite3", FakeClock(START), FakeDiscord(), OutboxSettings(max_attempts=4))
    await harness.boot()
    yield harness
    if harness.outbox is not None:
        await harness.outbox.stop(grace=1)
    if harness.db is not None:
        await harness.db.close()


async def test_a_key_is_enqueued_once_and_sent_once(h: Harness) -> None:
    assert await h.enqueue("goal:1:2026-11-23T09:00")
    assert not await h.enqueue("goal:1:2026-11-23T09:00", text="a second, different text")
    assert h.outbox is not None
    h.outbox.start()
    await h.outbox.drain()
    assert len(h.discord.calls) == 1
    assert h.discord.calls[0].payload == {"content": "Time for your stretch goal", "allowed_mentions": {"parse": []}}
    assert h.discord.calls[0].nonce == nonce_for("goal:1:2026-11-23T09:00")


async def test_sent_rows_keep_ids_and_state_but_not_the_text(h: Harness) -> None:
    await h.enqueue("goal:1:x")
    assert h.outbox is not None
    h.outbox.start()
    await h.outbox.drain()
    row = await h.row("goal:1:x")
    assert (row["state"], row["payload"], row["message_id"], row["kind"], row["target_id"]) == (
        "sent", None, 9000 + row["id"], "goal_ping", 42)


async def test_a_rolled_back_transaction_sends_nothing(h: Harness) -> None:
    assert h.db is not None and h.outbox is not None
    h.outbox.start()
    with pytest.raises(RuntimeError):
        async with h.db.transaction() as conn:
            await h.outbox.enqueue(conn, key="goal:1:x", kind="goal_ping", guild_id=GUILD, target_kind="dm",
                                   target_id=42, payload={"content": "hi"})
            raise RuntimeError("the state change failed")
    await h.outbox.drain()
    assert h.discord.calls == []
    assert await h.db.fetchval("SELECT COUNT(*) FROM outbox") == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"target_kind": "email"}, "target_kind"),
        ({"target_id": 0}, "target_id"),
        ({"guild_id": None}, "guild_id"),
        ({"key": ""}, "key"),
        ({"payload": {}}, "content, embeds or components"),
        ({"payload": {"content": "x" * 2001}}, "2000"),
        ({"payload": {"embeds": [{}] * 11}}, "at most 10"),
        ({"payload": {"content": "hi", "when": START}}, "plain JSON"),
    ],
)
async def test_bad_messages_are_refused_and_change_nothing(h: Harness, changes: dict[str, Any], message: str) -> None:
    assert h.db is not None and h.outbox is not None
    kwargs: dict[str, Any] = {"key": "k", "kind": "goal_ping", "guild_id": GUILD, "target_kind": "dm",
                              "target_id": 42, "payload": {"content": "hi"}, **changes}
    async with h.db.transaction() as conn:
        with pytest.raises(ValueError, match=message):
            await h.outbox.enqueue(conn, **kwargs)
    assert await h.db.fetchval("SELECT COUNT(*) FROM outbox") == 0


async def test_server_errors_are_retried_with_exponential_backoff(h: Harness) -> None:
    h.discord.script["k"] = [SendResult.retry("http 500"), SendResult.retry("http 503")]
    await h.enqueue("k")
    assert h.outbox is not None
    h.outbox.start()
    await h.outbox.drain()
    first = await h.row("k")
    assert (first["state"], first["errors"], first["last_error"]) == ("pending", 1, "http 500")
    assert parse_iso_utc(first["next_attempt_at"]) == START + timedelta(seconds=2)

    h.clock.advance(seconds=1)
    await h.outbox.drain()
    assert h.discord.calls_for("k") == 1, "not retried before its backoff ends"

    h.clock.advance(seconds=1)
    await h.outbox.drain()
    second = await h.row("k")
    assert h.discord.calls_for("k") == 2
    assert parse_iso_utc(second["next_attempt_at"]) == START + timedelta(seconds=2 + 4)

    h.clock.advance(seconds=4)
    await h.outbox.drain()
    assert (await h.row("k"))["state"] == "sent"
    assert h.discord.calls_for("k") == 3 and len(h.discord.messages) == 1


def test_backoff_grows_and_jitters_within_bounds() -> None:
    outbox = Outbox(None, FakeClock(), OutboxSettings(), sender=FakeDiscord(),  # type: ignore[arg-type]
                    rng=random.Random(3), backoff_base=2.0, backoff_cap=60.0)
    for errors, full in [(1, 2), (2, 4), (3, 8), (6, 60), (20, 60)]:
        delays = {outbox.backoff(errors) for _ in range(50)}
        assert all(full / 2 <= d <= full for d in delays)
        assert len(delays) > 1, "jitter spreads retries apart"
    assert outbox.backoff(1, retry_after=30.0) == 30.0


async def test_gives_up_after_max_attempts_then_falls_back(h: Harness) -> None:
    assert h.outbox is not None
    seen: list[tuple[str, str]] = []

    async def remember(conn: Conn, row: OutboxRow, reason: str) -> None:
        seen.append((row.key, reason))

    h.outbox.register_fallback("remember", remember)
    h.discord.script["k"] = [SendResult.retry("http 502") for _ in range(10)]
    await h.enqueue("k", fallback="remember")
    h.outbox.start()
    for _ in range(6):
        await h.outbox.drain()
        h.clock.advance(minutes=10)
    row = await h.row("k")
    assert (row["state"], row["failure_reason"], row["errors"], row["payload"]) == (
        "failed", "retries_exhausted", 3, None)
    assert h.discord.calls_for("k") == 4  # max_attempts
    assert seen == [("k", "retries_exhausted")]


async def test_rate_limits_wait_their_retry_after_and_do_not_use_up_attempts(h: Harness) -> None:
    h.discord.script["k"] = [SendResult.retry("http 429", retry_after=30, rate_limited=True) for _ in range(6)]
    await h.enqueue("k")
    assert h.outbox is not None
    h.outbox.start()
    await h.outbox.drain()
    assert parse_iso_utc((await h.row("k"))["next_attempt_at"]) == START + timedelta(seconds=30)
    for _ in range(7):
        h.clock.advance(seconds=30)
        await h.outbox.drain()
    row = await h.row("k")
    assert (row["state"], row["errors"]) == ("sent", 0)
    assert h.discord.calls_for("k") == 7 and len(h.discord.messages) == 1


async def test_closed_dms_mark_the_member_and_the_fallback_posts_in_the_channel(h: Harness) -> None:
    assert h.outbox is not None and h.db is not None
    outbox = h.outbox

    async def to_circle_channel(conn: Conn, row: OutboxRow, reason: str) -> None:
        assert row.payload is not None and reason == "dm_closed"
        await outbox.enqueue(conn, key=f"{row.key}:channel", kind=row.kind, guild_id=row.guild_id,
                             target_kind="channel", target_id=CHANNEL,
                             payload={"content": f"<@{row.target_id}> " + row.payload["content"],
                                      "allowed_mentions": {"users": [str(row.target_id)]}})

    outbox.register_fallback("circle_channel", to_circle_channel)
    h.discord.script["k"] = [SendResult.failed("dm_closed", "http 403 code 50007")]
    await h.enqueue("k", fallback="circle_channel")
    outbox.start()
    await outbox.drain()

    failed = await h.row("k")
    assert (failed["state"], failed["failure_reason"], failed["payload"]) == ("failed", "dm_closed", None)
    assert not await dm_reachable(h.db.conn, GUILD, 42)
    assert await dm_reachable(h.db.conn, GUILD + 1, 42), "a mark in one server says nothing about another"
    posted = await h.row("k:channel")
    assert posted["state"] == "sent" and posted["target_id"] == CHANNEL
    assert [c.key for c in h.discord.calls] == ["k", "k:channel"]

    # The member opens their DMs again: the next DM goes through and clears the mark.
    await h.enqueue("k2")
    await outbox.drain()
    assert await dm_reachable(h.db.conn, GUILD, 42)


async def test_unknown_targets_fail_without_retrying_or_marking_dms(h: Harness) -> None:
    assert h.outbox is not None and h.db is not None
    h.discord.script["k"] = [SendResult.failed("unknown_target", "http 404 code 10003")]
    await h.enqueue("k", target_kind="channel", target_id=CHANNEL)
    h.outbox.start()
    await h.outbox.drain()
    h.clock.advance(hours=1)
    await h.outbox.drain()
    row = await h.row("k")
    assert (row["state"], row["failure_reason"]) == ("failed", "unknown_target")
    assert h.discord.calls_for("k") == 1
    assert await h.db.fetchval("SELECT COUNT(*) FROM dm_unreachable") == 0


async def test_a_failing_fallback_leaves_the_row_failed(h: Harness) -> None:
    assert h.outbox is not None

    async def broken(conn: Conn, row: OutboxRow, reason: str) -> None:
        await conn.execute("INSERT INTO bot_meta (key, value) VALUES ('half', 'done')")
        raise RuntimeError("bug")

    h.outbox.register_fallback("broken", broken)
    h.discord.script["k"] = [SendResult.failed("missing_access", "http 403 code 50001")]
    await h.enqueue("k", fallback="broken")
    h.outbox.start()
    await h.outbox.drain()
    assert (await h.row("k"))["state"] == "failed"
    assert h.db is not None and await h.db.fetchval("SELECT COUNT(*) FROM bot_meta WHERE key = 'half'") == 0


async def test_killed_after_marking_sending_but_before_the_call(h: Harness) -> None:
    assert h.outbox is not None
    await h.close()
    never = asyncio.Event()

    class StuckPacer(Pacer):
        async def acquire(self) -> None:
            await never.wait()

    outbox = await h.boot(pacer=StuckPacer(1))
    await h.enqueue("k")
    outbox.start()
    await h.wait_state("k", "sending")
    await h.kill()

    outbox = await h.boot()
    outbox.start()
    await outbox.drain()
    assert (await h.row("k"))["state"] == "sent"
    assert h.discord.calls_for("k") == 1 and len(h.discord.messages) == 1


async def test_killed_after_discord_accepted_but_before_the_sent_mark(h: Harness) -> None:
    """The one window no design closes; the resend carries the same nonce, so Discord (like this
    fake) returns the first message instead of creating a second."""
    assert h.outbox is not None
    h.discord.hang_after_accepting = True
    await h.enqueue("k")
    h.outbox.start()
    await eventually(lambda: len(h.discord.messages) == 1)
    assert (await h.row("k"))["state"] == "sending"
    await h.kill()

    h.discord.hang_after_accepting = False
    outbox = await h.boot()
    outbox.start()
    await outbox.drain()
    assert (await h.row("k"))["state"] == "sent"
    assert [c.nonce for c in h.discord.calls] == [nonce_for("k")] * 2
    assert len(h.discord.messages) == 1


async def test_a_graceful_stop_lets_sends_in_flight_finish(h: Harness) -> None:
    assert h.outbox is not None
    h.discord.release = asyncio.Event()
    await h.enqueue("k")
    h.outbox.start()
    await eventually(lambda: len(h.discord.calls) == 1)
    stopping = asyncio.create_task(h.outbox.stop(grace=5))
    await asyncio.sleep(0)
    h.discord.release.set()
    await stopping
    assert (await h.row("k"))["state"] == "sent"


async def test_one_send_per_target_at_a_time_in_order(h: Harness) -> None:
    assert h.outbox is not None
    for n in range(4):
        await h.enqueue(f"same:{n}", target_kind="channel", target_id=CHANNEL)
        await h.enqueue(f"other:{n}", target_id=100 + n)
    h.outbox.start()
    await h.outbox.drain()
    assert h.discord.most_per_target == 1
    assert h.discord.most_at_once > 1
    assert [c.key for c in h.discord.calls if c.key.startswith("same")] == [f"same:{n}" for n in range(4)]
    assert len(h.discord.calls) == len(h.discord.messages) == 8


async def test_no_more_than_max_in_flight(h: Harness) -> None:
    assert h.outbox is not None
    await h.close()
    outbox = await h.boot(max_in_flight=3)
    for n in range(12):
        await h.enqueue(f"k{n}", target_id=100 + n)
    outbox.start()
    await outbox.drain()
    assert h.discord.most_at_once == 3 and len(h.discord.messages) == 12


class FakeTime:
    """Monotonic time for the pacer that moves only when it sleeps (or when told)."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sent: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds

    async def send(self, pacer: Pacer, count: int) -> None:
        for _ in range(count):
            await pacer.acquire()
            self.sent.append(self.now)


def most_in_any_second(times: list[float]) -> int:
    return max(sum(1 for t in times if start <= t < start + 1.0) for start in times)


async def test_pacer_holds_its_rate_over_time() -> None:
    clock = FakeTime()
    pacer = Pacer(45, monotonic=clock.monotonic, sleep=clock.sleep)
    await clock.send(pacer, 450)
    elapsed = clock.sent[-1] - clock.sent[0]
    assert 449 / 45 - 0.1 <= elapsed <= 449 / 45  # 45 a second, give or take the first two slots
    assert most_in_any_second(clock.sent) <= 45
    gaps = [b - a for a, b in itertools.pairwise(clock.sent)]
    assert min(gaps) >= 1 / 90 - 1e-9


async def test_pacer_neither_bursts_after_idling_nor_clumps_after_a_stall() -> None:
    clock = FakeTime()
    pacer = Pacer(45, monotonic=clock.monotonic, sleep=clock.sleep)
    await clock.send(pacer, 45)
    clock.now += 30  # idle: no saved-up burst
    idle_start = len(clock.sent)
    await clock.send(pacer, 45)
    assert most_in_any_second(clock.sent[idle_start:]) <= 45
    assert min(b - a for a, b in itertools.pairwise(clock.sent[idle_start:])) >= 1 / 90 - 1e-9

    # Many senders queued, then the event loop stalls for half a second mid-stream.
    queued = [asyncio.create_task(clock.send(pacer, 1)) for _ in range(200)]
    await asyncio.sleep(0)
    clock.now += 0.5
    await asyncio.gather(*queued)
    assert most_in_any_second(clock.sent) <= 45
    assert min(b - a for a, b in itertools.pairwise(clock.sent)) >= 1 / 90 - 1e-9


async def test_drain_needs_a_running_worker_and_gives_up_in_time(h: Harness) -> None:
    assert h.outbox is not None
    with pytest.raises(RuntimeError, match="not running"):
        await h.outbox.drain()
    h.discord.release = asyncio.Event()
    await h.enqueue("k")
    h.outbox.start()
    with pytest.raises(TimeoutError):
        await h.outbox.drain(within=0.05)
    h.discord.release.set()
    await h.outbox.drain()


async def eventually(predicate: Callable[[], object], within: float = 2.0) -> None:
    """Wait (real time, briefly) for something the worker does in the background."""
    for _ in range(int(within / 0.001)):
        if predicate():
            return
        await asyncio.sleep(0.001)
    raise AssertionError("the expected state was not reached")


async def test_a_crisis_card_enqueued_behind_many_reminders_is_sent_first(h: Harness) -> None:
    """Priority lanes: the worker picks crisis rows, then urgent, then ordinary, whatever came first."""
    assert h.outbox is not None and h.db is not None
    await h.close()
    outbox = await h.boot(max_in_flight=2)
    for n in range(300):
        await h.enqueue(f"reminder:{n}", target_id=1000 + n)
    async with h.db.transaction() as conn:
        await outbox.enqueue(conn, key="case:42:queue", kind="case_relay", guild_id=GUILD, target_kind="channel",
                             target_id=CHANNEL, payload={"content": "urgent lane"})
        await outbox.enqueue(conn, key="case:card:1", kind="case_card_crisis", guild_id=GUILD, target_kind="dm",
                             target_id=7, payload={"content": "crisis lane"})
    assert [(await h.row(k))["priority"] for k in ("case:card:1", "case:42:queue", "reminder:0")] == [0, 1, 2]
    outbox.start()
    await outbox.drain()
    keys = [c.key for c in h.discord.calls]
    assert keys[:2] == ["case:card:1", "case:42:queue"], keys[:4]
    assert len(h.discord.messages) == 302


def test_lanes_follow_the_message_kind() -> None:
    from bot.delivery.safety import outbox_lane
    assert [outbox_lane(k) for k in ("case_card_crisis", "case_page", "case_queue", "case_card_concern",
                                     "case_relay", "goal_ping", "checkin_reminder")] == [0, 0, 0, 1, 1, 2, 2]
