"""The daily clean-up: delivery records and one-off schedules that have served their purpose go.

The scheduler runs ``prune_all`` once a day (``Scheduler._prune``, on the injected clock, beside
the pruning of logged occurrences). Each rule has a documented period (docs/delivery.md,
docs/privacy.md):

- **Outbox rows** sent or failed more than ``OUTBOX_KEEP`` ago: their text was cleared at sending;
  what is left (key, kind, target, times) would otherwise keep, for example, a record of each
  crisis card sent, to the second. Kinds a capability still reads after sending (a post it edits
  or deletes later: a case's queue card, a named strategy's post) are declared with
  ``keep_sent_kind`` and stay until their owner goes (each package's own rule deletes them then:
  ``prune_case_posts``, ``prune_gone_stories``, a strategy's deletion).
- **Spent one-off schedules** (``frequency = 'once'`` with no next fire time: fired, or skipped
  while paused) more than ``SPENT_KEEP`` after their last change, with their occurrences.
- Rules of other packages (``register_prune``): e.g. cases' screened message ids, kept a day.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.core.clock import iso_utc
from bot.core.db import Conn

log = logging.getLogger(__name__)

OUTBOX_KEEP = timedelta(days=30)
SPENT_KEEP = timedelta(days=1)

Prune = Callable[[Conn, datetime], Awaitable[int]]

_KEPT_KINDS: set[str] = set()
_PRUNES: dict[str, Prune] = {}


def keep_sent_kind(kind: str) -> None:
    """Keep sent outbox rows of ``kind`` past ``OUTBOX_KEEP``: the bot reads their message ids later."""
    _KEPT_KINDS.add(kind)


def kept_kinds() -> list[str]:
    return sorted(_KEPT_KINDS)


def register_prune(name: str, prune: Prune) -> None:
    """Add a daily rule: ``prune(conn, now)`` deletes what has expired and returns how many rows."""
    _PRUNES[name] = prune


async def prune_outbox(conn: Conn, now: datetime) -> int:
    kept = kept_kinds()
    marks = ", ".join("?" for _ in kept) or "''"
    cursor = await conn.execute(
        "DELETE FROM outbox WHERE state IN ('sent', 'failed') AND COALESCE(sent_at, created_at) < ?"
        f" AND kind NOT IN ({marks})", (iso_utc(now - OUTBOX_KEEP), *kept))
    return cursor.rowcount


async def prune_spent_schedules(conn: Conn, now: datetime) -> int:
    spent = ("SELECT id FROM schedules WHERE frequency = 'once' AND next_fire_at IS NULL AND updated_at < ?")
    cutoff = iso_utc(now - SPENT_KEEP)
    await conn.execute(f"DELETE FROM schedule_occurrences WHERE schedule_id IN ({spent})", (cutoff,))
    cursor = await conn.execute(f"DELETE FROM schedules WHERE id IN ({spent})", (cutoff,))
    return cursor.rowcount


register_prune("outbox", prune_outbox)
register_prune("spent_schedules", prune_spent_schedules)


async def prune_all(conn: Conn, now: datetime) -> dict[str, int]:
    """Every rule, in the caller's transaction; rows deleted by rule (counts only in the log)."""
    deleted: dict[str, int] = {}
    for name in sorted(_PRUNES):
        count = await _PRUNES[name](conn, now)
        if count:
            deleted[name] = count
    if deleted:
        log.info("daily clean-up deleted=%s", sorted(deleted.items()))
    return deleted
