"""Fan-out: how close does the outbox get to Discord's global rate limit, without hitting it?

The real bot (discord.py client, outbox, DiscordSender) runs against the emulator with Discord's
rate limits switched on: the global 50 requests a second and the per-route buckets. N messages
fall due at once, DMs to N different members (each needs a DM channel opened first, so two
requests per message: the worst case, a cold start). The figures: requests a second as a
fraction of the global limit, the same as a fraction of the bot's configured pace (45/s by
default, leaving 5/s for interaction replies), 429s, duplicates and messages lost.

Targets: rate fraction >= 0.9 of the limit, no 429, no duplicate. The full run (10,000 DMs, about
20,000 requests at 45/s) takes about seven and a half minutes; --quick sends 400.

    python -m benchmarks.fanout [--quick] [--messages N] [--rate R] [--limit L]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

RATE_TARGET = 0.9


async def run(messages: int, rate: float, limit: int) -> dict[str, Any]:
    from bot.core.clock import Clock
    from bot.delivery.outbox import nonce_for
    from bot.demo.runner import BotRunner
    from emulator.server import DiscordEmulator

    emulator = await DiscordEmulator().start()
    try:
        server = emulator.build_server()
        members = [int(emulator.add_person(server.guild_id, f"member-{n}")) for n in range(messages)]
        with tempfile.TemporaryDirectory() as folder:
            runner = BotRunner(emulator, Clock(), Path(folder) / "fanout.sqlite3",
                               outbox={"rate_per_second": rate})
            bot = await runner.start(timeout=120)
            try:
                emulator.ratelimits.enabled = True
                emulator.ratelimits.global_limit = limit
                keys = [f"fanout:{m}" for m in members]
                async with bot.db.transaction() as conn:
                    for key, member in zip(keys, members, strict=True):
                        await bot.outbox.enqueue(conn, key=key, kind="goal_ping", guild_id=int(server.guild_id),
                                                 target_kind="dm", target_id=member,
                                                 payload={"content": "A gentle nudge for your goal."})
                first_call = len(emulator.calls)
                begin = time.perf_counter()
                await bot.outbox.drain(within=messages * 2 / rate * 2 + 60)
                seconds = time.perf_counter() - begin
                calls = emulator.calls[first_call:]
                states = dict(await bot.db.fetchall("SELECT state, COUNT(*) FROM outbox GROUP BY state"))
            finally:
                await runner.stop()
        created = Counter(
            str(m.get("nonce")) for channel in emulator.world.messages.values() for m in channel.values()
        )
        wanted = [nonce_for(k) for k in keys]
        return {
            "seconds": seconds,
            "requests": len(calls),
            "answered_429": sum(1 for c in calls if c.status == 429),
            "global_429s": emulator.ratelimits.global_429s,
            "route_429s": emulator.ratelimits.route_429s,
            "duplicates": sum(created[n] - 1 for n in wanted if created[n] > 1),
            "lost": sum(1 for n in wanted if created[n] == 0),
            "sent": states.get("sent", 0),
        }
    finally:
        await emulator.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fanout", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="400 messages instead of 10,000")
    parser.add_argument("--messages", type=int, default=None, help="DMs due at once (default 10000)")
    parser.add_argument("--rate", type=float, default=45.0,
                        help="the bot's outbox.rate_per_second (default 45, the config default)")
    parser.add_argument("--limit", type=int, default=50, help="the emulator's global limit (default 50/s)")
    args = parser.parse_args(argv)
    messages = args.messages or (400 if args.quick else 10_000)

    r = asyncio.run(run(messages, args.rate, args.limit))
    per_second = r["requests"] / r["seconds"]
    fraction = per_second / args.limit
    print(f"fanout: {messages:,} DMs due at once to {messages:,} members, emulator enforcing "
          f"{args.limit}/s global and per-route limits, bot paced at {args.rate:g}/s")
    print()
    print(f"{'':38}{'measured':>12}{'target':>10}")
    print(f"{'requests a second':38}{per_second:>12.2f}")
    print(f"{'  as a fraction of the global limit':38}{fraction:>12.3f}{RATE_TARGET:>10}")
    print(f"{'  as a fraction of the configured pace':38}{per_second / args.rate:>12.3f}")
    print(f"{'messages a second (2 requests per DM)':38}{r['sent'] / r['seconds']:>12.2f}")
    print(f"{'429 answers (global / per route)':38}{r['global_429s']:>8} / {r['route_429s']}{0:>8}")
    print(f"{'duplicates':38}{r['duplicates']:>12}{0:>10}")
    print(f"{'messages lost':38}{r['lost']:>12}{0:>10}")
    print(f"{'requests / seconds':38}{r['requests']:>7,} / {r['seconds']:.1f}")
    print(json.dumps({
        "benchmark": "fanout",
        "messages": messages,
        "rate_fraction": round(fraction, 3),
        "pace_fraction": round(per_second / args.rate, 3),
        "requests_per_second": round(per_second, 2),
        "http_429": r["answered_429"],
        "global_429": r["global_429s"],
        "duplicates": r["duplicates"],
        "lost": r["lost"],
        "configured_rate": args.rate,
        "limit": args.limit,
    }))
    return 0 if r["lost"] == 0 and r["duplicates"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
