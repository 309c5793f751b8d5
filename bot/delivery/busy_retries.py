"""Gateway-event writes that found the database busy, tried again until they are done.

A member's command that meets a locked database is answered "try again" and the member does
(``bot.core.db.answer_soon``). A gateway event has nobody to ask: a member left, the bot joined a
server. Its write waits SQLite's busy timeout like other background writers, and if the lock is
still held then (a long backup, another process's long transaction) the event would be dropped,
and with it work the privacy promises depend on ("kept until you leave the server"). So listeners
run their write through ``BusyRetries.run``: done at once when it can be; when the database is busy,
tried again after 5 s, 10 s, 20 s ... (at most 5 minutes apart) on the bot's ``Clock`` until it
goes through. Each write is idempotent (a delete, an upsert, a refresh), so running it late is
running it once.

A later event with the same ``key`` (the same member leaving or joining again, the same server)
replaces a write still waiting: only the newest state of the world is written. On a graceful stop
each waiting write is tried once more; one that still finds the database busy is logged (kind and
server id) as not done.

Logs carry the event kind and server id only: never a member id (a key holds one, and is never
logged), so a line cannot place a member in a circle.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.clock import Clock
from bot.core.db import is_busy

log = logging.getLogger(__name__)

FIRST_DELAY_SECONDS = 5.0
MAX_DELAY_SECONDS = 300.0

Work = Callable[[], Awaitable[object]]


def retry_delay(attempt: int) -> float:
    """Seconds before try ``attempt + 1``, after ``attempt`` tries found the database busy."""
    return min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2 ** (attempt - 1))


@dataclass
class _Waiting:
    kind: str
    guild_id: int
    work: Work
    task: asyncio.Task[None]


class BusyRetries:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._waiting: dict[Hashable, _Waiting] = {}

    def waiting(self) -> list[str]:
        """The kinds of the writes waiting for the database, oldest first (for tests and status)."""
        return [w.kind for w in self._waiting.values()]

    async def run(self, key: Hashable, kind: str, guild_id: int, work: Work) -> bool:
        """Run ``work`` (one transaction) now; True when done. When the database is busy, False
        and ``work`` is tried again later until done. Any other error is raised as before."""
        self._drop(key)
        try:
            await work()
        except Exception as exc:
            if not is_busy(exc):
                raise
        else:
            return True
        log.warning("database busy: %s waits guild_id=%s retry_in=%.0fs", kind, guild_id, retry_delay(1))
        due = self.clock.now() + timedelta(seconds=retry_delay(1))
        task = asyncio.create_task(self._again(key, kind, guild_id, work, due), name=f"busy-retry:{kind}")
        self._waiting[key] = _Waiting(kind, guild_id, work, task)
        return False

    def _drop(self, key: Hashable) -> None:
        waiting = self._waiting.pop(key, None)
        if waiting is not None:
            waiting.task.cancel()
            log.info("database busy: %s superseded by a newer event guild_id=%s", waiting.kind, waiting.guild_id)

    async def _again(self, key: Hashable, kind: str, guild_id: int, work: Work, due: datetime) -> None:
        attempt = 1
        try:
            while True:
                await self.clock.sleep_until(due)
                attempt += 1
                try:
                    await work()
                except Exception as exc:
                    if not is_busy(exc):
                        log.error("%s failed after waiting for the database guild_id=%s error=%s",
                                  kind, guild_id, type(exc).__name__)
                        return
                    log.warning("database busy: %s still waits guild_id=%s attempts=%d retry_in=%.0fs",
                                kind, guild_id, attempt, retry_delay(attempt))
                    due = self.clock.now() + timedelta(seconds=retry_delay(attempt))
                    continue
                log.info("%s done after the database was busy guild_id=%s attempts=%d", kind, guild_id, attempt)
                return
        finally:
            current = self._waiting.get(key)
            if current is not None and current.task is asyncio.current_task():
                del self._waiting[key]

    async def stop(self) -> None:
        """On a graceful stop: each waiting write is tried once more (the database is still open)."""
        waiting, self._waiting = list(self._waiting.values()), {}
        for entry in waiting:
            entry.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await entry.task
        for entry in waiting:
            try:
                await entry.work()
            except Exception as exc:
                log.error("%s not done at stop guild_id=%s error=%s", entry.kind, entry.guild_id,
                          "database busy" if is_busy(exc) else type(exc).__name__)
