"""Goal pings at scale: N members with a daily goal at the same local minute (19:30 Berlin).

The real bot (discord.py client, scheduler, goal handler, outbox, DiscordSender) runs against the
emulator with Discord's rate limits on (global 50/s and per-route buckets), as in
benchmarks/fanout.py, whose figures and targets this reuses. The scheduler's clock is moved to the
shared minute; every goal's occurrence is handled (one ``goal_pings`` row and one outbox row each,
in batches of 200 per transaction) and the outbox delivers them paced under the limit. A second
pass at the same minute, and a restart at it, must add nothing.

Figures: time to handle the occurrences, requests a second as a fraction of the global limit,
429s, duplicates (by nonce, per ping) and pings lost; targets as fanout: rate fraction >= 0.9,
no 429, no duplicate, none lost.

    python -m benchmarks.goals [--quick] [--members N] [--rate R] [--limit L]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.fanout import RATE_TARGET

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ZONE = "Europe/Berlin"


async def run(members: int, rate: float, limit: int) -> dict[str, Any]:
    from bot.core.clock import FakeClock, iso_utc
    from bot.delivery.outbox import nonce_for
    from bot.delivery.schedules import first_fire, rule_columns
    from bot.demo.runner import BotRunner
    from bot.goals.records import PING_KIND, GoalPlan
    from emulator.server import DiscordEmulator

    emulator = await DiscordEmulator().start()
    try:
        server = emulator.build_server()
        gid = int(server.guild_id)
        people = [int(emulator.add_person(server.guild_id, f"member-{n}")) for n in range(members)]
        clock = FakeClock(START)
        with tempfile.TemporaryDirectory() as folder:
            runner = BotRunner(emulator, clock, Path(folder) / "goals.sqlite3", outbox={"rate_per_second": rate})
            bot = await runner.start(timeout=120)
            try:
                rule = GoalPlan("daily", "19:30").rule(ZONE, START.date())
                columns = rule_columns(rule)
                fire = first_fire(rule, START)
                assert fire is not None
                stamp = iso_utc(START)
                async with bot.db.transaction() as conn:
                    await conn.executemany(
                        "INSERT INTO member_prefs (guild_id, user_id, timezone, updated_at) VALUES (?, ?, ?, ?)",
                        [(gid, p, ZONE, stamp) for p in people])
                    await conn.executemany(
                        "INSERT INTO goals (id, guild_id, user_id, text, cadence, local_time, created_at, updated_at)"
                        " VALUES (?, ?, ?, 'walk 10 minutes', 'daily', '19:30', ?, ?)",
                        [(n + 1, gid, p, stamp, stamp) for n, p in enumerate(people)])
                    await conn.executemany(
                        "INSERT INTO schedules (guild_id, kind, owner_id, payload, frequency, timezone, local_time,"
                        " weekdays, interval, start_date, until_date, at_utc, next_fire_at, created_at, updated_at)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [(gid, PING_KIND, n + 1, json.dumps({"goal": n + 1}), columns["frequency"],
                          columns["timezone"], columns["local_time"], columns["weekdays"], columns["interval"],
                          columns["start_date"], columns["until_date"], columns["at_utc"], iso_utc(fire), stamp,
                          stamp) for n in range(members)])
                emulator.ratelimits.enabled = True
                emulator.ratelimits.global_limit = limit
                first_call = len(emulator.calls)
                begin = time.perf_counter()
                clock.set(fire)
                await bot.scheduler.run_due()
                handled = time.perf_counter() - begin
                await bot.outbox.drain(within=members * 2 / rate * 2 + 60)
                seconds = time.perf_counter() - begin
                calls = emulator.calls[first_call:]
                await bot.scheduler.run_due()  # the same minute again: nothing new
                bot = await runner.restart()
                await bot.scheduler.caught_up()
                await bot.outbox.drain()
                pings = await bot.db.fetchval("SELECT COUNT(*) FROM goal_pings")
                keys = [r[0] for r in await bot.db.fetchall("SELECT key FROM outbox WHERE kind = 'goal_ping'")]
                states = dict(await bot.db.fetchall("SELECT state, COUNT(*) FROM outbox GROUP BY state"))
            finally:
                await runner.stop()
        created = Counter(str(m.get("nonce")) for ch in emulator.world.messages.values() for m in ch.values())
        wanted = [nonce_for(k) for k in keys]
        return {
            "handled_seconds": handled, "seconds": seconds, "requests": len(calls),
            "answered_429": sum(1 for c in calls if c.status == 429),
            "global_429s": emulator.ratelimits.global_429s, "route_429s": emulator.ratelimits.route_429s,
            "duplicates": sum(created[n] - 1 for n in wanted if created[n] > 1),
            "lost": members - sum(1 for n in wanted if created[n] >= 1),
            "pings": pings, "outbox_rows": len(keys), "sent": states.get("sent", 0),
        }
    finally:
        await emulator.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.goals", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="400 members instead of 10,000")
    parser.add_argument("--members", type=int, default=None, help="members with a goal at 19:30 (default 10000)")
    parser.add_argument("--rate", type=float, default=45.0, help="the bot's outbox.rate_per_second (default 45)")
    parser.add_argument("--limit", type=int, default=50, help="the emulator's global limit (default 50/s)")
    args = parser.parse_args(argv)
    members = args.members or (400 if args.quick else 10_000)
    r = asyncio.run(run(members, args.rate, args.limit))
    per_second = r["requests"] / r["seconds"]
    fraction = per_second / args.limit
    print(f"goals: {members:,} members with a daily goal at 19:30 {ZONE}, emulator enforcing {args.limit}/s global"
          f" and per-route limits, bot paced at {args.rate:g}/s")
    print()
    print(f"{'':40}{'measured':>12}{'target':>10}")
    print(f"{'occurrences handled (s)':40}{r['handled_seconds']:>12.2f}")
    print(f"{'  per second':40}{members / r['handled_seconds']:>12.0f}")
    print(f"{'requests a second':40}{per_second:>12.2f}")
    print(f"{'  as a fraction of the global limit':40}{fraction:>12.3f}{RATE_TARGET:>10}")
    print(f"{'429 answers (global / per route)':40}{r['global_429s']:>8} / {r['route_429s']}{0:>8}")
    print(f"{'ping rows / outbox rows / sent':40}{r['pings']:>6} / {r['outbox_rows']} / {r['sent']}")
    print(f"{'duplicates (incl. a second pass + restart)':40}{r['duplicates']:>12}{0:>10}")
    print(f"{'pings lost':40}{r['lost']:>12}{0:>10}")
    print(f"{'requests / seconds':40}{r['requests']:>7,} / {r['seconds']:.1f}")
    print(json.dumps({
        "benchmark": "goals", "members": members, "rate_fraction": round(fraction, 3),
        "requests_per_second": round(per_second, 2), "handled_per_second": round(members / r["handled_seconds"]),
        "http_429": r["answered_429"], "global_429": r["global_429s"], "duplicates": r["duplicates"],
        "lost": r["lost"], "pings": r["pings"], "configured_rate": args.rate, "limit": args.limit,
    }))
    ok = r["lost"] == 0 and r["duplicates"] == 0 and r["pings"] == members == r["outbox_rows"]
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
