"""`python -m bot status` and `/status`: the bot, schedules, outbox, failures and errors at a glance.

One report builder for both: the operator's command line sees every server; an organiser's
/status passes ``guild_id`` and sees only their server's rows (the bot-wide figures, latency,
uptime and database size, are the same for everyone). Prints counts, ids, kinds, states, reasons
and times only: never message content or payloads. Reads the database without changing it, so it
is safe while the bot runs.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TextIO

from bot.core.clock import iso_utc, parse_iso_utc
from bot.core.config import Config
from bot.core.db import Conn, Database, read_all, read_one, table_names

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


async def _meta(conn: Conn, key: str) -> str | None:
    row = await read_one(conn, "SELECT value FROM bot_meta WHERE key = ?", (key,))
    return None if row is None else str(row[0])


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    return f"{days}d {hours}h {minutes}m" if days else f"{hours}h {minutes}m"


async def _render_bot(conn: Conn, out: TextIO, now: datetime, runtime: Runtime | None,
                      size_bytes: int | None) -> None:
    print("\nBot", file=out)
    if runtime is not None:
        latency = None if runtime.latency_ms is None else f"{runtime.latency_ms:.0f} ms"
        started = runtime.started_at
        seen = "now"
    else:  # the command line: what the running bot last wrote
        latency_text = await _meta(conn, META_LATENCY)
        latency = f"{float(latency_text):.0f} ms" if latency_text else None
        started_text = await _meta(conn, META_STARTED)
        started = parse_iso_utc(started_text) if started_text else None
        heartbeat = await _meta(conn, META_HEARTBEAT)
        seen = heartbeat or "never"
    print(f"  gateway latency: {latency or 'unknown'}", file=out)
    print(f"  up since: {iso_utc(started) + ' (' + _duration(now - started) + ')' if started else 'unknown'}",
          file=out)
    if runtime is None:
        print(f"  last heartbeat: {seen}", file=out)
    if size_bytes is not None:
        print(f"  database size: {size_bytes / 1_048_576:.1f} MiB", file=out)


async def render_status(conn: Conn, out: TextIO, now: datetime, *, guild_id: int | None = None,
                        runtime: Runtime | None = None, size_bytes: int | None = None) -> None:
    """The report as of ``now``; only ``guild_id``'s rows when given (an organiser's /status).
    ``conn`` is one consistent view (``Database.snapshot()``)."""
    stamp = iso_utc(now)
    scope = "" if guild_id is None else f" for server {guild_id}"
    print(f"Peer Circles status{scope} at {stamp}", file=out)
    # Every per-server query below ends its WHERE with this filter (always true for the operator:
    # the second value is 1 then; typed parameters, so PostgreSQL accepts it as SQLite does).
    only = "(guild_id = ? OR ? = 1)"
    g = (guild_id or 0, 1 if guild_id is None else 0)
    if runtime is not None or size_bytes is not None or guild_id is not None:
        await _render_bot(conn, out, now, runtime, size_bytes)

    print("\nSchedules by kind", file=out)
    rows = await _rows(conn,
        "SELECT kind,"
        " SUM(CASE WHEN active = 1 AND next_fire_at IS NOT NULL THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN active = 0 THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN active = 1 AND next_fire_at IS NULL THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN active = 1 AND next_fire_at IS NOT NULL AND next_fire_at <= ? THEN 1 ELSE 0 END),"
        " MIN(CASE WHEN active = 1 THEN next_fire_at END)"
        f" FROM schedules WHERE {only} GROUP BY kind ORDER BY kind",
        (stamp, *g),
    )
    _table(out, ("kind", "active", "paused", "ended", "due now", "next fire (UTC)"), rows, "no schedules")

    print("\nOutbox rows by state", file=out)
    by_state = await _rows(conn, f"SELECT state, COUNT(*) FROM outbox WHERE {only} GROUP BY state", g)
    counts = {str(state): count for state, count in by_state}
    oldest = await _value(
        conn, f"SELECT MIN(created_at) FROM outbox WHERE state IN ('pending', 'sending') AND {only}", g)
    due = await _value(
        conn, f"SELECT COUNT(*) FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? AND {only}", (stamp, *g))
    _table(out, ("state", "rows"), [(s, counts.get(s, 0)) for s in OUTBOX_STATES], "")
    print(f"  due now: {due}; oldest unsent: {oldest or '-'}", file=out)

    print("\nNext 10 fire times", file=out)
    rows = await _rows(conn,
        "SELECT next_fire_at, kind, id, guild_id FROM schedules WHERE active = 1 AND next_fire_at IS NOT NULL"
        f" AND {only} ORDER BY next_fire_at, id LIMIT 10", g)
    _table(out, ("fire at (UTC)", "kind", "schedule", "server"), rows, "nothing scheduled")

    print("\nFailed deliveries by reason", file=out)
    rows = await _rows(conn,
        "SELECT failure_reason, kind, COUNT(*), MAX(created_at)"
        f" FROM outbox WHERE state = 'failed' AND {only} GROUP BY failure_reason, kind"
        " ORDER BY COUNT(*) DESC, failure_reason, kind", g)
    _table(out, ("reason", "kind", "rows", "newest queued at"), rows, "no failures")
    retrying = await _value(conn, f"SELECT COUNT(*) FROM outbox WHERE state = 'pending' AND attempts > 0 AND {only}", g)
    unreachable = await _value(conn, f"SELECT COUNT(*) FROM dm_unreachable WHERE {only}", g)
    print(f"  waiting to retry: {retrying}; members unreachable by DM: {unreachable}", file=out)

    week = iso_utc(now - timedelta(days=7))
    print("\nOccurrences not sent on time, last 7 days", file=out)
    rows = await _rows(conn,
        f"SELECT kind, outcome, COUNT(*) FROM schedule_occurrences WHERE recorded_at >= ? AND {only}"
        " GROUP BY kind, outcome ORDER BY kind, outcome",
        (week, *g),
    )
    _table(out, ("kind", "outcome", "occurrences"), rows, "none")

    print("\nUnexpected errors by kind, last 24 hours (counts only)", file=out)
    if "error_counts" not in await table_names(conn):
        print("  not counted by this database version", file=out)
        return
    day = iso_utc(now - timedelta(hours=24))[:13]
    rows = await _rows(conn,
        f"SELECT kind, SUM(count) FROM error_counts WHERE hour >= ? AND {only} GROUP BY kind"
        " ORDER BY SUM(count) DESC, kind LIMIT 20",
        (day, *g),
    )
    _table(out, ("kind", "errors"), rows, "none")


async def _rows(conn: Conn, sql: str, params: tuple[object, ...]) -> list[tuple[object, ...]]:
    return [tuple(row) for row in await read_all(conn, sql, params)]


async def _value(conn: Conn, sql: str, params: tuple[object, ...]) -> object:
    row = await read_one(conn, sql, params)
    return None if row is None else row[0]


async def status_text(db: Database, now: datetime, *, guild_id: int | None, runtime: Runtime | None) -> str:
    """The report as text, read in one consistent view of the database."""
    out = io.StringIO()
    async with db.snapshot() as conn:
        await render_status(conn, out, now, guild_id=guild_id, runtime=runtime, size_bytes=await db.size_bytes())
    return out.getvalue()


async def print_status(config: Config, out: TextIO, now: datetime | None = None) -> int:
    """Print the status report as of ``now`` (default: the real time); 0 when the database could
    be read, 1 otherwise. Changes nothing (a missing SQLite file is not created)."""
    from bot.core.anonymity import placement_warning

    warning = placement_warning(config.anonymity_key_path, config.database_path)
    if warning is not None:  # the operator's setup, said before the figures
        print(f"Warning: {warning}\n", file=out)
    db = Database(config.database_url)
    if not db.exists():
        print(f"no database at {config.database_path} (the bot has not run with this config yet)", file=out)
        return 1
    async with db:
        if "schedules" not in await table_names(db.reader):
            print(f"the database at {config.database_shown} is not migrated yet: run `python -m bot migrate`",
                  file=out)
            return 1
        out.write(await status_text(db, now or datetime.now(UTC), guild_id=None, runtime=None))
    return 0
