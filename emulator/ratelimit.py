"""Discord-style rate limits: per-route buckets and the global requests-per-second limit."""

from __future__ import annotations

import hashlib
import math
import time
from collections import deque
from dataclasses import dataclass, field


@dataclass
class Bucket:
    limit: int
    per: float
    hits: deque[float] = field(default_factory=deque)

    def _trim(self, now: float) -> None:
        while self.hits and now - self.hits[0] >= self.per:
            self.hits.popleft()

    def retry_after(self, now: float) -> float:
        """0 when a request may pass now, else seconds until one may."""
        self._trim(now)
        if len(self.hits) < self.limit:
            return 0.0
        return max(0.001, self.per - (now - self.hits[0]))

    def hit(self, now: float) -> None:
        self.hits.append(now)

    def headers(self, now: float, route: str) -> dict[str, str]:
        self._trim(now)
        remaining = max(0, self.limit - len(self.hits))
        reset_after = self.per - (now - self.hits[0]) if self.hits else self.per
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{math.ceil(reset_after * 1000) / 1000:.3f}",
            # One hash per route; discord.py keys its buckets by hash + major parameter.
            "X-RateLimit-Bucket": hashlib.sha1(route.encode()).hexdigest()[:16],
        }


@dataclass
class RateLimitVerdict:
    """Either allowed (with headers to send) or limited (429 with retry_after)."""

    headers: dict[str, str]
    retry_after: float = 0.0
    is_global: bool = False

    @property
    def limited(self) -> bool:
        return self.retry_after > 0


class RateLimiter:
    """Off by default; tests and benchmarks switch it on to hold the bot to Discord's limits."""

    def __init__(self) -> None:
        self.enabled = False
        self.global_limit = 50
        # route template -> (requests, per seconds); the bucket is per route + major parameter.
        self.route_limits: dict[str, tuple[int, float]] = {
            "POST /channels/{channel_id}/messages": (5, 5.0),
            "PATCH /channels/{channel_id}/messages/{message_id}": (5, 5.0),
            "PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}": (10, 10.0),
            "DELETE /guilds/{guild_id}/members/{user_id}/roles/{role_id}": (10, 10.0),
            "POST /users/@me/channels": (100, 1.0),
        }
        self._global = Bucket(50, 1.0)
        self._buckets: dict[str, Bucket] = {}
        self.global_429s = 0
        self.route_429s = 0

    def check(self, route: str, major: str, exempt_global: bool) -> RateLimitVerdict:
        if not self.enabled:
            return RateLimitVerdict(headers={})
        now = time.monotonic()
        self._global.limit = self.global_limit
        if not exempt_global:
            wait = self._global.retry_after(now)
            if wait:
                self.global_429s += 1
                return RateLimitVerdict(headers={"X-RateLimit-Global": "true", "X-RateLimit-Scope": "global"},
                                        retry_after=wait, is_global=True)
        headers: dict[str, str] = {}
        limits = self.route_limits.get(route)
        if limits is not None:
            key = f"{route}:{major}"
            bucket = self._buckets.setdefault(key, Bucket(*limits))
            wait = bucket.retry_after(now)
            if wait:
                self.route_429s += 1
                headers = bucket.headers(now, route)
                headers["X-RateLimit-Scope"] = "user"
                return RateLimitVerdict(headers=headers, retry_after=wait)
            bucket.hit(now)
            headers = bucket.headers(now, route)
        if not exempt_global:
            self._global.hit(now)
        return RateLimitVerdict(headers=headers)
