"""`python -m bot status`: schedules, outbox and failures at a glance, for the operator.

Prints counts, ids, kinds, states, reasons and times only: never message content or payloads.
Reads the database without changing it, so it is safe while the bot runs.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from typing import TextIO

from bot.core.clock import iso_utc
from bot.core.config import Config

OUTBOX_STATES = ("pending", "sending", "sent", "failed")


def _table(out: TextIO, headers: tuple[str, ...], rows: list[tuple[object, ...]], empty: str) -> None:
    if not rows:
        print(f"  {empty}", file=out)
        return
    cells = [tuple("" if v is None else str(v) for v in row) for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    print("  " + "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(), file=out)
    for row in cells:
        print("  " + "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip(), file=out)


def _open_read_only(config: Config) -> sqlite3.Connection | None:
    path = config.database_path
    if not path.exists():
        return None
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.execute("PRAGMA busy_timeout=5000")
    return conn


def render_status(conn: sqlite3.Connection, out: TextIO, now: datetime) -> None:
    stamp = iso_utc(now)
    print(f"Peer Circles status at {stamp}", file=out)

    print("\nSchedules by kind", file=out)
    rows = conn.execute(
        "SELECT kind,"
        " SUM(active = 1 AND next_fire_at IS NOT NULL),"
        " SUM(active = 0),"
        " SUM(active = 1 AND next_fire_at IS NULL),"
        " SUM(active = 1 AND next_fire_at IS NOT NULL AND next_fire_at <= ?),"
        " MIN(CASE WHEN active = 1 THEN next_fire_at END)"
        " FROM schedules GROUP BY kind ORDER BY kind",
        (stamp,),
    ).fetchall()
    _table(out, ("kind", "active", "paused", "ended", "due now", "next fire (UTC)"), rows, "no schedules")

    print("\nOutbox rows by state", file=out)
    counts = dict(conn.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall())
    oldest = conn.execute(
        "SELECT MIN(created_at) FROM outbox WHERE state IN ('pending', 'sending')"
    ).fetchone()[0]
    due = conn.execute(
        "SELECT COUNT(*) FROM outbox WHERE state = 'pending' AND next_attempt_at <= ?", (stamp,)
    ).fetchone()[0]
    _table(out, ("state", "rows"), [(s, counts.get(s, 0)) for s in OUTBOX_STATES], "")
    print(f"  due now: {due}; oldest unsent: {oldest or '-'}", file=out)

    print("\nNext 10 fire times", file=out)
    rows = conn.execute(
        "SELECT next_fire_at, kind, id, guild_id FROM schedules WHERE active = 1 AND next_fire_at IS NOT NULL"
        " ORDER BY next_fire_at, id LIMIT 10"
    ).fetchall()
    _table(out, ("fire at (UTC)", "kind", "schedule", "server"), rows, "nothing scheduled")

    print("\nFailed deliveries by reason", file=out)
    rows = conn.execute(
        "SELECT failure_reason, kind, COUNT(*), MAX(created_at)"
        " FROM outbox WHERE state = 'failed' GROUP BY failure_reason, kind ORDER BY COUNT(*) DESC"
    ).fetchall()
    _table(out, ("reason", "kind", "rows", "newest queued at"), rows, "no failures")
    retrying = conn.execute(
        "SELECT COUNT(*) FROM outbox WHERE state = 'pending' AND attempts > 0"
    ).fetchone()[0]
    unreachable = conn.execute("SELECT COUNT(*) FROM dm_unreachable").fetchone()[0]
    print(f"  waiting to retry: {retrying}; members unreachable by DM: {unreachable}", file=out)

    week = iso_utc(now - timedelta(days=7))
    print("\nOccurrences not sent on time, last 7 days", file=out)
    rows = conn.execute(
        "SELECT kind, outcome, COUNT(*) FROM schedule_occurrences WHERE recorded_at >= ?"
        " GROUP BY kind, outcome ORDER BY kind, outcome",
        (week,),
    ).fetchall()
    _table(out, ("kind", "outcome", "occurrences"), rows, "none")


async def print_status(config: Config, out: TextIO, now: datetime | None = None) -> int:
    """Print the status report as of ``now`` (default: the real time); 0 when the database could
    be read, 1 otherwise."""
    conn = _open_read_only(config)
    if conn is None:
        print(f"no database at {config.database_path} (the bot has not run with this config yet)", file=out)
        return 1
    try:
        try:
            render_status(conn, out, now or datetime.now(UTC))
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                print(
                    f"the database at {config.database_path} is not migrated yet: run `python -m bot migrate`",
                    file=out,
                )
                return 1
            raise
    finally:
        conn.close()
    return 0
