"""Cases in the moderators' queue: opening one (from any capability), reading, and its event log.

A case has two numbers: ``id``, the global key (foreign keys, button custom_ids, outbox keys), and
``number``, 1, 2, 3... within its server: the one moderators and members see ("Case #3") and the
one commands take (``/case show id:3`` is ``get_case_by_number``).

``open_case`` is the one door every capability uses to reach the moderators (a crisis in chat, a
story or a goal note; a report; a request for help). It runs in the caller's transaction, so a
case exists exactly when the change that raised it was committed, and it records the 'opened'
event. A case with a ``dedupe_key`` is opened once: a second call returns the first case's id.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from bot.core.clock import Clock, iso_utc
from bot.core.db import Conn, Database, Row

if TYPE_CHECKING:
    from bot.delivery.outbox import Outbox

Kind = Literal["report", "help", "crisis", "concern", "slur", "review"]
Urgency = Literal["normal", "urgent"]
Status = Literal["open", "claimed", "resolved"]
KINDS: tuple[str, ...] = ("report", "help", "crisis", "concern", "slur", "review")


@dataclass(frozen=True)
class Case:
    id: int
    guild_id: int
    kind: str
    urgency: str
    status: str
    source: str
    subject_user_id: int | None
    opened_by: int | None
    summary: str
    snapshot: dict[str, Any]
    claimed_by: int | None
    outcome: str | None
    queue_message_id: int | None
    thread_id: int | None
    created_at: str
    updated_at: str
    resolved_at: str | None
    number: int  # per server: what people see and type (``id`` is the internal key)


@dataclass(frozen=True)
class Opened:
    case_id: int
    new: bool  # False: the dedupe key matched an existing case


_COLUMNS = (
    "id, guild_id, kind, urgency, status, source, subject_user_id, opened_by, summary, snapshot, claimed_by,"
    " outcome, queue_message_id, thread_id, created_at, updated_at, resolved_at, number"
)


def snapshot_of(text: str | None) -> dict[str, Any]:
    """A case's ``snapshot`` column (JSON text) as a dict; read in Python, not with an engine's
    JSON functions in SQL."""
    return json.loads(text or "{}") or {}


def _case(row: Row | tuple[Any, ...]) -> Case:
    values = list(row)
    values[9] = snapshot_of(values[9])
    return Case(*values)


async def open_case(
    conn: Conn,
    clock: Clock,
    *,
    guild_id: int,
    kind: Kind,
    urgency: Urgency,
    source: str,
    subject_user_id: int | None = None,
    opened_by: int | None = None,
    summary: str = "",
    snapshot: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
    outbox: Outbox | None = None,
) -> Opened:
    """Open a case in the caller's transaction (see the module's docstring).

    Every new case is announced in the moderators' queue channel and gets its escalation ladder
    (bot.cases.queue.announce_case): at once through ``outbox`` when given, else by a wake-up the
    scheduler runs within seconds.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown case kind {kind!r}")
    if urgency not in ("normal", "urgent"):
        raise ValueError(f"unknown urgency {urgency!r}")
    if dedupe_key is not None:
        async with conn.execute(
            "SELECT id FROM cases WHERE guild_id = ? AND dedupe_key = ?", (guild_id, dedupe_key)
        ) as cursor:
            found = await cursor.fetchone()
        if found is not None:
            return Opened(int(found[0]), new=False)
    now = iso_utc(clock.now())
    # The server's next case number, read and used in this write transaction: SQLite's write lock
    # makes it safe. On PostgreSQL two transactions could read the same MAX; the unique index on
    # (guild_id, number) refuses the second insert, and the caller's transaction must be retried.
    async with conn.execute(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM cases WHERE guild_id = ?", (guild_id,)
    ) as cursor:
        next_number = await cursor.fetchone()
    number = int(next_number[0]) if next_number is not None else 1
    cursor = await conn.execute(
        "INSERT INTO cases (guild_id, number, kind, urgency, source, subject_user_id, opened_by, summary, snapshot,"
        " dedupe_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (guild_id, number, kind, urgency, source, subject_user_id, opened_by, summary, json.dumps(snapshot or {}),
         dedupe_key, now, now),
    )
    case_id = int(cursor.lastrowid or 0)
    await add_event(conn, clock, guild_id=guild_id, case_id=case_id, actor_id=opened_by, event="opened")
    from bot.cases.queue import announce_case  # the queue renders cases: imported here, not at the top

    await announce_case(conn, clock, outbox, guild_id=guild_id, case_id=case_id)
    return Opened(case_id, new=True)


async def add_event(
    conn: Conn, clock: Clock, *, guild_id: int, case_id: int, actor_id: int | None, event: str,
    detail: str = "",
) -> None:
    await conn.execute(
        "INSERT INTO case_events (guild_id, case_id, actor_id, event, detail, at) VALUES (?, ?, ?, ?, ?, ?)",
        (guild_id, case_id, actor_id, event, detail, iso_utc(clock.now())),
    )


async def get_case(db: Database, guild_id: int, case_id: int) -> Case | None:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM cases WHERE guild_id = ? AND id = ?", (guild_id, case_id))
    return _case(row) if row is not None else None


async def read_case(conn: Conn, guild_id: int, case_id: int) -> Case | None:
    """``get_case`` on a connection (inside a transaction)."""
    async with conn.execute(f"SELECT {_COLUMNS} FROM cases WHERE guild_id = ? AND id = ?", (guild_id, case_id)) as cur:
        row = await cur.fetchone()
    return _case(row) if row is not None else None


async def get_case_by_number(db: Database, guild_id: int, number: int) -> Case | None:
    """The case moderators call "Case #<number>" in this server (what commands take)."""
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM cases WHERE guild_id = ? AND number = ?", (guild_id, number))
    return _case(row) if row is not None else None


async def case_number(conn: Conn, guild_id: int, case_id: int) -> int | None:
    """The per-server number of the case with internal ``case_id`` (on a connection, in a transaction)."""
    async with conn.execute("SELECT number FROM cases WHERE guild_id = ? AND id = ?", (guild_id, case_id)) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row is not None and row[0] is not None else None


async def find_by_dedupe_key(db: Database, guild_id: int, dedupe_key: str) -> Case | None:
    row = await db.fetchone(
        f"SELECT {_COLUMNS} FROM cases WHERE guild_id = ? AND dedupe_key = ?", (guild_id, dedupe_key)
    )
    return _case(row) if row is not None else None


async def list_cases(
    db: Database, guild_id: int, *, status: str | None = None, kind: str | None = None, limit: int = 200,
) -> list[Case]:
    """This server's cases, urgent and oldest first among the open ones; resolved ones newest first."""
    sql = f"SELECT {_COLUMNS} FROM cases WHERE guild_id = ?"
    params: list[Any] = [guild_id]
    if status is not None:
        sql += " AND status = ?"
        params.append(status)
    else:
        sql += " AND status != 'resolved'"
    if kind is not None:
        sql += " AND kind = ?"
        params.append(kind)
    sql += (" ORDER BY CASE status WHEN 'resolved' THEN 1 ELSE 0 END, CASE urgency WHEN 'urgent' THEN 0 ELSE 1 END,"
            " CASE status WHEN 'resolved' THEN -id ELSE id END LIMIT ?")
    params.append(limit)
    return [_case(r) for r in await db.fetchall(sql, params)]


@dataclass(frozen=True)
class CaseEvent:
    actor_id: int | None
    event: str
    detail: str
    at: str


async def case_events(db: Database, guild_id: int, case_id: int) -> list[CaseEvent]:
    rows = await db.fetchall(
        "SELECT actor_id, event, detail, at FROM case_events WHERE guild_id = ? AND case_id = ? ORDER BY id",
        (guild_id, case_id),
    )
    return [CaseEvent(r["actor_id"], r["event"], r["detail"], r["at"]) for r in rows]
