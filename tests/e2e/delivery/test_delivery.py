"""Delivery end to end: schedules fire, the outbox sends through the real discord.py client to the
emulator, and restarts, downtime, rate limits and Discord's errors never lose or repeat a message.

Messages are counted per idempotency key through the nonce the bot derives from it: the emulator
records every POST (``calls``) and every message it created (``world.messages``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

import bot.client
from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock
from bot.core.db import Conn
from bot.delivery import schedules
from bot.delivery.outbox import Outbox, OutboxRow, SendResult, dm_reachable, nonce_for
from bot.delivery.recurrence import Recurrence
from bot.delivery.scheduler import MissedPolicy, Occurrence, Scheduler
from bot.demo.runner import BotRunner
from emulator.events import Server
from emulator.routes.messages import NONCE_MEMORY_SECONDS
from emulator.server import DiscordEmulator

POST_MESSAGE = ("POST", "/channels/{channel_id}/messages")
OPEN_DM = ("POST", "/users/@me/channels")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

# Where a probe DM that cannot be delivered is posted instead, per server (set by tests).
FALLBACK_CHANNELS: dict[int, int] = {}


class ProbeScheduler(Scheduler):
    """The real scheduler with two kinds and a fallback registered as a cog registers its own
    (before ``start()``), so they are known when the bot rebuilds after a restart."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register_kind("probe_ping", self.ping, MissedPolicy.LATE)
        self.register_kind("probe_notice", self.notice, MissedPolicy.SKIP)
        assert self.outbox is not None
        self.outbox.register_fallback("probe_channel", self.to_channel)

    async def ping(self, conn: Conn, occurrence: Occurrence) -> None:
        """A DM to each member in the payload (default: the owner)."""
        assert self.outbox is not None
        text = "A gentle nudge for your goal." + (" (Sent a little late.)" if occurrence.late else "")
        for member in occurrence.payload.get("members") or [occurrence.owner_id]:
            await self.outbox.enqueue(conn, key=f"{occurrence.key}:{member}", kind=occurrence.kind,
                                      guild_id=occurrence.guild_id, target_kind="dm", target_id=member,
                                      payload={"content": text}, fallback="probe_channel")

    async def notice(self, conn: Conn, occurrence: Occurrence) -> None:
        assert self.outbox is not None
        await self.outbox.enqueue(conn, key=occurrence.key, kind=occurrence.kind, guild_id=occurrence.guild_id,
                                  target_kind="channel", target_id=occurrence.payload["channel_id"],
                                  payload={"content": "The circle check-in starts now."})

    async def to_channel(self, conn: Conn, row: OutboxRow, reason: str) -> None:
        channel = FALLBACK_CHANNELS.get(row.guild_id)
        if channel is None or reason != "dm_closed" or row.payload is None:
            return
        assert self.outbox is not None
        await self.outbox.enqueue(conn, key=f"{row.key}:channel", kind=row.kind, guild_id=row.guild_id,
                                  target_kind="channel", target_id=channel,
                                  payload={"content": f"<@{row.target_id}> {row.payload['content']}",
                                           "allowed_mentions": {"users": [str(row.target_id)]}})


@pytest.fixture
def probe_runner(runner: BotRunner, monkeypatch: pytest.MonkeyPatch) -> BotRunner:
    monkeypatch.setattr(bot.client, "Scheduler", ProbeScheduler)
    FALLBACK_CHANNELS.clear()
    return runner


async def add_schedule(b: PeerCirclesBot, guild_id: str, kind: str, owner: int, rule: Recurrence,
                       payload: dict[str, Any] | None = None) -> schedules.Schedule:
    async with b.db.transaction() as conn:
        created = await schedules.create(conn, b.clock.now(), guild_id=int(guild_id), kind=kind, owner_id=owner,
                                         rule=rule, payload=payload)
    b.scheduler.notify(created)
    return created


def daily(hour: int) -> Recurrence:
    return Recurrence.daily(time(hour, 0), "UTC", start=date(2026, 11, 1))


def posts_with(emulator: DiscordEmulator, key: str) -> list[Any]:
    """Every message POST the bot made for one idempotency key (retries included)."""
    nonce = nonce_for(key)
    return emulator.find_calls(*POST_MESSAGE, where=lambda c: str((c.json or {}).get("nonce")) == nonce)


def messages_with(emulator: DiscordEmulator, key: str) -> list[dict[str, Any]]:
    """Messages that exist in the emulator for one idempotency key."""
    nonce = nonce_for(key)
    return [m for channel in emulator.world.messages.values() for m in channel.values()
            if str(m.get("nonce")) == nonce]


async def fire(b: PeerCirclesBot, clock: FakeClock, when: datetime) -> None:
    clock.set(when)
    await b.scheduler.run_due()
    await b.outbox.drain()


async def settle(b: PeerCirclesBot, clock: FakeClock, until: Callable[[], Awaitable[bool]],
                 step: timedelta = timedelta(seconds=30), rounds: int = 40) -> None:
    """Drain, then let fake time pass in steps (for backoffs) until ``until()`` holds."""
    for _ in range(rounds):
        await b.outbox.drain(within=60)
        if await until():
            return
        clock.advance(step)
    raise AssertionError("delivery did not settle")


async def states(b: PeerCirclesBot) -> dict[str, int]:
    rows = await b.db.fetchall("SELECT state, COUNT(*) FROM outbox GROUP BY state")
    return {r[0]: r[1] for r in rows}


async def test_a_goal_ping_reaches_the_member_by_dm_exactly_once(
    probe_runner: BotRunner, emulator: DiscordEmulator, server: Server, clock: FakeClock
) -> None:
    member = emulator.add_person(server.guild_id, "mira")
    b = await probe_runner.start()
    s = await add_schedule(b, server.guild_id, "probe_ping", int(member), daily(10))
    await fire(b, clock, MONDAY_9.replace(hour=10))

    key = f"probe_ping:{s.id}:2026-11-23T10:00:{member}"
    [post] = posts_with(emulator, key)
    assert post.json["enforce_nonce"] is True
    assert post.json["allowed_mentions"] == {"parse": []}
    [message] = messages_with(emulator, key)
    assert message["content"] == "-# From **Pain Peers**\nA gentle nudge for your goal.", "a DM names its server"
    assert message["channel_id"] == emulator.world.dm_channels[member]
    row = await b.db.fetchone("SELECT state, payload FROM outbox WHERE key = ?", (key,))
    assert row is not None and (row["state"], row["payload"]) == ("sent", None)


async def test_a_restart_between_fire_and_delivery_delivers_once(
    probe_runner: BotRunner, emulator: DiscordEmulator, server: Server, clock: FakeClock
) -> None:
    member = emulator.add_person(server.guild_id, "mira")
    b = await probe_runner.start()
    s = await add_schedule(b, server.guild_id, "probe_ping", int(member), daily(10))
    await b.outbox.stop()  # the fire commits, then the process stops before sending anything
    clock.set(MONDAY_9.replace(hour=10))
    await b.scheduler.run_due()
    assert emulator.find_calls(*POST_MESSAGE) == []

    b = await probe_runner.restart()
    await b.scheduler.run_due()
    await b.outbox.drain()
    key = f"probe_ping:{s.id}:2026-11-23T10:00:{member}"
    assert len(posts_with(emulator, key)) == 1 and len(messages_with(emulator, key)) == 1
    assert await b.db.fetchval("SELECT COUNT(*) FROM outbox") == 1, "not fired a second time"


async def test_a_restart_mid_fan_out_delivers_every_message_exactly_once(
    probe_runner: BotRunner, emulator: DiscordEmulator, server: Server, clock: FakeClock
) -> None:
    emulator.ratelimits.enabled = True  # Discord's real limits: 50/s global, per-route buckets
    members = [int(emulator.add_person(server.guild_id, f"member-{n}")) for n in range(60)]
    b = await probe_runner.start()
    s = await add_schedule(b, server.guild_id, "probe_ping", members[0], daily(10), {"members": members})
    clock.set(MONDAY_9.replace(hour=10))
    await b.scheduler.run_due()
    await emulator.wait_until(lambda: len(emulator.find_calls(*POST_MESSAGE)) >= 15, timeout=10,
                              what="the fan-out to be under way")

    b = await probe_runner.restart()
    await b.outbox.drain(within=60)
    keys = [f"probe_ping:{s.id}:2026-11-23T10:00:{m}" for m in members]
    assert [len(posts_with(emulator, k)) for k in keys] == [1] * 60
    assert [len(messages_with(emulator, k)) for k in keys] == [1] * 60
    assert await states(b) == {"sent": 60}
    assert emulator.ratelimits.global_429s == 0


def die_after_discord_accepts(outbox: Outbox) -> None:
    """kill -9 in the outbox's one window: Discord has the message, the 'sent' commit never
    happens. The send task dies right after the REST call returned; the row stays 'sending' in
    the database exactly as a killed process would leave it (its earlier commits are durable)."""
    record = outbox._record

    async def killed(row: OutboxRow, result: SendResult) -> None:
        if result.status == "sent":
            raise asyncio.CancelledError
        await record(row, result)

    outbox._record = killed  # type: ignore[method-assign]


@pytest.mark.parametrize(("down", "messages"), [(timedelta(minutes=1), 1),
                                                (timedelta(seconds=NONCE_MEMORY_SECONDS + 60), 2)],
                         ids=["restart-within-nonce-memory", "restart-after-nonce-memory"])
async def test_a_hard_kill_between_discords_answer_and_the_sent_commit(
    probe_runner: BotRunner, emulator: DiscordEmulator, server: Server, clock: FakeClock,
    down: timedelta, messages: int,
) -> None:
    members = [int(emulator.add_person(server.guild_id, f"member-{n}")) for n in range(3)]
    b = await probe_runner.start()
    s = await add_schedule(b, server.guild_id, "probe_ping", members[0], daily(10), {"members": members})
    keys = [f"probe_ping:{s.id}:2026-11-23T10:00:{m}" for m in members]
    die_after_discord_accepts(b.outbox)
    clock.set(MONDAY_9.replace(hour=10))
    await b.scheduler.run_due()
    await emulator.wait_until(lambda: all(len(messages_with(emulator, k)) == 1 for k in keys), timeout=5,
                              what="Discord to accept every message")
    assert await states(b) == {"sending": 3}, "no 'sent' commit happened"

    await probe_runner.stop()
    clock.advance(down)
    b = await probe_runner.start()
    await b.scheduler.caught_up()
    await b.outbox.drain()

    assert await states(b) == {"sent": 3}
    for key in keys:
        posts = posts_with(emulator, key)
        assert len(posts) == 2, "resent once after the restart"
        assert posts[0].json["nonce"] == posts[1].json["nonce"] and posts[1].json["enforce_nonce"] is True
        # Within Discord's nonce memory the resend returns the first message: exactly once.
        # Beyond it Discord has forgotten the nonce: the one duplicate outbox.py documents.
        assert len(messages_with(emulator, key)) == messages
    assert await b.db.fetchval("SELECT COUNT(*) FROM outbox") == 3, "the schedule did not fire again"


async def test_26_hours_down_late_sends_one_and_skip_sends_none(
    probe_runner: BotRunner, emulator: DiscordEmulator, server: Server, clock: FakeClock
) -> None:
    member = emulator.add_person(server.guild_id, "mira")
    b = await probe_runner.start()
    late = await add_schedule(b, server.guild_id, "probe_ping", int(member), daily(10))
    skip = await add_schedule(b, server.guild_id, "probe_notice", 1, daily(10),
                              {"channel_id": int(server.general_id)})
    await probe_runner.stop()
    clock.advance(hours=26)  # down from Monday 09:00 to Tuesday 11:00: two 10:00s passed

    b = await probe_runner.start()
    await b.scheduler.caught_up()
    await b.outbox.drain()
    posts = emulator.find_calls(*POST_MESSAGE)
    assert [p.json["content"] for p in posts] == [
        "-# From **Pain Peers**\nA gentle nudge for your goal. (Sent a little late.)"]
    assert posts[0].json["nonce"] == nonce_for(f"probe_ping:{late.id}:2026-11-24T10:00:{member}")
    outcomes = {s.id: [o[2] for o in await schedules.occurrences(b.db.conn, int(server.guild_id), s.id)]
                for s in (late, skip)}
    assert outcomes == {late.id: ["missed", "late"], skip.id: ["missed", "missed"]}

    await fire(b, clock, datetime(2026, 11, 25, 10, tzinfo=UTC))
    assert len(emulator.find_calls(*POST_MESSAGE)) == 3, "both back to normal the next day"


async def test_a_fan_out_of_2000_dms_stays_under_the_global_limit(
    probe_runner: BotRunner, emulator: DiscordEmulator, server: Server, clock: FakeClock
) -> None:
    # Time runs six times faster than Discord's: a 300/s global limit, which the bot's one global
    # budget spends whole, while 4,000 requests take seconds, not minutes. (Unpaced, this machine
    # runs into the 300/s limit by the thousand; see the fanout benchmark for the real 50/s.)
    limits = emulator.ratelimits
    limits.enabled = True
    limits.global_limit = 300
    limits.route_limits["POST /users/@me/channels"] = (1000, 1.0)
    members = [int(emulator.add_person(server.guild_id, f"member-{n}")) for n in range(2000)]
    config = probe_runner.config
    probe_runner.config = config.model_copy(update={"discord": config.discord.model_copy(update={"global_limit": 300})})
    b = await probe_runner.start()
    s = await add_schedule(b, server.guild_id, "probe_ping", members[0], daily(10), {"members": members})
    clock.set(MONDAY_9.replace(hour=10))
    await b.scheduler.run_due()
    await b.outbox.drain(within=120)

    assert limits.global_429s == 0
    assert await states(b) == {"sent": 2000}
    posts = emulator.find_calls(*POST_MESSAGE)
    assert len(posts) == 2000 and len(emulator.find_calls(*OPEN_DM)) == 2000
    keys = {nonce_for(f"probe_ping:{s.id}:2026-11-23T10:00:{m}") for m in members}
    created = [str(m.get("nonce")) for ch in emulator.world.messages.values() for m in ch.values()]
    assert sorted(created) == sorted(keys), "every member got exactly one message"


async def test_a_429_storm_on_one_route_is_ridden_out(
    probe_runner: BotRunner, emulator: DiscordEmulator, server: Server, clock: FakeClock
) -> None:
    members = [int(emulator.add_person(server.guild_id, f"member-{n}")) for n in range(5)]
    b = await probe_runner.start()
    notice = await add_schedule(b, server.guild_id, "probe_notice", 1, daily(10),
                                {"channel_id": int(server.general_id)})
    ping = await add_schedule(b, server.guild_id, "probe_ping", members[0], daily(10), {"members": members})
    storm = emulator.inject_fault(*POST_MESSAGE, 429, times=12, retry_after=0.01,
                                  match=lambda req: req.params["channel_id"] == server.general_id)
    clock.set(MONDAY_9.replace(hour=10))
    await b.scheduler.run_due()

    async def all_sent() -> bool:
        return await states(b) == {"sent": 6}

    await settle(b, clock, all_sent)
    assert storm.hits == 12
    notice_key = f"probe_notice:{notice.id}:2026-11-23T10:00"
    assert len(messages_with(emulator, notice_key)) == 1
    assert len(posts_with(emulator, notice_key)) == 13  # 12 answered 429, then the one that landed
    for m in members:
        key = f"probe_ping:{ping.id}:2026-11-23T10:00:{m}"
        assert len(posts_with(emulator, key)) == 1 == len(messages_with(emulator, key))


async def test_closed_dms_mark_the_member_and_fall_back_to_the_circle_channel(
    probe_runner: BotRunner, emulator: DiscordEmulator, server: Server, clock: FakeClock
) -> None:
    member = emulator.add_person(server.guild_id, "mira")
    emulator.world.dms_closed.add(member)
    FALLBACK_CHANNELS[int(server.guild_id)] = int(server.general_id)
    b = await probe_runner.start()
    s = await add_schedule(b, server.guild_id, "probe_ping", int(member), daily(10))
    await fire(b, clock, MONDAY_9.replace(hour=10))
    await b.outbox.drain()

    key = f"probe_ping:{s.id}:2026-11-23T10:00:{member}"
    row = await b.db.fetchone("SELECT state, failure_reason, payload FROM outbox WHERE key = ?", (key,))
    assert row is not None and tuple(row) == ("failed", "dm_closed", None)
    assert not await dm_reachable(b.db.conn, int(server.guild_id), int(member))
    [post] = emulator.world.messages[server.general_id].values()
    assert post["content"] == f"<@{member}> A gentle nudge for your goal."
    assert len(posts_with(emulator, key)) == 1, "a closed DM is not retried"


async def test_an_unknown_channel_ends_the_row_as_failed(
    probe_runner: BotRunner, emulator: DiscordEmulator, server: Server, clock: FakeClock
) -> None:
    b = await probe_runner.start()
    s = await add_schedule(b, server.guild_id, "probe_notice", 1, daily(10), {"channel_id": 123456789})
    await fire(b, clock, MONDAY_9.replace(hour=10))
    clock.advance(hours=1)
    await b.outbox.drain()
    row = await b.db.fetchone("SELECT state, failure_reason FROM outbox WHERE key = ?",
                              (f"probe_notice:{s.id}:2026-11-23T10:00",))
    assert row is not None and tuple(row) == ("failed", "unknown_target")
    assert len(emulator.find_calls(*POST_MESSAGE)) == 1


@pytest.mark.parametrize("status", [500, 503])
async def test_server_errors_are_retried_until_the_message_lands(
    probe_runner: BotRunner, emulator: DiscordEmulator, server: Server, clock: FakeClock, status: int
) -> None:
    # discord.py itself retries a 500 once after a second; a 503 comes straight back to the
    # outbox, which retries after its backoff (fake time).
    b = await probe_runner.start()
    s = await add_schedule(b, server.guild_id, "probe_notice", 1, daily(10), {"channel_id": int(server.general_id)})
    emulator.inject_fault(*POST_MESSAGE, status, times=1 if status == 500 else 2)
    clock.set(MONDAY_9.replace(hour=10))
    await b.scheduler.run_due()

    async def sent() -> bool:
        return await states(b) == {"sent": 1}

    await settle(b, clock, sent, step=timedelta(seconds=10))
    key = f"probe_notice:{s.id}:2026-11-23T10:00"
    assert len(posts_with(emulator, key)) == (2 if status == 500 else 3)
    assert len(messages_with(emulator, key)) == 1


async def test_moving_the_clock_fires_the_schedulers_own_wake_up(
    probe_runner: BotRunner, emulator: DiscordEmulator, server: Server, clock: FakeClock
) -> None:
    """The path production takes: the wake-up task, sleeping on the clock, comes round at the
    instant and asks for a pass; nothing calls run_due(). (The sweep passed at 09:59:59, when the
    clock jumped; its next round is 30 s later, so 10:00 is the wake-up's alone.)"""
    member = emulator.add_person(server.guild_id, "mira")
    b = await probe_runner.start()
    await b.scheduler.caught_up()
    s = await add_schedule(b, server.guild_id, "probe_ping", int(member), daily(10))
    ten = MONDAY_9.replace(hour=10)
    assert b.scheduler.wake_ups() == [ten]

    clock.set(MONDAY_9.replace(hour=9, minute=59, second=59))  # a second short: nothing fires
    await asyncio.sleep(0.05)
    assert b.scheduler.wake_ups() == [ten] and not emulator.find_calls(*POST_MESSAGE)

    clock.set(ten)
    await emulator.wait_until(lambda: len(messages_with(emulator, f"probe_ping:{s.id}:2026-11-23T10:00:{member}"))
                              == 1, timeout=5, what="the 10:00 nudge")
    assert ten not in b.scheduler.wake_ups(), "the wake-up came and was used"


async def test_a_schedule_beyond_the_window_is_reached_by_the_sweep(
    probe_runner: BotRunner, emulator: DiscordEmulator, server: Server, clock: FakeClock
) -> None:
    member = emulator.add_person(server.guild_id, "mira")
    b = await probe_runner.start()
    await b.scheduler.caught_up()
    s = await add_schedule(b, server.guild_id, "probe_ping", int(member), daily(15))  # 6 hours away
    assert b.scheduler.wake_ups() == [], "outside the window"
    # Time passes in half-hour steps, as it would: the sweep refills the window on the way.
    while clock.now() < MONDAY_9.replace(hour=15):
        clock.advance(minutes=30)
        await asyncio.sleep(0.01)
    await emulator.wait_until(lambda: len(messages_with(emulator, f"probe_ping:{s.id}:2026-11-23T15:00:{member}"))
                              == 1, timeout=5, what="the 15:00 nudge")
