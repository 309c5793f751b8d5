"""Scale: several bot processes by shard range over one PostgreSQL, a fan-out, commands, and a kill.

Three real bot processes (OS processes: ``benchmarks/_bot_process.py``, the bot as ``python -m bot
run`` starts it) each run two of six shards against one emulator holding 6,000 servers (1,000 a
shard; Discord asks for a shard per 2,500), over one throwaway PostgreSQL cluster
(tests/postgres_cluster.py), with one shared anonymity key. The emulator enforces Discord's global
50 requests a second and its per-route limits.

Once every process answers commands and spends its settled share of the budget
(bot/delivery/processes.py), 10,000 DMs to 10,000 members spread over the servers fall due at
once (enqueued as another process would; any process claims any due row, whatever its server:
the outbox is not split by shard). Meanwhile members run a mix of slash commands (/help,
/circle list, /circle mine, /goal list, /checkin upcoming) in servers on every shard, a few a
second. Halfway through the fan-out one process is SIGKILLed: the rows it had claimed stay
``sending`` under its lease until the lease runs out, then the other two take them back and send
them with the same nonce. After that takeover the killed process is started again and members on
its shards run commands.

Figures and targets:
- fan-out rate while all three processes send (requests counted against the global limit, by
  their arrival at the emulator, from the first to the last before the kill), as a fraction of
  the limit: >= 0.95. Each process spends 0.97 x limit / 3, at most 16 requests in any 1.005 s
  window of its own (bot/delivery/budget.py), so three reach at most 48 / 1.005 s = 0.955;
- 429 answers over the whole run: 0; messages Discord created twice (counted by nonce): 0;
  messages never created: 0, the killed process's claims included;
- command answers, p99 from the interaction's dispatch to the bot's callback: within Discord's
  3 s deadline, none unanswered; after the restart, every command on the killed process's shards
  answered.

The full run (10,000 DMs, about 20,000 requests, the bot's own 60 s lease) takes about ten
minutes; --quick (600 servers, 1,000 DMs, a 15 s lease) about two.

    python -m benchmarks.scale [--quick] [--servers N] [--messages N] [--lease SECONDS]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import cycle
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks._fleet import (
    BotProcess,
    answered_seconds,
    counts_against_the_limit,
    fleet,
    outside_outbox,
    prepare_database,
    wait_serving,
    wait_settled,
)
from benchmarks._shared import delivered, percentile

if TYPE_CHECKING:
    from bot.core.db import Database
    from emulator.events import Server
    from emulator.interactions import InteractionRecord
    from emulator.server import Call, DiscordEmulator

RATE_TARGET = 0.95
ANSWER_P99_TARGET = 3.0  # Discord drops an interaction not answered within 3 s
PROCESSES = 3
SHARDS_EACH = 2
BOT_LEASE = 60.0  # bot.delivery.leases.DEFAULT_LEASE
QUICK_LEASE = 15.0
COMMANDS = ("help", "circle list", "circle mine", "goal list", "checkin upcoming")
COMMANDS_PER_SECOND = 4.0
AFTER_RESTART = 20  # commands on the restarted process's shards
KEY_PREFIX = "scale:"


@dataclass
class Commands:
    """Members running slash commands a few a second, round the servers of the live processes."""
    emulator: DiscordEmulator
    servers: list[Server]
    per_second: float
    down: set[int] = field(default_factory=set)  # shards whose process is dead: nobody asks there
    phase: str = "fan-out"
    sent: dict[str, list[InteractionRecord]] = field(default_factory=dict)

    async def run(self) -> None:
        from emulator.gateway import shard_of

        commands = cycle(COMMANDS)
        count = self.emulator.options.shard_count
        for server in cycle(self.servers):
            if shard_of(server.guild_id, count) in self.down:
                continue
            interaction = await self.emulator.slash(server.guild_id, server.owner_id, next(commands))
            self.sent.setdefault(self.phase, []).append(interaction.record)
            await asyncio.sleep(1 / self.per_second)


async def sent_count(db: Database) -> int:
    return int(await db.fetchval("SELECT COUNT(*) FROM outbox WHERE key LIKE ? AND state = 'sent'",
                                 (KEY_PREFIX + "%",)) or 0)


async def until(check: Any, what: str, within: float) -> None:
    deadline = time.perf_counter() + within
    while not await check():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"timed out after {within:.0f} s waiting for {what}")
        await asyncio.sleep(0.1)


async def run(servers: int, messages: int, *, lease: float, limit: int = 50, processes: int = PROCESSES,
              shards_each: int = SHARDS_EACH, kill_at: float = 0.5, database_url: str | None = None,
              commands_per_second: float = COMMANDS_PER_SECOND, after_restart: int = AFTER_RESTART) -> dict[str, Any]:
    """The whole scenario; the figures as a dict. ``database_url``: an empty PostgreSQL database
    (or schema) to use, else a throwaway cluster is started and removed."""
    from bot.core.db import Database
    from emulator.server import DiscordEmulator, EmulatorOptions
    from tests import postgres_cluster

    cluster = None
    if database_url is None:
        cluster = postgres_cluster.start()
        database_url = cluster.url()
    shard_count = processes * shards_each
    emulator = await DiscordEmulator(EmulatorOptions(shard_count=shard_count)).start()
    folder = Path(tempfile.mkdtemp(prefix="peer-circles-scale-"))
    bots = fleet(processes, shards_each, folder, lease)
    try:
        built = time.perf_counter()
        world = [emulator.build_server(f"Peers {i}", shard=(i % shard_count, shard_count)) for i in range(servers)]
        members = [(world[m % servers], int(emulator.add_person(world[m % servers].guild_id, f"member-{m}")))
                   for m in range(messages)]
        build_seconds = time.perf_counter() - built
        emulator.ratelimits.enabled = True
        emulator.ratelimits.global_limit = limit
        key_file = folder / "secrets" / "anonymity-key"
        await prepare_database(database_url, key_file)
        for bot in bots:
            bot.write_config(emulator, database_url, key_file, limit)

        started = time.perf_counter()
        for bot in bots:
            bot.start(emulator.options.token)
        await asyncio.gather(*(wait_serving(emulator, bot, world) for bot in bots))
        serving_seconds = time.perf_counter() - started
        lease_span = timedelta(seconds=lease)
        async with Database(database_url) as db:
            await wait_settled(db, [bot.owner for bot in bots], lease_span)
            result = await fan_out(emulator, db, bots, world, members, lease_span, limit, kill_at,
                                   commands_per_second, after_restart)
        result.update(servers=servers, messages=messages, processes=processes, shard_count=shard_count,
                      ranges=[bot.shards for bot in bots],
                      lease=lease, limit=limit, build_seconds=build_seconds, serving_seconds=serving_seconds,
                      spec_rejections=len(emulator.spec_rejections))
        return result
    finally:
        for bot in bots:
            bot.stop()
        await emulator.stop()
        if cluster is not None:
            cluster.stop()


async def fan_out(emulator: DiscordEmulator, db: Database, bots: list[BotProcess], world: list[Server],
                  members: list[tuple[Server, int]], lease: timedelta, limit: int, kill_at: float,
                  commands_per_second: float, after_restart: int) -> dict[str, Any]:
    from bot.core.clock import Clock
    from emulator.gateway import shard_of

    messages = len(members)
    keys = [f"{KEY_PREFIX}{n}" for n in range(messages)]
    # Due once every process has had a heartbeat to look (a third of a lease) after the commit,
    # so all three start together; enqueueing takes under two milliseconds a row.
    due = Clock().now() + lease / 3 + timedelta(seconds=1 + messages / 500)
    outbox = outside_outbox(db)
    async with db.transaction() as conn:
        for key, (server, member) in zip(keys, members, strict=True):
            await outbox.enqueue(conn, key=key, kind="goal_ping", guild_id=int(server.guild_id), target_kind="dm",
                                 target_id=member, payload={"content": "A gentle nudge for your goal."},
                                 not_before=due)
    wait = (due - Clock().now()).total_seconds()
    late_enqueue = wait <= 0
    await asyncio.sleep(max(0.0, wait))

    commands = Commands(emulator, world, commands_per_second)
    asking = asyncio.create_task(commands.run(), name="commands")
    try:
        first = len(emulator.calls)
        began = time.perf_counter()
        await until(lambda: _sent_reached(db, messages * kill_at), "the fan-out to reach the kill", 3600)
        # The kill: the process's claims stay 'sending' under its lease.
        victim = bots[-1]
        commands.phase = "outage"
        commands.down.update(victim.shard_ids)
        victim.kill()
        killed = time.perf_counter()
        upto = len(emulator.calls)
        held = [str(r[0]) for r in await db.fetchall(
            "SELECT key FROM outbox WHERE state = 'sending' AND lease_owner = ?", (victim.owner,))]
        sent_at_kill = await sent_count(db)

        async def taken_back() -> bool:
            return not await db.fetchval("SELECT COUNT(*) FROM outbox WHERE state = 'sending' AND lease_owner = ?",
                                         (victim.owner,))

        await until(taken_back, "the other processes to take the killed one's claims back", 3 * lease.total_seconds())
        takeover_seconds = time.perf_counter() - killed

        # The restart: the same shard range (and lease owner name); its members' commands answered.
        victim.start(emulator.options.token)
        restarted = time.perf_counter()
        await wait_serving(emulator, victim, world)
        restart_seconds = time.perf_counter() - restarted
        commands.phase = "after restart"
        commands.down.clear()
        theirs = [s for s in world if shard_of(s.guild_id, victim.count) in victim.shard_ids]
        again = []
        for server, path in zip(cycle(theirs), cycle(COMMANDS)):
            again.append((await emulator.slash(server.guild_id, server.owner_id, path)).record)
            if len(again) == after_restart:
                break
            await asyncio.sleep(1 / commands_per_second)

        await until(lambda: _sent_reached(db, messages), "every message to be sent", 3600)
        finished = time.perf_counter()
    finally:
        asking.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asking
    asked = [r for phase in commands.sent.values() for r in phase] + again
    with contextlib.suppress(TimeoutError):  # the last commands' answers
        await until(lambda: _all_answered(asked), "the last answers", ANSWER_P99_TARGET)
    until_kill = [c for c in emulator.calls[first:upto] if counts_against_the_limit(c.template)]
    whole = [c for c in emulator.calls[first:] if counts_against_the_limit(c.template)]
    counted = delivered(emulator, keys)
    # Taken back, they are due from the takeover: sent after the rows already waiting.
    theirs_counted = delivered(emulator, held)
    during = [r for phase in commands.sent.values() for r in phase]
    return {
        "late_enqueue": late_enqueue,
        "fan_out_requests": len(until_kill),
        "until_kill_seconds": until_kill[-1].at - until_kill[0].at,
        "rate_fraction": _per_second(until_kill) / limit,
        "overall_seconds": finished - began,
        "overall_rate_fraction": _per_second(whole) / limit,
        "sent_at_kill": sent_at_kill,
        "held_at_kill": len(held),
        "held_duplicates": theirs_counted.duplicates,
        "held_lost": theirs_counted.lost,
        "takeover_seconds": takeover_seconds,
        "restart_seconds": restart_seconds,
        "http_429": sum(1 for c in emulator.calls if c.status == 429),
        "global_429": emulator.ratelimits.global_429s,
        "route_429": emulator.ratelimits.route_429s,
        "duplicates": counted.duplicates,
        "lost": counted.lost,
        "commands": len(during),
        "answer_p50": percentile(answered_seconds(during), 0.5),
        "answer_p99": percentile(answered_seconds(during), 0.99),
        "unanswered": sum(1 for r in during if not r.responded),
        "after_restart": len(again),
        "after_restart_answered": sum(1 for r in again if r.responded),
        "after_restart_p99": percentile(answered_seconds(again), 0.99),
    }


def _per_second(calls: list[Call]) -> float:
    """Requests a second as Discord counts them, by arrival: from the first to the last."""
    return (len(calls) - 1) / (calls[-1].at - calls[0].at) if len(calls) > 1 else 0.0


async def _all_answered(records: list[InteractionRecord]) -> bool:
    return all(r.responded for r in records)


async def _sent_reached(db: Database, count: float) -> bool:
    return await sent_count(db) >= count


def passed(r: dict[str, Any]) -> bool:
    return (r["rate_fraction"] >= RATE_TARGET and r["http_429"] == 0 and r["duplicates"] == 0 and r["lost"] == 0
            and r["unanswered"] == 0 and r["answer_p99"] <= ANSWER_P99_TARGET and r["held_at_kill"] > 0
            and r["after_restart_answered"] == r["after_restart"] and r["spec_rejections"] == 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="600 servers, 1,000 DMs, a 15 s lease")
    parser.add_argument("--servers", type=int, default=None, help="emulated servers (default 6000)")
    parser.add_argument("--messages", type=int, default=None, help="DMs due at once (default 10000)")
    parser.add_argument("--lease", type=float, default=None,
                        help=f"lease seconds (default: the bot's {BOT_LEASE:g}; --quick {QUICK_LEASE:g})")
    args = parser.parse_args(argv)
    servers = args.servers or (600 if args.quick else 6_000)
    messages = args.messages or (1_000 if args.quick else 10_000)
    lease = args.lease or (QUICK_LEASE if args.quick else BOT_LEASE)

    from tests import postgres_cluster

    missing = postgres_cluster.why_missing()
    if missing is not None:  # not a missed target: nothing was measured
        print(f"scale: skipped: {missing.split(':')[0]}")
        print(json.dumps({"benchmark": "scale", "skipped": missing}))
        return 0
    r = asyncio.run(run(servers, messages, lease=lease))
    own = "the bot's own" if lease == BOT_LEASE else f"shortened from the bot's {BOT_LEASE:g} s"
    print(f"scale: {PROCESSES} bot processes (shards {', '.join(r['ranges'])} of {r['shard_count']}) over one"
          f" PostgreSQL, {servers:,} servers, {messages:,} DMs due at once, "
          f"commands {COMMANDS_PER_SECOND:g}/s, lease {lease:g} s ({own}), emulator enforcing {r['limit']}/s")
    print(f"  servers built in {r['build_seconds']:.1f} s; processes serving after {r['serving_seconds']:.1f} s")
    print()
    print(f"{'':46}{'measured':>12}{'target':>10}")
    print(f"{'fan-out rate, all three sending (to the kill)':46}{r['rate_fraction']:>12.3f}{RATE_TARGET:>10}")
    print(f"{'  requests / seconds':46}{r['fan_out_requests']:>7,} / {r['until_kill_seconds']:.1f}")
    print(f"{'  whole fan-out, outage included':46}{r['overall_rate_fraction']:>12.3f}")
    print(f"{'commands answered, p50 / p99 (s)':46}{r['answer_p50']:>5.3f} / {r['answer_p99']:.3f}"
          f"{ANSWER_P99_TARGET:>9}")
    print(f"{'  commands / unanswered':46}{r['commands']:>7} / {r['unanswered']}{0:>9}")
    print(f"{'429 answers (global / per route)':46}{r['global_429']:>8} / {r['route_429']}{0:>8}")
    print(f"{'duplicates (by nonce)':46}{r['duplicates']:>12}{0:>10}")
    print(f"{'messages lost':46}{r['lost']:>12}{0:>10}")
    print(f"SIGKILL of shards {r['ranges'][-1]} at "
          f"{r['sent_at_kill']:,} of {messages:,} sent:")
    print(f"{'  rows it had claimed':46}{r['held_at_kill']:>12}")
    print(f"{'  taken back by the others after (s)':46}{r['takeover_seconds']:>12.1f}")
    print(f"{'  of them sent twice / never':46}{r['held_duplicates']:>8} / {r['held_lost']}{0:>8}")
    print(f"{'  restarted, serving again after (s)':46}{r['restart_seconds']:>12.1f}")
    print(f"{'  its shards commands answered':46}{r['after_restart_answered']:>7} / {r['after_restart']}"
          f"  (p99 {r['after_restart_p99']:.3f} s)")
    print(f"{'requests Discord would reject (spec)':46}{r['spec_rejections']:>12}{0:>10}")
    if r["late_enqueue"]:
        print("note: the rows fell due before every process had looked: the processes started apart")
    print(json.dumps({
        "benchmark": "scale",
        "servers": servers,
        "messages": messages,
        "processes": PROCESSES,
        "lease_seconds": lease,
        "rate_fraction": round(r["rate_fraction"], 3),
        "overall_rate_fraction": round(r["overall_rate_fraction"], 3),
        "answer_p99": round(r["answer_p99"], 3),
        "unanswered": r["unanswered"],
        "http_429": r["http_429"],
        "duplicates": r["duplicates"],
        "lost": r["lost"],
        "held_at_kill": r["held_at_kill"],
        "takeover_seconds": round(r["takeover_seconds"], 1),
        "after_restart_answered": f"{r['after_restart_answered']}/{r['after_restart']}",
    }))
    return 0 if passed(r) else 1


if __name__ == "__main__":
    raise SystemExit(main())
