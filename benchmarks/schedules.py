"""Start-up rebuild time and memory with many recurring schedules in the database.

A database is filled with N recurring schedules (daily, weekly, fortnightly; eight time zones;
three kinds with both missed policies), as if the bot had been down for 26 hours (every daily
schedule missed at least one occurrence). A fresh process then starts the bot's delivery core the
way ``PeerCirclesBot.setup_hook`` does (database, migrations, outbox, scheduler with handlers that
enqueue outbox rows, ``scheduler.start()``) and reports:

- the time until ``start()`` returns (the bot can connect from then on),
- the time until the background catch-up has settled every missed occurrence (``caught_up()``),
- the longest and p99 event-loop stall while it runs (a 1 ms heartbeat task measures how late
  it wakes: what an interaction reply would wait at worst),
- resident memory, with discord.py and the bot imported, so the figure is for the whole process.

A second start on the same database (an immediate restart, nothing to catch up) is timed too.

Targets: start-up under 3 s and under 150 MB RSS with 100,000 schedules; stalls of a few ms.

    python -m benchmarks.schedules [--quick] [--count N] [--downtime-minutes M]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as local_time
from pathlib import Path

from benchmarks._shared import NullSender

ZONES = ["Europe/Berlin", "America/New_York", "Europe/London", "America/Los_Angeles", "Asia/Kolkata",
         "Australia/Sydney", "America/Sao_Paulo", "UTC"]
KINDS = ["goal_ping", "checkin_reminder", "checkin_start"]
RSS_LIMIT_MB = 150.0
REBUILD_LIMIT_S = 3.0


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size in MB, from /proc (Linux) or getrusage."""
    try:
        fields = dict(
            line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line
        )
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024
    except (OSError, KeyError, ValueError):
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return peak, peak


def fill(path: Path, count: int, downtime: timedelta, seed: int = 7) -> datetime:
    """Write ``count`` schedules whose next_fire_at is where a bot that stopped ``downtime`` ago
    left it. Returns the fill time ("now")."""
    from bot.core.clock import iso_utc
    from bot.delivery.recurrence import Recurrence
    from bot.delivery.schedules import first_fire, rule_columns

    async def migrate() -> None:
        from bot.core.db import Database

        async with Database(path) as db:
            await db.migrate()

    asyncio.run(migrate())
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    stopped = now - downtime
    start = (now - timedelta(days=30)).date()
    rows = []
    for n in range(count):
        zone = rng.choice(ZONES)
        at = local_time(rng.randrange(24), rng.randrange(60))
        pick = rng.random()
        if pick < 0.6:
            rule = Recurrence.daily(at, zone, start=start)
        else:
            days = frozenset(rng.sample(range(7), rng.randint(1, 3)))
            rule = Recurrence.weekly(at, zone, days, start=start, every_weeks=1 if pick < 0.9 else 2)
        next_fire = first_fire(rule, stopped)
        columns = rule_columns(rule)
        rows.append((
            rng.randrange(1, 200), KINDS[n % 3], n, json.dumps({"goal_id": n}), columns["frequency"],
            columns["timezone"], columns["local_time"], columns["weekdays"], columns["interval"],
            columns["start_date"], None if next_fire is None else iso_utc(next_fire), iso_utc(stopped),
        ))
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(
            "INSERT INTO schedules (guild_id, kind, owner_id, payload, frequency, timezone, local_time, weekdays,"
            " interval, start_date, next_fire_at, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(*r, r[-1]) for r in rows],
        )
    conn.close()
    return now


class StallMonitor:
    """A task that sleeps 1 ms at a time and records how much later than that it woke."""

    def __init__(self, tick: float = 0.001) -> None:
        self.tick = tick
        self.gaps: list[float] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(self.tick)
            now = time.perf_counter()
            self.gaps.append(max(0.0, now - last - self.tick))
            last = now

    async def stop(self) -> dict[str, float]:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        gaps = sorted(self.gaps) or [0.0]
        return {"max_stall_ms": gaps[-1] * 1000, "p99_stall_ms": gaps[int(len(gaps) * 0.99)] * 1000,
                "ticks": len(self.gaps)}


async def start_bot_core(path: Path) -> dict[str, float]:
    """What setup_hook does for delivery, timed; returns the figures."""
    import bot.client  # noqa: F401 - the whole bot's imports, for an honest RSS
    from bot.core.clock import Clock
    from bot.core.config import OutboxSettings, SchedulerSettings
    from bot.core.db import Database
    from bot.delivery.outbox import Outbox
    from bot.delivery.scheduler import MissedPolicy, Occurrence, Scheduler

    imports_rss, _ = rss_mb()
    clock = Clock()
    begin = time.perf_counter()
    db = await Database(path).connect()
    await db.migrate()
    outbox = Outbox(db, clock, OutboxSettings(), sender=NullSender())  # type: ignore[arg-type]
    scheduler = Scheduler(db, clock, SchedulerSettings(), outbox=outbox)
    handled = 0

    async def handler(conn: object, occurrence: Occurrence) -> None:
        nonlocal handled
        handled += 1
        await outbox.enqueue(conn, key=occurrence.key, kind=occurrence.kind,  # type: ignore[arg-type]
                             guild_id=occurrence.guild_id, target_kind="dm", target_id=occurrence.owner_id + 1,
                             payload={"content": "Your gentle reminder", "allowed_mentions": {"parse": []}})

    scheduler.register_kind("goal_ping", handler, MissedPolicy.LATE)
    scheduler.register_kind("checkin_reminder", handler, MissedPolicy.SKIP)
    scheduler.register_kind("checkin_start", handler, MissedPolicy.SKIP)
    monitor = StallMonitor()
    monitor.start()
    await scheduler.start()
    rebuild = time.perf_counter() - begin
    start_rss, _ = rss_mb()
    await scheduler.caught_up()
    caught_up = time.perf_counter() - begin
    stalls = await monitor.stop()
    current, peak = rss_mb()
    missed = await db.fetchval("SELECT COUNT(*) FROM schedule_occurrences WHERE outcome = 'missed'")
    late = await db.fetchval("SELECT COUNT(*) FROM schedule_occurrences WHERE outcome = 'late'")
    jobs = len(scheduler.wake_ups())
    await scheduler.shutdown()
    await db.close()
    return {"rebuild_s": rebuild, "caught_up_s": caught_up, **stalls, "start_rss_mb": start_rss,
            "rss_mb": current, "peak_rss_mb": peak, "imports_rss_mb": imports_rss,
            "jobs": jobs, "handled": handled, "missed": missed, "late": late}


def child(argv: list[str]) -> int:
    print(json.dumps(asyncio.run(start_bot_core(Path(argv[1])))))
    return 0


def run_child(*args: str) -> dict[str, float]:
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run([sys.executable, "-m", "benchmarks.schedules", *args], cwd=root,
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"child process failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0].startswith("--child"):
        return child(argv)
    parser = argparse.ArgumentParser(prog="python -m benchmarks.schedules", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10,000 schedules instead of 100,000")
    parser.add_argument("--count", type=int, default=None, help="schedules in the database")
    parser.add_argument("--downtime-minutes", type=float, default=26 * 60.0,
                        help="how long the bot was down before this start (default 1560: 26 hours)")
    args = parser.parse_args(argv)
    count = args.count or (10_000 if args.quick else 100_000)

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        begin = time.perf_counter()
        fill(path, count, timedelta(minutes=args.downtime_minutes))
        fill_s = time.perf_counter() - begin
        core = run_child("--child", str(path))
        again = run_child("--child", str(path))  # an immediate restart: nothing to catch up
        size_mb = path.stat().st_size / 2**20

    print(f"schedules: {count:,} recurring schedules in the database "
          f"(filled in {fill_s:.1f} s, {size_mb:.0f} MB), bot down {args.downtime_minutes:g} min before start")
    print()
    print(f"{'':48}{'measured':>12}{'target':>10}")
    print(f"{'start-up: until start() returns (bot connects)':48}{core['rebuild_s']:>10.2f} s{REBUILD_LIMIT_S:>8.0f} s")
    print(f"{'  until caught up (background, missed settled)':48}{core['caught_up_s']:>10.2f} s")
    print(f"{'  longest event-loop stall while catching up':48}{core['max_stall_ms']:>9.1f} ms")
    print(f"{'  p99 event-loop stall while catching up':48}{core['p99_stall_ms']:>9.1f} ms")
    print(f"{'  restarted at once (nothing to catch up)':48}{again['rebuild_s']:>10.2f} s")
    print(f"{'RSS when start() returned, whole bot process':48}{core['start_rss_mb']:>9.1f} MB{RSS_LIMIT_MB:>7.0f} MB")
    print(f"{'  RSS when caught up':48}{core['rss_mb']:>9.1f} MB{RSS_LIMIT_MB:>7.0f} MB")
    print(f"{'  peak RSS':48}{core['peak_rss_mb']:>9.1f} MB")
    print(f"{'  RSS with imports only (baseline)':48}{core['imports_rss_mb']:>9.1f} MB")
    print(f"{'wake-up instants held in memory (plus the sweep)':48}{core['jobs']:>12.0f}")
    print(f"{'messages enqueued by the catch-up (on time + late)':48}{core['handled']:>12.0f}")
    print(f"{'  of which late; occurrences recorded missed':48}{core['late']:>7.0f} / {core['missed']:.0f}")
    figures = {
        "benchmark": "schedules",
        "schedules": count,
        "downtime_minutes": args.downtime_minutes,
        "rebuild_s": round(core["rebuild_s"], 3),
        "start_returns_s": round(core["rebuild_s"], 3),
        "caught_up_s": round(core["caught_up_s"], 3),
        "max_stall_ms": round(core["max_stall_ms"], 1),
        "p99_stall_ms": round(core["p99_stall_ms"], 1),
        "rebuild_no_downtime_s": round(again["rebuild_s"], 3),
        "start_rss_mb": round(core["start_rss_mb"], 1),
        "rss_mb": round(core["rss_mb"], 1),
        "peak_rss_mb": round(core["peak_rss_mb"], 1),
        "imports_rss_mb": round(core["imports_rss_mb"], 1),
        "wake_ups_held": int(core["jobs"]),
        "caught_up": int(core["handled"]),
        "late": int(core["late"]),
        "missed": int(core["missed"]),
        "rebuild_vs_target": round(core["rebuild_s"] / REBUILD_LIMIT_S, 3),
        "rss_vs_target": round(core["rss_mb"] / RSS_LIMIT_MB, 3),
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
