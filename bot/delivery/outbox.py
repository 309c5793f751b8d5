"""The outbox: durable, idempotent, rate-aware delivery of every message the bot sends on its own.

A feature never sends a DM or channel post directly (interaction replies aside). It calls
``enqueue`` on the connection of the transaction that changes its state, so the message exists
exactly when the state does. The idempotency key is unique: enqueueing it again changes nothing.

A worker task sends due rows through a ``Sender`` (``bot.discord_sender.DiscordSender`` in the
bot, a fake in unit tests):

- Pacing: every HTTP request a sender makes first takes a slot from the ``Pacer``. In the bot
  that is the bulk side of the one global budget (``bot/delivery/budget.py``), which every
  request the bot starts goes through: the outbox spends whatever role grants, channel edits and
  other urgent requests leave of Discord's 50 a second (interaction replies do not count against
  it). Per-route buckets are discord.py's job (it reads the X-RateLimit headers
  and waits). At most one row per target is in flight, so one slow or rate-limited channel never
  occupies every slot, and messages to one target go out in order.
- Retries: 429 (after discord.py's own retries), 5xx and network errors go back to ``pending``
  with exponential backoff and jitter; 5xx/network errors count towards ``max_attempts``, 429s
  do not (a rate limit says "later", not "broken").
- Permanent failures (DMs closed 50007, unknown channel/user 404, missing access 403, a body
  Discord rejects 400) end the row as ``failed`` with a reason; a closed DM also marks the member
  in ``dm_unreachable``; then the row's named fallback (``register_fallback``) runs in the same
  transaction, e.g. to post in the circle channel instead where the member chose that.
- Privacy: ``payload`` (which may quote member text) is set to NULL as soon as a row is sent or
  failed; ids, kinds, states and reasons stay for the operator view.

Crash safety and its one unavoidable window
-------------------------------------------
Row states go ``pending -> sending -> sent | failed``. A row is marked ``sending`` (committed)
before its send call and marked ``sent`` (committed) right after the answer. The ``sending`` mark
carries this process's lease (``bot/delivery/leases.py``). On start the worker *reconciles*: every
row this process left ``sending`` in an earlier life was interrupted by a crash or kill and goes
back to ``pending``; a row another process left goes back once its lease runs out (that process
stopped renewing it). Either way it is sent again with the **same nonce** (a number derived from
the idempotency key) and ``enforce_nonce``, which makes Discord return the existing message
instead of creating a second one when the first attempt did get through.

Nothing is ever lost: a row exists from the commit of the state that caused it until it is sent
or failed, and a crash before the ``sending`` mark leaves it ``pending``. The one window that no
design can close is between Discord accepting the message and the ``sent`` commit (one local
SQLite write, about a millisecond): a crash exactly there, followed by a restart later than
Discord's nonce memory (a few minutes), sends that message a second time. Everything else is
exactly once. The window is at most ``max_in_flight`` rows wide (16) and only on a hard kill: a
graceful stop lets in-flight sends finish first. Both sides of the window are pinned by
``tests/e2e/delivery/test_delivery.py::test_a_hard_kill_between_discords_answer_and_the_sent_commit``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import math
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from bot.core.clock import Clock, iso_utc, parse_iso_utc
from bot.core.config import OutboxSettings
from bot.core.db import Conn, Database, Row, read_all, read_one
from bot.delivery.leases import OUTBOX, Leases
from bot.delivery.safety import LANES, outbox_lane

log = logging.getLogger(__name__)

TargetKind = Literal["dm", "channel"]
TARGET_KINDS = ("dm", "channel")
STATES = ("pending", "sending", "sent", "failed")
# Permanent failure reasons a sender reports (plus the outbox's own retries_exhausted).
FAILURE_REASONS = ("dm_closed", "unknown_target", "missing_access", "invalid_body", "retries_exhausted")
MAX_KEY_LENGTH = 200
MAX_CONTENT = 2000
MAX_EMBEDS = 10
# allowed_mentions when a payload does not say: nobody is pinged (member text may quote @everyone).
NO_MENTIONS: dict[str, Any] = {"parse": []}


def nonce_for(key: str) -> str:
    """The message nonce for an idempotency key: a stable positive 63-bit number as text (Discord
    limits nonces to 25 characters; keys are longer)."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return str(int.from_bytes(digest[:8], "big") >> 1)


@dataclass(frozen=True)
class OutboxRow:
    id: int
    key: str
    guild_id: int
    kind: str
    target_kind: TargetKind
    target_id: int
    payload: dict[str, Any] | None
    fallback: str | None
    attempts: int
    errors: int

    @property
    def nonce(self) -> str:
        return nonce_for(self.key)


@dataclass(frozen=True)
class SendResult:
    """What a sender reports. ``detail`` is for logs and the row: a status or error class,
    never message content."""

    status: Literal["sent", "retry", "failed"]
    message_id: int | None = None
    reason: str | None = None  # for "failed": one of FAILURE_REASONS
    retry_after: float | None = None  # for "retry" after a 429
    rate_limited: bool = False
    detail: str | None = None

    @classmethod
    def sent(cls, message_id: int | None = None) -> SendResult:
        return cls("sent", message_id=message_id)

    @classmethod
    def retry(cls, detail: str, *, retry_after: float | None = None, rate_limited: bool = False) -> SendResult:
        return cls("retry", retry_after=retry_after, rate_limited=rate_limited, detail=detail)

    @classmethod
    def failed(cls, reason: str, detail: str | None = None) -> SendResult:
        if reason not in FAILURE_REASONS:
            raise ValueError(f"unknown failure reason {reason!r}")
        return cls("failed", reason=reason, detail=detail)


class Pacer:
    """Spaces requests evenly at ``rate`` per second across all senders.

    Slots are kept on an ideal grid (so sleep overshoot does not slow the long-run rate), and two
    guards hold whatever the event loop does: requests are never closer than half an interval
    (no clump after a stall), and no sliding ``window`` ever holds more than ``rate * window``
    of them (Discord counts the global limit over a sliding second).
    """

    def __init__(
        self,
        rate: float,
        *,
        window: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be above 0")
        self.interval = 1.0 / rate
        self.window = window
        self.capacity = max(1, math.floor(rate * window))
        self._monotonic = monotonic
        self._sleep = sleep
        self._next = -math.inf
        self._last = -math.inf
        self._recent: deque[float] = deque()
        self._lock = asyncio.Lock()
        self.requests = 0

    async def acquire(self) -> None:
        """Wait for the next request slot (callers queue in order)."""
        async with self._lock:
            while True:
                now = self._monotonic()
                while self._recent and now - self._recent[0] >= self.window:
                    self._recent.popleft()
                wait = max(self._next - now, self._last + self.interval / 2 - now)
                if len(self._recent) >= self.capacity:
                    wait = max(wait, self._recent[0] + self.window - now)
                if wait <= 0:
                    break
                await self._sleep(wait)
            # Keep to the grid, but never bank more than two slots of idle time.
            self._next = max(self._next, now - 2 * self.interval) + self.interval
            self._last = now
            self._recent.append(now)
            self.requests += 1


class PacerLike(Protocol):
    """What a sender needs of a pacer: a slot before each request (``Pacer``, or the bot's share
    of the global budget, ``bot.delivery.budget.BulkPacer``)."""

    async def acquire(self) -> None: ...


class Sender(Protocol):
    async def send(self, row: OutboxRow, pacer: PacerLike) -> SendResult:
        """Deliver one row, calling ``await pacer.acquire()`` before every HTTP request, and map
        the outcome. Must not raise for Discord or network errors (return ``retry``)."""
        ...


# A fallback runs inside the transaction that marks the row failed; it may enqueue other rows.
Fallback = Callable[[Conn, OutboxRow, str], Awaitable[None]]


def _validate_payload(payload: dict[str, Any]) -> str:
    if not isinstance(payload, dict):
        raise ValueError("an outbox payload is a Discord message object (a dict)")
    content = payload.get("content")
    embeds = payload.get("embeds")
    if not content and not embeds and not payload.get("components"):
        raise ValueError("an outbox message needs content, embeds or components")
    if content is not None and (not isinstance(content, str) or len(content) > MAX_CONTENT):
        raise ValueError(f"message content must be text of at most {MAX_CONTENT} characters")
    if embeds is not None and (
        not isinstance(embeds, list) or len(embeds) > MAX_EMBEDS or not all(isinstance(e, dict) for e in embeds)
    ):
        raise ValueError(f"embeds must be a list of at most {MAX_EMBEDS} embed dicts")
    payload = {**payload}
    payload.setdefault("allowed_mentions", NO_MENTIONS)
    for reserved in ("nonce", "enforce_nonce"):
        payload.pop(reserved, None)  # the sender sets them from the key
    try:
        return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError):
        raise ValueError("an outbox payload must be plain JSON") from None


_ROW_COLUMNS = "id, key, guild_id, kind, target_kind, target_id, payload, fallback, attempts, errors"


def _row(record: Row) -> OutboxRow:
    return OutboxRow(
        id=record["id"],
        key=record["key"],
        guild_id=record["guild_id"],
        kind=record["kind"],
        target_kind=record["target_kind"],
        target_id=record["target_id"],
        payload=None if record["payload"] is None else json.loads(record["payload"]),
        fallback=record["fallback"],
        attempts=record["attempts"],
        errors=record["errors"],
    )


def _ceil_second(when: datetime) -> datetime:
    # Stored times have second precision: round up so a backoff is never shortened.
    return when if not when.microsecond else when.replace(microsecond=0) + timedelta(seconds=1)


async def cancel_pending(conn: Conn, guild_id: int, key: str) -> bool:
    """Drop a row not yet sent, in the caller's transaction (a withdrawn post is then never sent).
    A row already being sent, or sent, is left: the caller deletes the message once it exists."""
    cursor = await conn.execute("DELETE FROM outbox WHERE guild_id = ? AND key = ? AND state = 'pending'",
                                (guild_id, key))
    return cursor.rowcount > 0


async def sent_message(conn: Conn, guild_id: int, key: str) -> tuple[int, int] | None:
    """(channel or member id, message id) of the message a row became, once sent."""
    row = await read_one(
        conn, "SELECT target_id, message_id FROM outbox WHERE guild_id = ? AND key = ? AND state = 'sent'"
        " AND message_id IS NOT NULL", (guild_id, key),
    )
    return None if row is None else (int(row[0]), int(row[1]))


# Keys (or key patterns) asked about in one query: well under either engine's limit on parameters.
_LOOKUP_CHUNK = 500


async def sent_channel_posts(conn: Conn, guild_id: int, *, keys: Iterable[str] = (),
                             patterns: Iterable[str] = ()) -> list[tuple[int, int]]:
    """(channel id, message id) of the channel posts these outbox rows became, once sent, oldest row
    first and each once: rows named by ``keys`` exactly or whose key matches one of ``patterns``
    (SQL LIKE: ``%`` for any text). A row not sent (yet, or ever), sent to a DM, or of another
    server is not one. How the privacy lookups find the posts that carry a member's words or name."""
    found: dict[int, tuple[int, int]] = {}
    wanted = list(dict.fromkeys(keys))
    for start in range(0, len(wanted), _LOOKUP_CHUNK):
        chunk = wanted[start:start + _LOOKUP_CHUNK]
        found.update(await _sent_posts_where(
            conn, guild_id, f"key IN ({', '.join('?' * len(chunk))})", chunk))
    shapes = list(dict.fromkeys(patterns))
    for start in range(0, len(shapes), _LOOKUP_CHUNK):
        chunk = shapes[start:start + _LOOKUP_CHUNK]
        found.update(await _sent_posts_where(conn, guild_id, " OR ".join(["key LIKE ?"] * len(chunk)), chunk))
    return [found[row_id] for row_id in sorted(found)]


async def _sent_posts_where(conn: Conn, guild_id: int, keys_match: str,
                            params: list[str]) -> dict[int, tuple[int, int]]:
    rows = await read_all(
        conn, "SELECT id, target_id, message_id FROM outbox WHERE guild_id = ? AND state = 'sent'"
        f" AND target_kind = 'channel' AND message_id IS NOT NULL AND ({keys_match})", (guild_id, *params),
    )
    return {int(r[0]): (int(r[1]), int(r[2])) for r in rows}


async def dm_reachable(conn: Conn, guild_id: int, user_id: int) -> bool:
    """False when a DM to this member in this server last failed with DMs closed."""
    return await read_one(
        conn, "SELECT 1 FROM dm_unreachable WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
    ) is None


class Outbox:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: OutboxSettings,
        *,
        sender: Sender,
        pacer: PacerLike | None = None,
        rng: random.Random | None = None,
        max_in_flight: int = 16,
        backoff_base: float = 2.0,
        backoff_cap: float = 600.0,
        leases: Leases | None = None,
    ) -> None:
        self.db = db
        # Claims carry this process's lease (bot/delivery/leases.py); one process alone gets its own.
        self.leases = leases or Leases(db, clock)
        self.clock = clock
        self.settings = settings
        self.sender = sender
        self.pacer: PacerLike = pacer or Pacer(settings.rate_per_second)
        self.rng = rng or random.Random()
        self.max_in_flight = max_in_flight
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self._fallbacks: dict[str, Fallback] = {}
        self._wake = asyncio.Event()
        self._worker: asyncio.Task[None] | None = None
        self._stopping = False
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._busy_targets: set[tuple[str, int]] = set()
        self._reconciled = asyncio.Event()

    # -- registration and enqueueing ----------------------------------------------------------

    def register_fallback(self, name: str, fallback: Fallback) -> None:
        """Name a fallback that rows enqueued with ``fallback=name`` get on permanent failure."""
        if name in self._fallbacks:
            raise ValueError(f"outbox fallback {name!r} is already registered")
        self._fallbacks[name] = fallback

    async def enqueue(
        self,
        conn: Conn,
        *,
        key: str,
        kind: str,
        guild_id: int,
        target_kind: TargetKind,
        target_id: int,
        payload: dict[str, Any],
        fallback: str | None = None,
        priority: int | None = None,
        not_before: datetime | None = None,
        created_at: datetime | None = None,
    ) -> bool:
        """Add a message in the caller's transaction. False when ``key`` was already enqueued
        (exactly once: the existing row is left as it is). ``priority``: the row's lane (0 crisis,
        1 urgent, 2 ordinary; ``bot.delivery.safety``), by default from ``kind``. ``not_before``:
        send no earlier than this. ``created_at``: the time recorded for the row (anonymous
        features pass a rounded one, so the row's exact second can't point to a member)."""
        if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH:
            raise ValueError(f"an outbox key is non-empty text of at most {MAX_KEY_LENGTH} characters")
        if target_kind not in TARGET_KINDS:
            raise ValueError(f"target_kind must be one of {', '.join(TARGET_KINDS)}")
        for name, value in (("guild_id", guild_id), ("target_id", target_id)):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"{name} must be a Discord id")
        if not kind:
            raise ValueError("an outbox row needs a kind")
        lane = outbox_lane(kind) if priority is None else priority
        if lane not in LANES:
            raise ValueError(f"priority must be one of {LANES}")
        body = _validate_payload(payload)
        now = self.clock.now()
        first = iso_utc(max(now, not_before) if not_before is not None else now)
        cursor = await conn.execute(
            "INSERT INTO outbox (key, guild_id, kind, target_kind, target_id, payload, fallback,"
            " priority, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (key, guild_id, kind, target_kind, target_id, body, fallback, lane, first,
             iso_utc(created_at or now)),
        )
        inserted = cursor.rowcount == 1
        if inserted:
            # The worker reads committed rows only: wake it once this transaction commits.
            self.db.after_commit(self._wake.set)
        return inserted

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        """Start the worker; it first reconciles rows left 'sending' by a crash."""
        if self._worker is not None and not self._worker.done():
            return
        self._stopping = False
        self._reconciled.clear()
        self._worker = asyncio.create_task(self._work(), name="outbox-worker")

    @property
    def running(self) -> bool:
        return self._worker is not None and not self._worker.done()

    async def stop(self, grace: float = 10.0) -> None:
        """Stop claiming; let in-flight sends finish (up to ``grace`` seconds), cancel the rest (they
        stay 'sending' and are reconciled on the next start)."""
        self._stopping = True
        self._wake.set()
        if self._worker is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        tasks = list(self._in_flight.values())
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=grace)
            for task in pending:
                task.cancel()
            for task in pending:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    def wake(self) -> None:
        """New rows may be due (the scheduler calls this after each committed batch)."""
        self._wake.set()

    async def drain(self, within: float = 30.0) -> None:
        """Return when no row is due and none is in flight; TimeoutError after ``within``
        seconds of real time. Rows waiting for a later retry are not due."""
        if not self.running:
            raise RuntimeError("the outbox worker is not running: call start() first")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            if self._reconciled.is_set() and not self._in_flight and not await self._has_due_work():
                return
            if not self.running:
                raise RuntimeError("the outbox worker stopped while draining")
            if loop.time() >= deadline:
                raise TimeoutError(f"outbox still busy after {within} s ({len(self._in_flight)} in flight)")
            await asyncio.sleep(0.005)

    async def _has_due_work(self) -> bool:
        row = await self.db.fetchone(
            "SELECT 1 FROM outbox WHERE state = 'sending'"
            " OR (state = 'pending' AND next_attempt_at <= ?) LIMIT 1",
            (iso_utc(self.clock.now()),),
        )
        return row is not None

    # -- the worker ---------------------------------------------------------------------------

    async def reconcile(self) -> int:
        """Put rows this process left 'sending' in an earlier life (a crash) back to 'pending', to be
        resent with the same nonce; rows another live process is sending keep their lease."""
        return await self.leases.recover(OUTBOX, at_start=True)

    async def _work(self) -> None:
        try:
            await self.reconcile()
        finally:
            self._reconciled.set()
        while not self._stopping:
            self._wake.clear()
            try:
                # One "now" for the whole iteration: a row that comes due while we look is then
                # still found by the sleep below, never slept through.
                now = self.clock.now()
                free = self.max_in_flight - len(self._in_flight)
                if free > 0:
                    claimed = await self._claim(free, now)
                    for row in claimed:
                        self._start_delivery(row)
                    if claimed:
                        continue
                # Sleep until the next row in backoff comes due. Due rows of a busy target, and
                # free slots, come from a finishing send, which sets the wake event.
                await self.clock.sleep_until(await self._next_attempt_at(now), self._wake)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox worker iteration failed")
                await asyncio.sleep(1.0)

    async def _next_attempt_at(self, now: datetime) -> datetime | None:
        value = await self.db.fetchval(
            "SELECT MIN(next_attempt_at) FROM outbox WHERE state = 'pending' AND next_attempt_at > ?",
            (iso_utc(now),),
        )
        return None if value is None else parse_iso_utc(value)

    async def _claim(self, free: int, when: datetime) -> list[OutboxRow]:
        """Mark up to ``free`` rows due at ``when`` 'sending': one per target, none for a busy one;
        crisis rows first, then urgent, then ordinary (``priority``), each lane oldest first."""
        now = iso_utc(when)
        busy = sorted(self._busy_targets)
        exclude = ""
        params: list[Any] = [now]
        if busy:
            # Not ``NOT IN (VALUES (?, ?), ...)``: PostgreSQL would type those values text.
            exclude = " AND NOT (" + " OR ".join("(target_kind = ? AND target_id = ?)" for _ in busy) + ")"
            for target_kind, target_id in busy:
                params += [target_kind, target_id]
        claim = self.leases.claim(when)
        claimed: list[OutboxRow] = []
        async with self.db.transaction() as conn:
            # Read and claim in one transaction; on PostgreSQL the rows another process is claiming
            # this moment are skipped (FOR UPDATE SKIP LOCKED), on SQLite the write lock serialises.
            candidates = await read_all(
                conn,
                "SELECT id, target_kind, target_id FROM outbox WHERE state = 'pending' AND next_attempt_at <= ?"
                + exclude + " ORDER BY priority, next_attempt_at, id LIMIT ?" + self.db.skip_locked,
                [*params, free * 4],
            )
            chosen: list[int] = []
            seen: set[tuple[str, int]] = set()
            for candidate in candidates:
                target = (candidate["target_kind"], candidate["target_id"])
                if target not in seen:
                    seen.add(target)
                    chosen.append(candidate["id"])
                if len(chosen) == free:
                    break
            for row_id in chosen:
                async with conn.execute(
                    f"UPDATE outbox SET state = 'sending', sending_since = ?, attempts = attempts + 1, {claim.SET}"
                    f" WHERE id = ? AND state = 'pending' RETURNING {_ROW_COLUMNS}",
                    (now, *claim.params, row_id),
                ) as cursor:
                    record = await cursor.fetchone()
                if record is not None:
                    claimed.append(_row(record))
        return claimed

    def _start_delivery(self, row: OutboxRow) -> None:
        self._busy_targets.add((row.target_kind, row.target_id))
        self._in_flight[row.id] = asyncio.create_task(self._deliver(row), name=f"outbox-send-{row.id}")

    async def _deliver(self, row: OutboxRow) -> None:
        try:
            try:
                result = await self.sender.send(row, self.pacer)
            except asyncio.CancelledError:
                raise  # left 'sending': reconciled and resent with the same nonce on restart
            except Exception as exc:
                result = SendResult.retry(type(exc).__name__)
                log.error("outbox sender raised row=%s kind=%s error=%s", row.id, row.kind, type(exc).__name__)
            await self._record(row, result)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("outbox could not record a send result row=%s", row.id)
        finally:
            self._in_flight.pop(row.id, None)
            self._busy_targets.discard((row.target_kind, row.target_id))
            self._wake.set()

    def backoff(self, errors: int, retry_after: float | None = None) -> float:
        """Seconds before the next try: exponential in ``errors`` with equal jitter, never less
        than Discord's ``retry_after``."""
        delay = min(self.backoff_cap, self.backoff_base * 2 ** max(0, errors - 1))
        delay = delay / 2 + self.rng.uniform(0, delay / 2)
        return max(delay, retry_after or 0.0)

    async def _record(self, row: OutboxRow, result: SendResult) -> None:
        now = self.clock.now()
        stamp = iso_utc(now)
        if result.status == "sent":
            async with self.db.transaction() as conn:
                await conn.execute(
                    "UPDATE outbox SET state = 'sent', sent_at = ?, message_id = ?, payload = NULL,"
                    " sending_since = NULL, last_error = NULL, lease_owner = NULL, lease_until = NULL WHERE id = ?",
                    (stamp, result.message_id, row.id),
                )
                if row.target_kind == "dm":
                    await conn.execute(
                        "DELETE FROM dm_unreachable WHERE guild_id = ? AND user_id = ?", (row.guild_id, row.target_id)
                    )
            return
        if result.status == "retry":
            errors = row.errors + (0 if result.rate_limited else 1)
            if errors < self.settings.max_attempts:
                delay = self.backoff(max(errors, 1), result.retry_after)
                async with self.db.transaction() as conn:
                    await conn.execute(
                        "UPDATE outbox SET state = 'pending', sending_since = NULL, errors = ?,"
                        " next_attempt_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?",
                        (errors, iso_utc(_ceil_second(now + timedelta(seconds=delay))), result.detail, row.id),
                    )
                log.info(
                    "outbox send will be retried row=%s kind=%s detail=%s in=%.1fs",
                    row.id, row.kind, result.detail, delay,
                )
                return
            result = SendResult.failed("retries_exhausted", result.detail)
        await self._fail(row, result, stamp)

    async def _fail(self, row: OutboxRow, result: SendResult, stamp: str) -> None:
        reason = result.reason or "retries_exhausted"
        log.warning("outbox send failed row=%s kind=%s reason=%s detail=%s", row.id, row.kind, reason, result.detail)
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE outbox SET state = 'failed', failure_reason = ?, last_error = ?, payload = NULL,"
                " sending_since = NULL, lease_owner = NULL, lease_until = NULL WHERE id = ?",
                (reason, result.detail, row.id),
            )
            if row.target_kind == "dm" and reason == "dm_closed":
                await conn.execute(
                    "INSERT INTO dm_unreachable (guild_id, user_id, reason, since) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (guild_id, user_id) DO UPDATE SET reason = excluded.reason, since = excluded.since",
                    (row.guild_id, row.target_id, reason, stamp),
                )
            fallback = self._fallbacks.get(row.fallback) if row.fallback else None
            if row.fallback and fallback is None:
                log.warning("outbox fallback not registered row=%s fallback=%s", row.id, row.fallback)
            if fallback is not None:
                await conn.execute("SAVEPOINT fallback")
                try:
                    await fallback(conn, row, reason)
                except Exception as exc:
                    await conn.execute("ROLLBACK TO fallback")
                    log.error("outbox fallback failed row=%s fallback=%s error=%s", row.id, row.fallback,
                              type(exc).__name__)
                finally:
                    await conn.execute("RELEASE fallback")
