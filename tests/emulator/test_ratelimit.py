"""emulator/ratelimit.py: per-route buckets, the global limit, webhook exemption, off by default."""

from __future__ import annotations

import pytest

from emulator import ratelimit
from emulator.ratelimit import RateLimiter

SEND = "POST /channels/{channel_id}/messages"
GET_CHANNEL = "GET /channels/{channel_id}"  # no route bucket of its own
CALLBACK = "POST /interactions/{interaction_id}/{interaction_token}/callback"


class FakeTime:
    """Stands in for the module's ``time`` so tests move time instead of sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return 1_800_000_000.0 + self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    fake = FakeTime()
    monkeypatch.setattr(ratelimit, "time", fake)
    return fake


@pytest.fixture
def limiter(clock: FakeTime) -> RateLimiter:
    limiter = RateLimiter()
    limiter.enabled = True
    return limiter


def test_disabled_limiter_passes_everything(clock: FakeTime) -> None:
    limiter = RateLimiter()
    assert limiter.enabled is False
    for _ in range(500):
        verdict = limiter.check(SEND, "1", exempt_global=False)
        assert not verdict.limited
        assert verdict.headers == {}
    assert limiter.global_429s == limiter.route_429s == 0


def test_route_bucket_counts_down_then_answers_429(limiter: RateLimiter, clock: FakeTime) -> None:
    remaining = []
    for _ in range(5):
        verdict = limiter.check(SEND, "1", exempt_global=False)
        assert not verdict.limited
        remaining.append(verdict.headers["X-RateLimit-Remaining"])
        clock.now += 0.5
    assert remaining == ["4", "3", "2", "1", "0"]

    limited = limiter.check(SEND, "1", exempt_global=False)
    assert limited.limited
    assert not limited.is_global
    # The first of the five was 2.5 s ago in a 5 s window.
    assert limited.retry_after == pytest.approx(2.5)
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert limited.headers["X-RateLimit-Limit"] == "5"
    assert limited.headers["X-RateLimit-Scope"] == "user"
    assert float(limited.headers["X-RateLimit-Reset-After"]) == pytest.approx(2.5)
    assert limiter.route_429s == 1


def test_route_bucket_refills_after_its_window(limiter: RateLimiter, clock: FakeTime) -> None:
    for _ in range(5):
        limiter.check(SEND, "1", exempt_global=False)
    assert limiter.check(SEND, "1", exempt_global=False).limited
    clock.now = 1004.999
    assert limiter.check(SEND, "1", exempt_global=False).limited
    clock.now = 1005.0
    # All five were at the same instant: the whole bucket is back.
    verdict = limiter.check(SEND, "1", exempt_global=False)
    assert not verdict.limited
    assert verdict.headers["X-RateLimit-Remaining"] == "4"


def test_route_buckets_are_per_major_parameter(limiter: RateLimiter) -> None:
    for _ in range(5):
        limiter.check(SEND, "channel-a", exempt_global=False)
    assert limiter.check(SEND, "channel-a", exempt_global=False).limited
    other = limiter.check(SEND, "channel-b", exempt_global=False)
    assert not other.limited
    assert other.headers["X-RateLimit-Remaining"] == "4"
    # Same route, same bucket hash: discord.py keys buckets by hash + major parameter.
    assert other.headers["X-RateLimit-Bucket"] == limiter.check(SEND, "channel-a", exempt_global=False).headers[
        "X-RateLimit-Bucket"
    ]


def test_global_limit_answers_429_flagged_global(limiter: RateLimiter, clock: FakeTime) -> None:
    for i in range(50):
        assert not limiter.check(GET_CHANNEL, str(i), exempt_global=False).limited
    verdict = limiter.check(GET_CHANNEL, "999", exempt_global=False)
    assert verdict.limited
    assert verdict.is_global
    assert verdict.retry_after > 0
    assert verdict.headers["X-RateLimit-Global"] == "true"
    assert verdict.headers["X-RateLimit-Scope"] == "global"
    assert limiter.global_429s == 1 and limiter.route_429s == 0
    clock.now += 1.0
    assert not limiter.check(GET_CHANNEL, "999", exempt_global=False).limited


def test_global_limit_is_adjustable(limiter: RateLimiter) -> None:
    limiter.global_limit = 3
    for _ in range(3):
        assert not limiter.check(GET_CHANNEL, "1", exempt_global=False).limited
    assert limiter.check(GET_CHANNEL, "1", exempt_global=False).is_global


def test_a_refused_request_does_not_use_up_the_bucket(limiter: RateLimiter, clock: FakeTime) -> None:
    for _ in range(5):
        limiter.check(SEND, "1", exempt_global=False)
    for _ in range(20):
        assert limiter.check(SEND, "1", exempt_global=False).limited
    clock.now += 5.0
    assert not limiter.check(SEND, "1", exempt_global=False).limited


def test_webhook_routes_are_exempt_from_the_global_limit(limiter: RateLimiter) -> None:
    for i in range(50):
        limiter.check(GET_CHANNEL, str(i), exempt_global=False)
    assert limiter.check(GET_CHANNEL, "x", exempt_global=False).is_global
    # Interaction callbacks still pass while the global limit is used up...
    for i in range(100):
        verdict = limiter.check(CALLBACK, f"token-{i}", exempt_global=True)
        assert not verdict.limited
    assert limiter.global_429s == 1


def test_webhook_routes_do_not_use_up_the_global_limit(limiter: RateLimiter) -> None:
    for i in range(200):
        limiter.check(CALLBACK, f"token-{i}", exempt_global=True)
    for i in range(50):
        assert not limiter.check(GET_CHANNEL, str(i), exempt_global=False).limited
