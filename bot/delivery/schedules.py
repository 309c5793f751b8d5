"""Schedule rows: the database is the source of truth for every timed job.

A schedule is (guild, kind, owner, rule, payload). ``owner_id`` is the id of what the schedule
belongs to (a goal, a check-in series, a case); ``payload`` is a small JSON object of ids and
options, never member text. ``next_fire_at`` always holds the next occurrence in UTC, so the
scheduler finds due work with one indexed range query however many schedules exist.

Every function takes the connection of an open transaction (``async with db.transaction() as
conn``) so a feature can create its own rows and their schedule atomically. After a commit that
created or moved a schedule, call ``Scheduler.notify(schedule)`` so an occurrence inside the
scheduler's window gets its wake-up (the scheduler's periodic sweep would otherwise find it, up
to 30 seconds late).

Every query a feature can call is scoped by guild id; the scheduler-facing queries (``due``,
``upcoming_instants``, ``next_fires``) span guilds on purpose.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from bot.core.clock import iso_utc, parse_iso_utc
from bot.core.db import Conn, Row, read_all, read_one
from bot.delivery.recurrence import Recurrence, RecurrenceError, parse_local_time

OCCURRENCE_OUTCOMES = ("missed", "late", "error")
# Due rows parsed between two yields to the event loop.
PARSE_CHUNK = 50


@dataclass(frozen=True)
class Schedule:
    id: int
    guild_id: int
    kind: str
    owner_id: int
    payload: dict[str, Any]
    rule: Recurrence
    active: bool
    next_fire_at: datetime | None
    last_fired_at: datetime | None
    last_key: str | None
    fired_count: int
    missed_count: int
    version: int

    def occurrence_key(self, instant: datetime) -> str:
        """Globally unique name of one occurrence: '<kind>:<schedule id>:<nominal local time>'.

        Handlers use it (or it plus a suffix) as the outbox idempotency key.
        """
        return f"{self.kind}:{self.id}:{self.rule.occurrence_key(instant)}"


_COLUMNS = (
    "id, guild_id, kind, owner_id, payload, frequency, timezone, local_time, weekdays, interval,"
    " start_date, until_date, at_utc, active, next_fire_at, last_fired_at, last_key, fired_count,"
    " missed_count, version"
)


def _weekday_bits(days: frozenset[int]) -> int:
    return sum(1 << d for d in days)


def rule_columns(rule: Recurrence) -> dict[str, Any]:
    """The columns of `schedules` that store ``rule`` (also used for bulk loads)."""
    return {
        "frequency": rule.frequency,
        "timezone": rule.timezone,
        "local_time": None if rule.local_time is None else rule.local_time.strftime("%H:%M"),
        "weekdays": _weekday_bits(rule.weekdays),
        "interval": rule.interval,
        "start_date": None if rule.start is None else rule.start.isoformat(),
        "until_date": None if rule.until is None else rule.until.isoformat(),
        "at_utc": None if rule.at is None else iso_utc(rule.at),
    }


def rule_from_row(row: Row | dict[str, Any]) -> Recurrence:
    if row["frequency"] == "once":
        return Recurrence.once(parse_iso_utc(row["at_utc"]))
    return Recurrence(
        row["frequency"],
        row["timezone"],
        parse_local_time(row["local_time"]),
        frozenset(d for d in range(7) if row["weekdays"] >> d & 1),
        row["interval"],
        date.fromisoformat(row["start_date"]),
        None if row["until_date"] is None else date.fromisoformat(row["until_date"]),
    )


def _parse_optional(text: str | None) -> datetime | None:
    return None if text is None else parse_iso_utc(text)


def schedule_from_row(row: Row) -> Schedule:
    return Schedule(
        id=row["id"],
        guild_id=row["guild_id"],
        kind=row["kind"],
        owner_id=row["owner_id"],
        payload=json.loads(row["payload"]),
        rule=rule_from_row(row),
        active=bool(row["active"]),
        next_fire_at=_parse_optional(row["next_fire_at"]),
        last_fired_at=_parse_optional(row["last_fired_at"]),
        last_key=row["last_key"],
        fired_count=row["fired_count"],
        missed_count=row["missed_count"],
        version=row["version"],
    )


def first_fire(rule: Recurrence, now: datetime) -> datetime | None:
    """The first occurrence at or after ``now`` (a one-off keeps its instant even if past, so the
    kind's missed policy decides what happens to it)."""
    if rule.frequency == "once":
        return rule.at
    return rule.next_after(now.replace(microsecond=0) - timedelta(seconds=1))


def _payload_json(payload: dict[str, Any] | None) -> str:
    if payload is None:
        return "{}"
    if not isinstance(payload, dict):
        raise RecurrenceError("a schedule's payload must be a JSON object of ids and options")
    try:
        return json.dumps(payload, separators=(",", ":"), sort_keys=True)
    except (TypeError, ValueError):
        raise RecurrenceError("a schedule's payload must be plain JSON (numbers, text, lists, objects)") from None


def _check_names(guild_id: int, kind: str, owner_id: int) -> None:
    if not isinstance(guild_id, int) or guild_id <= 0:
        raise RecurrenceError("a schedule needs a server id")
    if not kind or not kind.replace("_", "").isalnum():
        raise RecurrenceError("a schedule kind is a name such as goal_ping")
    if not isinstance(owner_id, int):
        raise RecurrenceError("a schedule's owner is an id")


async def create(
    conn: Conn,
    now: datetime,
    *,
    guild_id: int,
    kind: str,
    owner_id: int,
    rule: Recurrence,
    payload: dict[str, Any] | None = None,
    created_at: datetime | None = None,
) -> Schedule:
    """Insert a schedule; its next_fire_at is the first occurrence at or after ``now``.
    ``created_at``: the time recorded for the row (anonymous features pass a rounded one)."""
    _check_names(guild_id, kind, owner_id)
    columns = rule_columns(rule)
    next_fire = first_fire(rule, now)
    stamp = iso_utc(created_at or now)
    cursor = await conn.execute(
        "INSERT INTO schedules (guild_id, kind, owner_id, payload, frequency, timezone, local_time,"
        " weekdays, interval, start_date, until_date, at_utc, next_fire_at, created_at, updated_at)"
        " VALUES (:guild_id, :kind, :owner_id, :payload, :frequency, :timezone, :local_time, :weekdays,"
        " :interval, :start_date, :until_date, :at_utc, :next_fire_at, :now, :now)",
        {
            **columns,
            "guild_id": guild_id,
            "kind": kind,
            "owner_id": owner_id,
            "payload": _payload_json(payload),
            "next_fire_at": None if next_fire is None else iso_utc(next_fire),
            "now": stamp,
        },
    )
    schedule = await get(conn, guild_id, cursor.lastrowid or 0)
    assert schedule is not None
    return schedule


async def get(conn: Conn, guild_id: int, schedule_id: int) -> Schedule | None:
    row = await read_one(
        conn, f"SELECT {_COLUMNS} FROM schedules WHERE id = ? AND guild_id = ?", (schedule_id, guild_id)
    )
    return None if row is None else schedule_from_row(row)


async def list_schedules(
    conn: Conn, guild_id: int, *, kind: str | None = None, owner_id: int | None = None
) -> list[Schedule]:
    sql = f"SELECT {_COLUMNS} FROM schedules WHERE guild_id = ?"
    params: list[Any] = [guild_id]
    if kind is not None:
        sql += " AND kind = ?"
        params.append(kind)
    if owner_id is not None:
        sql += " AND owner_id = ?"
        params.append(owner_id)
    async with conn.execute(sql + " ORDER BY id", params) as cursor:
        return [schedule_from_row(row) for row in await cursor.fetchall()]


async def update(
    conn: Conn,
    now: datetime,
    guild_id: int,
    schedule_id: int,
    *,
    rule: Recurrence | None = None,
    payload: dict[str, Any] | None = None,
) -> Schedule | None:
    """Change a schedule's rule and/or payload. A new rule restarts from ``now``: nothing missed
    in between is caught up. Returns None when no such schedule exists in this server."""
    current = await get(conn, guild_id, schedule_id)
    if current is None:
        return None
    new_rule = rule or current.rule
    values: dict[str, Any] = {
        **rule_columns(new_rule),
        "payload": _payload_json(payload if payload is not None else current.payload),
        "id": schedule_id,
        "guild_id": guild_id,
        "now": iso_utc(now),
    }
    if rule is not None:
        next_fire = first_fire(rule, now)
        values["next_fire_at"] = None if next_fire is None else iso_utc(next_fire)
    else:
        values["next_fire_at"] = None if current.next_fire_at is None else iso_utc(current.next_fire_at)
    await conn.execute(
        "UPDATE schedules SET payload = :payload, frequency = :frequency, timezone = :timezone,"
        " local_time = :local_time, weekdays = :weekdays, interval = :interval, start_date = :start_date,"
        " until_date = :until_date, at_utc = :at_utc, next_fire_at = :next_fire_at,"
        " version = version + 1, updated_at = :now WHERE id = :id AND guild_id = :guild_id",
        values,
    )
    return await get(conn, guild_id, schedule_id)


async def set_active(
    conn: Conn, now: datetime, guild_id: int, schedule_id: int, active: bool
) -> Schedule | None:
    """Pause or resume. Resuming restarts from ``now``, so a pause never ends in a burst."""
    current = await get(conn, guild_id, schedule_id)
    if current is None:
        return None
    next_fire = current.next_fire_at
    if active and not current.active:
        next_fire = first_fire(current.rule, now)
        if current.rule.frequency == "once" and next_fire is not None and next_fire < now:
            next_fire = None  # a one-off that fell inside the pause is over
    await conn.execute(
        "UPDATE schedules SET active = ?, next_fire_at = ?, version = version + 1, updated_at = ?"
        " WHERE id = ? AND guild_id = ?",
        (int(active), None if next_fire is None else iso_utc(next_fire), iso_utc(now), schedule_id, guild_id),
    )
    return await get(conn, guild_id, schedule_id)


async def delete(conn: Conn, guild_id: int, schedule_id: int) -> bool:
    cursor = await conn.execute("DELETE FROM schedules WHERE id = ? AND guild_id = ?", (schedule_id, guild_id))
    await conn.execute(
        "DELETE FROM schedule_occurrences WHERE schedule_id = ? AND guild_id = ?", (schedule_id, guild_id)
    )
    return cursor.rowcount > 0


async def delete_for_owner(conn: Conn, guild_id: int, kind: str, owner_id: int) -> int:
    """Remove every schedule of one owner (e.g. a deleted goal). Returns how many went."""
    await conn.execute(
        "DELETE FROM schedule_occurrences WHERE guild_id = ? AND schedule_id IN"
        " (SELECT id FROM schedules WHERE guild_id = ? AND kind = ? AND owner_id = ?)",
        (guild_id, guild_id, kind, owner_id),
    )
    cursor = await conn.execute(
        "DELETE FROM schedules WHERE guild_id = ? AND kind = ? AND owner_id = ?", (guild_id, kind, owner_id)
    )
    return cursor.rowcount


# -- scheduler-facing ----------------------------------------------------------------------------


async def due(conn: Conn, now: datetime, kinds: list[str], limit: int, *, skip_locked: str = "") -> list[Schedule]:
    """Active schedules of ``kinds`` whose next occurrence is at or before ``now``, earliest first.

    ``skip_locked`` is ``Database.skip_locked``: with several processes on PostgreSQL, schedules
    another process's batch holds are skipped, so no occurrence's handler runs in two processes
    (its outbox row would be deduplicated by key, but anything else it writes would not)."""
    if not kinds:
        return []
    marks = ",".join("?" * len(kinds))
    async with conn.execute(
        f"SELECT {_COLUMNS} FROM schedules WHERE active = 1 AND next_fire_at IS NOT NULL"
        f" AND next_fire_at <= ? AND kind IN ({marks}) ORDER BY next_fire_at, id LIMIT ?" + skip_locked,
        (iso_utc(now), *kinds, limit),
    ) as cursor:
        rows = list(await cursor.fetchall())
    found: list[Schedule] = []
    for start in range(0, len(rows), PARSE_CHUNK):
        if start:
            await asyncio.sleep(0)  # parsing is ~25 us a row: keep each step on the loop short
        found += [schedule_from_row(row) for row in rows[start:start + PARSE_CHUNK]]
    return found


async def any_due(conn: Conn, now: datetime, kinds: list[str]) -> bool:
    """Whether ``due`` would return anything (a read, no transaction)."""
    if not kinds:
        return False
    marks = ",".join("?" * len(kinds))
    return await read_one(
        conn, f"SELECT 1 FROM schedules WHERE active = 1 AND next_fire_at IS NOT NULL"
        f" AND next_fire_at <= ? AND kind IN ({marks}) LIMIT 1",
        (iso_utc(now), *kinds),
    ) is not None


async def upcoming_instants(
    conn: Conn, after: datetime, until: datetime, limit: int
) -> list[datetime]:
    """Distinct next fire instants in (after, until]: one scheduler wake-up each."""
    rows = await read_all(
        conn, "SELECT DISTINCT next_fire_at FROM schedules WHERE active = 1 AND next_fire_at IS NOT NULL"
        " AND next_fire_at > ? AND next_fire_at <= ? ORDER BY next_fire_at LIMIT ?",
        (iso_utc(after), iso_utc(until), limit),
    )
    return [parse_iso_utc(row[0]) for row in rows]


async def next_fires(conn: Conn, limit: int) -> list[tuple[datetime, str, int, int]]:
    """The next ``limit`` fires across all servers: (instant, kind, schedule id, guild id)."""
    async with conn.execute(
        "SELECT next_fire_at, kind, id, guild_id FROM schedules WHERE active = 1"
        " AND next_fire_at IS NOT NULL ORDER BY next_fire_at, id LIMIT ?",
        (limit,),
    ) as cursor:
        return [(parse_iso_utc(r[0]), r[1], r[2], r[3]) for r in await cursor.fetchall()]


@dataclass(frozen=True)
class Advance:
    """Move ``schedule`` past the occurrences just handled."""

    schedule: Schedule
    handled_at: datetime | None
    handled_key: str | None
    next_fire: datetime | None
    fired: int
    missed: int


@dataclass(frozen=True)
class OccurrenceRecord:
    """One occurrence that did not fire normally: 'missed', 'late' or 'error'."""

    schedule: Schedule
    key: str
    scheduled_at: datetime
    outcome: str

    def __post_init__(self) -> None:
        if self.outcome not in OCCURRENCE_OUTCOMES:
            raise ValueError(f"unknown occurrence outcome {self.outcome!r}")


async def advance(conn: Conn, now: datetime, moves: list[Advance]) -> int:
    """Apply ``moves`` in one statement. A schedule changed since it was read (other version or
    next_fire_at, or deleted) is left alone: whoever changed it wins. Returns rows moved."""
    if not moves:
        return 0
    stamp = iso_utc(now)
    cursor = await conn.executemany(
        "UPDATE schedules SET next_fire_at = ?,"
        " last_fired_at = COALESCE(?, last_fired_at), last_key = COALESCE(?, last_key),"
        " fired_count = fired_count + ?, missed_count = missed_count + ?, updated_at = ?"
        " WHERE id = ? AND version = ? AND next_fire_at = ?",
        [
            (
                None if m.next_fire is None else iso_utc(m.next_fire),
                None if m.handled_at is None else iso_utc(m.handled_at),
                m.handled_key,
                m.fired,
                m.missed,
                stamp,
                m.schedule.id,
                m.schedule.version,
                None if m.schedule.next_fire_at is None else iso_utc(m.schedule.next_fire_at),
            )
            for m in moves
        ],
    )
    return cursor.rowcount


async def record_occurrences(conn: Conn, now: datetime, records: list[OccurrenceRecord]) -> None:
    """Log occurrences that did not fire normally (recording one twice keeps the last)."""
    if not records:
        return
    stamp = iso_utc(now)
    await conn.executemany(
        "INSERT INTO schedule_occurrences"
        " (schedule_id, occurrence_key, guild_id, kind, scheduled_at, outcome, recorded_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (schedule_id, occurrence_key) DO UPDATE SET guild_id = excluded.guild_id,"
        " kind = excluded.kind, scheduled_at = excluded.scheduled_at, outcome = excluded.outcome,"
        " recorded_at = excluded.recorded_at",
        [
            (r.schedule.id, r.key, r.schedule.guild_id, r.schedule.kind, iso_utc(r.scheduled_at), r.outcome, stamp)
            for r in records
        ],
    )


async def occurrences(conn: Conn, guild_id: int, schedule_id: int) -> list[tuple[str, str, str]]:
    """Logged occurrences of one schedule: (occurrence key, scheduled_at ISO, outcome), oldest first."""
    async with conn.execute(
        "SELECT occurrence_key, scheduled_at, outcome FROM schedule_occurrences"
        " WHERE guild_id = ? AND schedule_id = ? ORDER BY scheduled_at",
        (guild_id, schedule_id),
    ) as cursor:
        return [(r[0], r[1], r[2]) for r in await cursor.fetchall()]


async def prune_occurrences(conn: Conn, before: datetime) -> int:
    cursor = await conn.execute("DELETE FROM schedule_occurrences WHERE recorded_at < ?", (iso_utc(before),))
    return cursor.rowcount
