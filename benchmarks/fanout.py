"""Fan-out: how close does the outbox get to Discord's global rate limit, without hitting it?

The real bot (discord.py client, outbox, DiscordSender) runs against the emulator with Discord's
rate limits switched on: the global 50 requests a second and the per-route buckets. N messages
fall due at once, DMs to N different members (each needs a DM channel opened first, so two
requests per message: the worst case, a cold start). The figures: requests a second as a
fraction of the global limit (the bot spends the whole budget: interaction replies do not count
against it), 429s, duplicates and messages lost, and how long role grants issued while the
fan-out runs take (they go before the outbox in the one global budget).

Targets: rate fraction >= 0.97 of the limit, no 429, no duplicate, every role grant within a
second, and a crisis card enqueued two seconds into the fan-out (behind every reminder still
waiting: about 9,950 of 10,000) sent within 2 s: the outbox's priority lanes
(bot/delivery/safety.py) put it first. The full run (10,000 DMs, about 20,000 requests at 50/s)
takes about seven minutes; --quick sends 400.

    python -m benchmarks.fanout [--quick] [--messages N] [--rate R] [--limit L]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._shared import delivered

RATE_TARGET = 0.97
GRANT_TARGET = 1.0
# Role grants issued during the fan-out, spaced out over it.
GRANTS = 5
CRISIS_TARGET = 2.0
CRISIS_KEY = "fanout:crisis-card"


async def crisis_card_meanwhile(bot: Any, guild_id: int, user_id: int, after: float) -> float:
    """A crisis card enqueued while the reminders wait: seconds from its commit to its 'sent' mark."""
    await asyncio.sleep(after)
    async with bot.db.transaction() as conn:
        await bot.outbox.enqueue(conn, key=CRISIS_KEY, kind="case_card_crisis", guild_id=guild_id,
                                 target_kind="dm", target_id=user_id,
                                 payload={"content": "Help is here, right now."})
    began = time.perf_counter()
    while True:  # polled: the outbox signals no event per row
        if await bot.db.fetchval("SELECT state FROM outbox WHERE key = ?", (CRISIS_KEY,)) == "sent":
            return time.perf_counter() - began
        await asyncio.sleep(0.005)


async def grant_roles_meanwhile(bot: Any, guild_id: int, user_id: int, role_id: int, every: float) -> list[float]:
    """Role grants while the fan-out runs, each timed from asking to Discord's answer."""
    took: list[float] = []
    for _ in range(GRANTS):
        await asyncio.sleep(every)
        began = time.perf_counter()
        await bot.http.add_role(guild_id, user_id, role_id, reason="benchmark")
        took.append(time.perf_counter() - began)
        await bot.http.remove_role(guild_id, user_id, role_id, reason="benchmark")
    return took


async def run(messages: int, rate: float | None, limit: int) -> dict[str, Any]:
    from bot.core.clock import Clock
    from bot.demo.runner import BotRunner
    from emulator.server import DiscordEmulator

    emulator = await DiscordEmulator().start()
    try:
        server = emulator.build_server()
        members = [int(emulator.add_person(server.guild_id, f"member-{n}")) for n in range(messages)]
        in_crisis = int(emulator.add_person(server.guild_id, "member-in-crisis"))
        with tempfile.TemporaryDirectory() as folder:
            sections: dict[str, Any] = {"discord": {"global_limit": limit}}
            if rate is not None:
                sections["outbox"] = {"rate_per_second": rate}
            runner = BotRunner(emulator, Clock(), Path(folder) / "fanout.sqlite3", **sections)
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
                expected = messages * 2 / (rate or limit)
                grants = asyncio.create_task(grant_roles_meanwhile(
                    bot, int(server.guild_id), int(server.owner_id), int(server.oncall_role_id),
                    expected / (GRANTS + 1)))
                crisis = asyncio.create_task(crisis_card_meanwhile(bot, int(server.guild_id), in_crisis,
                                                                   min(2.0, expected / 3)))
                await bot.outbox.drain(within=expected * 2 + 60)
                seconds = time.perf_counter() - begin
                grant_seconds = await grants
                crisis_seconds = await crisis
                behind = await bot.db.fetchval(
                    "SELECT COUNT(*) FROM outbox WHERE kind = 'goal_ping' AND sent_at >"
                    " (SELECT sent_at FROM outbox WHERE key = ?)", (CRISIS_KEY,))
                calls = emulator.calls[first_call:]
                states = dict(await bot.db.fetchall("SELECT state, COUNT(*) FROM outbox GROUP BY state"))
            finally:
                await runner.stop()
        counted = delivered(emulator, keys)
        return {
            "seconds": seconds,
            "requests": len(calls),
            "answered_429": sum(1 for c in calls if c.status == 429),
            "global_429s": emulator.ratelimits.global_429s,
            "route_429s": emulator.ratelimits.route_429s,
            "duplicates": counted.duplicates,
            "lost": counted.lost,
            "sent": states.get("sent", 0),
            "grant_seconds": grant_seconds,
            "crisis_seconds": crisis_seconds,
            "reminders_after_crisis": int(behind or 0),
            "bulk_requests": sum(1 for c in calls if "/roles/" not in c.path),
        }
    finally:
        await emulator.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fanout", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="400 messages instead of 10,000")
    parser.add_argument("--messages", type=int, default=None, help="DMs due at once (default 10000)")
    parser.add_argument("--rate", type=float, default=None,
                        help="cap the outbox's share (outbox.rate_per_second; default: the config default, "
                        "the whole budget)")
    parser.add_argument("--limit", type=int, default=50, help="the emulator's global limit (default 50/s)")
    args = parser.parse_args(argv)
    messages = args.messages or (400 if args.quick else 10_000)

    r = asyncio.run(run(messages, args.rate, args.limit))
    per_second = r["requests"] / r["seconds"]
    fraction = per_second / args.limit
    pace = f"outbox capped at {args.rate:g}/s" if args.rate else "outbox spending what role grants leave"
    grants = r["grant_seconds"]
    print(f"fanout: {messages:,} DMs due at once to {messages:,} members, emulator enforcing "
          f"{args.limit}/s global and per-route limits, {pace}")
    print()
    print(f"{'':38}{'measured':>12}{'target':>10}")
    print(f"{'requests a second':38}{per_second:>12.2f}")
    print(f"{'  as a fraction of the global limit':38}{fraction:>12.3f}{RATE_TARGET:>10}")
    print(f"{'role grants during the fan-out, slowest':38}{max(grants):>11.3f}s{GRANT_TARGET:>9}s")
    print(f"{'crisis card enqueued mid-fan-out, sent':38}{r['crisis_seconds']:>11.3f}s{CRISIS_TARGET:>9}s")
    print(f"{'  reminders it overtook':38}{r['reminders_after_crisis']:>12,}")
    print(f"{'messages a second (2 requests per DM)':38}{r['sent'] / r['seconds']:>12.2f}")
    print(f"{'429 answers (global / per route)':38}{r['global_429s']:>8} / {r['route_429s']}{0:>8}")
    print(f"{'duplicates':38}{r['duplicates']:>12}{0:>10}")
    print(f"{'messages lost':38}{r['lost']:>12}{0:>10}")
    print(f"{'requests / seconds':38}{r['requests']:>7,} / {r['seconds']:.1f}")
    print(json.dumps({
        "benchmark": "fanout",
        "messages": messages,
        "rate_fraction": round(fraction, 3),
        "role_grant_seconds_max": round(max(grants), 3),
        "role_grant_seconds": [round(g, 3) for g in grants],
        "crisis_card_seconds": round(r["crisis_seconds"], 3),
        "crisis_card_overtook": r["reminders_after_crisis"],
        "requests_per_second": round(per_second, 2),
        "http_429": r["answered_429"],
        "global_429": r["global_429s"],
        "duplicates": r["duplicates"],
        "lost": r["lost"],
        "configured_rate": args.rate,
        "limit": args.limit,
    }))
    ok = r["lost"] == 0 and r["duplicates"] == 0 and r["answered_429"] == 0
    crisis_ok = r["crisis_seconds"] <= CRISIS_TARGET
    return 0 if ok and crisis_ok and fraction >= RATE_TARGET and max(grants) <= GRANT_TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
