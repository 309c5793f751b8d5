"""`python -m bot status` and `/status`: the bot, schedules, outbox, failures and errors at a glance.

One report builder for both: the operator's command line sees every server; an organiser's
/status passes ``guild_id`` and sees only their server's rows (the bot-wide figures, latency,
uptime and database size, are the same for everyone). Prints counts, ids, kinds, states, reasons
and times only: never message content or payloads. Reads the database without changing it, so it
is safe while the bot runs.
"""

from __future__ import annotations

import io
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

from bot.core.clock import iso_utc, parse_iso_utc
from bot.core.config import Config

OUTBOX_STATES = ("pending", "sending", "sent", "failed")
# bot_meta keys the running bot keeps current (heartbeat), so the command line can report them.
META_STARTED = "process_started_at"
META_HEARTBEAT = "heartbeat_at"
META_LATENCY = "gateway_latency_ms"


@dataclass(frozen=True)
class Runtime:
    """What only the running process knows; the command line reads the last heartbeat instead."""

    latency_ms: float | None
    started_at: datetime | None


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


def _meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM bot_meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    return f"{days}d {hours}h {minutes}m" if days else f"{hours}h {minutes}m"


def database_size(path: Path) -> int:
    """Bytes on disk, the write-ahead log included."""
    wal = path.with_name(path.name + "-wal")
    return sum(p.stat().st_size for p in (path, wal) if p.exists())


def _render_bot(conn: sqlite3.Connection, out: TextIO, now: datetime, runtime: Runtime | None,
                db_path: Path | None) -> None:
    print("\nBot", file=out)
    if runtime is not None:
        latency = None if runtime.latency_ms is None else f"{runtime.latency_ms:.0f} ms"
        started = runtime.started_at
        seen = "now"
    else:  # the command line: what the running bot last wrote
        latency_text = _meta(conn, META_LATENCY)
        latency = f"{float(latency_text):.0f} ms" if latency_text else None
        started_text = _meta(conn, META_STARTED)
        started = parse_iso_utc(started_text) if started_text else None
        heartbeat = _meta(conn, META_HEARTBEAT)
        seen = heartbeat or "never"
    print(f"  gateway latency: {latency or 'unknown'}", file=out)
    print(f"  up since: {iso_utc(started) + ' (' + _duration(now - started) + ')' if started else 'unknown'}",
          file=out)
    if runtime is None:
        print(f"  last heartbeat: {seen}", file=out)
    if db_path is not None:
        print(f"  database size: {database_size(db_path) / 1_048_576:.1f} MiB", file=out)


def render_status(conn: sqlite3.Connection, out: TextIO, now: datetime, *, guild_id: int | None = None,
                  runtime: Runtime | None = None, db_path: Path | None = None) -> None:
    """The report as of ``now``; only ``guild_id``'s rows when given (an organiser's /status)."""
    stamp = iso_utc(now)
    scope = "" if guild_id is None else f" for server {guild_id}"
    print(f"Peer Circles status{scope} at {stamp}", file=out)
    # Every per-server query below ends its WHERE with this filter (always true for the operator).
    only = "(? IS NULL OR guild_id = ?)"
    g = (guild_id, guild_id)
    if runtime is not None or db_path is not None or guild_id is not None:
        _render_bot(conn, out, now, runtime, db_path)

    print("\nSchedules by kind", file=out)
    rows = conn.execute(
        "SELECT kind,"
        " SUM(active = 1 AND next_fire_at IS NOT NULL),"
        " SUM(active = 0),"
        " SUM(active = 1 AND next_fire_at IS NULL),"
        " SUM(active = 1 AND next_fire_at IS NOT NULL AND next_fire_at <= ?),"
        " MIN(CASE WHEN active = 1 THEN next_fire_at END)"
        f" FROM schedules WHERE {only} GROUP BY kind ORDER BY kind",
        (stamp, *g),
    ).fetchall()
    _table(out, ("kind", "active", "paused", "ended", "due now", "next fire (UTC)"), rows, "no schedules")

    print("\nOutbox rows by state", file=out)
    counts = dict(conn.execute(f"SELECT state, COUNT(*) FROM outbox WHERE {only} GROUP BY state", g).fetchall())
    oldest = conn.execute(
        f"SELECT MIN(created_at) FROM outbox WHERE state IN ('pending', 'sending') AND {only}", g
    ).fetchone()[0]
    due = conn.execute(
        f"SELECT COUNT(*) FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? AND {only}", (stamp, *g)
    ).fetchone()[0]
    _table(out, ("state", "rows"), [(s, counts.get(s, 0)) for s in OUTBOX_STATES], "")
    print(f"  due now: {due}; oldest unsent: {oldest or '-'}", file=out)

    print("\nNext 10 fire times", file=out)
    rows = conn.execute(
        "SELECT next_fire_at, kind, id, guild_id FROM schedules WHERE active = 1 AND next_fire_at IS NOT NULL"
        f" AND {only} ORDER BY next_fire_at, id LIMIT 10", g
    ).fetchall()
    _table(out, ("fire at (UTC)", "kind", "schedule", "server"), rows, "nothing scheduled")

    print("\nFailed deliveries by reason", file=out)
    rows = conn.execute(
        "SELECT failure_reason, kind, COUNT(*), MAX(created_at)"
        f" FROM outbox WHERE state = 'failed' AND {only} GROUP BY failure_reason, kind ORDER BY COUNT(*) DESC", g
    ).fetchall()
    _table(out, ("reason", "kind", "rows", "newest queued at"), rows, "no failures")
    retrying = conn.execute(
        f"SELECT COUNT(*) FROM outbox WHERE state = 'pending' AND attempts > 0 AND {only}", g
    ).fetchone()[0]
    unreachable = conn.execute(f"SELECT COUNT(*) FROM dm_unreachable WHERE {only}", g).fetchone()[0]
    print(f"  waiting to retry: {retrying}; members unreachable by DM: {unreachable}", file=out)

    week = iso_utc(now - timedelta(days=7))
    print("\nOccurrences not sent on time, last 7 days", file=out)
    rows = conn.execute(
        f"SELECT kind, outcome, COUNT(*) FROM schedule_occurrences WHERE recorded_at >= ? AND {only}"
        " GROUP BY kind, outcome ORDER BY kind, outcome",
        (week, *g),
    ).fetchall()
    _table(out, ("kind", "outcome", "occurrences"), rows, "none")

    print("\nUnexpected errors by kind, last 24 hours (counts only)", file=out)
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'error_counts'").fetchone() is None:
        print("  not counted by this database version", file=out)
        return
    day = iso_utc(now - timedelta(hours=24))[:13]
    rows = conn.execute(
        f"SELECT kind, SUM(count) FROM error_counts WHERE hour >= ? AND {only} GROUP BY kind"
        " ORDER BY SUM(count) DESC, kind LIMIT 20",
        (day, *g),
    ).fetchall()
    _table(out, ("kind", "errors"), rows, "none")


async def print_status(config: Config, out: TextIO, now: datetime | None = None) -> int:
    """Print the status report as of ``now`` (default: the real time); 0 when the database could
    be read, 1 otherwise."""
    from bot.core.anonymity import placement_warning

    warning = placement_warning(config.anonymity_key_path, config.database_path)
    if warning is not None:  # the operator's setup, said before the figures
        print(f"Warning: {warning}\n", file=out)
    conn = _open_read_only(config)
    if conn is None:
        print(f"no database at {config.database_path} (the bot has not run with this config yet)", file=out)
        return 1
    try:
        try:
            render_status(conn, out, now or datetime.now(UTC), db_path=config.database_path)
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


def status_text(db_path: Path, now: datetime, *, guild_id: int | None, runtime: Runtime | None) -> str:
    """The report as text (blocking: the bot calls it in a thread), from a read-only connection."""

    out = io.StringIO()
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        conn.execute("PRAGMA busy_timeout=5000")
        render_status(conn, out, now, guild_id=guild_id, runtime=runtime, db_path=db_path)
    finally:
        conn.close()
    return out.getvalue()
