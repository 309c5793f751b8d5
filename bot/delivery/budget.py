"""Discord's global request budget, spent in one place by every request the bot starts itself.

Discord allows a bot about 50 requests a second across all routes (its rate-limits page);
interaction callbacks and follow-ups do not count against it, but everything else the bot does
on its own does: outbox messages, role grants, channels, scheduled events, command syncs. The
client sends every such request through ``GlobalBudget.acquire`` (``bot/client.py`` wraps
discord.py's ``HTTPClient.request``), so the whole budget is spent in one place:

- **Urgent** requests (anything a person is waiting for: role grants, channel edits) are served
  first; **bulk** requests (the outbox) take whatever slots are left. A role grant during a
  10,000-DM fan-out therefore waits at most about one slot, not behind the queue.
- Slots are kept on an even grid at ``rate`` a second, never closer than half an interval (no
  clump after a stall), and no sliding window of ``window`` seconds ever holds more than ``rate``
  of them. Discord counts requests as they *arrive*, which is some time after the slot was taken
  (more on a loaded machine), so a request's place in the window is the moment its answer came
  back (``finish``), which is never before Discord saw it; while it is in flight it holds its
  place. The 51st request therefore cannot arrive within a second of the first, whatever the
  delays on the way. ``SLACK`` adds a few milliseconds more.
- One budget per bot token and API in the process (``for_api``): a bot restarted in the same
  process (tests, the demo) keeps the history of the one before, so their requests never overlap
  into a 429.

The outbox's ``Pacer`` interface (``acquire()``) is provided by ``bulk()``; its ``acquire`` takes
a bulk slot and marks the current task so the client's wrapper does not take a second one for the
request that follows.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import time
import weakref
from collections import deque
from collections.abc import Awaitable, Callable
from contextvars import ContextVar

# Discord's global limit, requests a second.
DISCORD_GLOBAL_LIMIT = 50
# The sliding window is this much longer than a second (requests are stamped when their answer
# comes back, which already covers the way there).
SLACK = 0.005
_IN_FLIGHT = math.inf


class Slot:
    """One request's place in the window: when its answer came (in flight: infinity)."""

    __slots__ = ("stamp",)

    def __init__(self, stamp: float) -> None:
        self.stamp = stamp

# The slot the current task already holds for its next request (taken by the outbox).
_prepaid: ContextVar[Slot | None] = ContextVar("peer_circles_prepaid_slot", default=None)


class GlobalBudget:
    def __init__(
        self,
        rate: float = DISCORD_GLOBAL_LIMIT,
        *,
        window: float = 1.0 + SLACK,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be above 0")
        self.limit = rate  # as configured; ``rate`` is this process's share of it (``set_rate``)
        self.rate = rate
        self.interval = window / rate
        self.window = window
        self.capacity = max(1, math.floor(rate))
        self._monotonic = monotonic
        self._sleep = sleep
        self._next = -math.inf
        self._last = -math.inf
        self._recent: deque[Slot] = deque()
        self._bulk_lock = asyncio.Lock()
        self._urgent_waiting = 0
        self.requests = 0
        self.urgent_requests = 0

    def set_rate(self, rate: float) -> None:
        """This process's share of the bot's limit changed (bot/delivery/processes.py: several
        processes share one token); slots already taken stay where they are."""
        if rate <= 0:
            raise ValueError("rate must be above 0")
        if rate == self.rate:
            return
        self.rate = rate
        self.interval = self.window / rate
        self.capacity = max(1, math.floor(rate))

    def _wait(self, now: float) -> float:
        while self._recent and now - self._recent[0].stamp >= self.window:
            self._recent.popleft()
        wait = max(self._next - now, self._last + self.interval / 2 - now)
        if len(self._recent) >= self.capacity:
            oldest = self._recent[0].stamp
            # An oldest request still in flight holds its place: look again shortly.
            wait = max(wait, self.interval / 4 if oldest == _IN_FLIGHT else oldest + self.window - now)
        return wait

    def _take(self, now: float) -> Slot:
        # Keep to the grid, but never bank more than two slots of idle time.
        self._next = max(self._next, now - 2 * self.interval) + self.interval
        self._last = now
        slot = Slot(now)
        self._recent.append(slot)
        self.requests += 1
        return slot

    async def acquire(self, *, bulk: bool = False) -> Slot:
        """Wait for a request slot. Urgent callers go before any bulk caller still waiting."""
        if bulk:
            async with self._bulk_lock:  # bulk callers queue in order among themselves
                while True:
                    now = self._monotonic()
                    wait = self._wait(now)
                    if wait <= 0 and not self._urgent_waiting:
                        return self._take(now)
                    await self._sleep(max(wait, self.interval / 4))
        self._urgent_waiting += 1
        try:
            while True:
                now = self._monotonic()
                wait = self._wait(now)
                if wait <= 0:
                    self.urgent_requests += 1
                    return self._take(now)
                await self._sleep(wait)
        finally:
            self._urgent_waiting -= 1

    async def before_request(self) -> Slot:
        """What the client's request wrapper calls: the slot taken for it already, or an urgent
        one. The slot is in flight until ``finish``."""
        slot = _prepaid.get()
        if slot is not None:
            _prepaid.set(None)
        else:
            slot = await self.acquire()
        slot.stamp = _IN_FLIGHT
        return slot

    def finish(self, slot: Slot) -> None:
        """The request's answer came back (or it failed): its place in the window is now."""
        slot.stamp = self._monotonic()

    def bulk(self, cap: float | None = None) -> BulkPacer:
        """The outbox's view; ``cap`` (requests a second) limits its share further."""
        return BulkPacer(self, cap)


class BulkPacer:
    """The outbox's view of the budget: the ``Pacer`` interface, taking bulk slots."""

    def __init__(self, budget: GlobalBudget, cap: float | None = None) -> None:
        self.budget = budget
        self.cap = (GlobalBudget(cap, monotonic=budget._monotonic, sleep=budget._sleep)
                    if cap is not None and cap < budget.rate else None)

    @property
    def requests(self) -> int:
        return self.budget.requests

    async def acquire(self) -> None:
        if self.cap is not None:
            await self.cap.acquire(bulk=True)
        _prepaid.set(await self.budget.acquire(bulk=True))


# Per event loop (its lock belongs to one), then per API and bot.
_BUDGETS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple[str, str], GlobalBudget]] = (
    weakref.WeakKeyDictionary()
)


def for_api(api_base_url: str, token: str, rate: float = DISCORD_GLOBAL_LIMIT) -> GlobalBudget:
    """The one budget of this bot (token) at this API in the process."""
    budgets = _BUDGETS.setdefault(asyncio.get_running_loop(), {})
    key = (api_base_url, hashlib.sha256(token.encode()).hexdigest())
    budget = budgets.get(key)
    if budget is None or budget.limit != rate:
        budget = budgets[key] = GlobalBudget(rate)
    return budget
