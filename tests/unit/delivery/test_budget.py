"""The one global budget: the outbox spends what urgent requests leave, and no second ever holds
more than Discord allows."""

from __future__ import annotations

import asyncio

from bot.delivery.budget import SLACK, GlobalBudget, for_api


class FakeTime:
    """Monotonic time that moves only when someone sleeps."""

    def __init__(self) -> None:
        self.now = 100.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        target = self.now + seconds
        await asyncio.sleep(0)
        self.now = max(self.now, target)


def most_in_any_window(times: list[float], window: float = 1.0) -> int:
    return max(sum(1 for t in times if start <= t < start + window) for start in times)


async def test_the_outbox_alone_spends_at_least_97_percent_of_the_limit_and_never_more() -> None:
    time = FakeTime()
    budget = GlobalBudget(50, monotonic=time.monotonic, sleep=time.sleep)
    bulk = budget.bulk(50)
    sent: list[float] = []
    for _ in range(500):
        await bulk.acquire()
        sent.append(time.now)
    rate = (len(sent) - 1) / (sent[-1] - sent[0])
    assert rate >= 0.97 * 50
    assert most_in_any_window(sent, 1.0 + SLACK) <= 50, "jitter up to SLACK cannot push 51 into a second"


async def test_an_urgent_request_during_a_fan_out_waits_about_one_slot() -> None:
    time = FakeTime()
    budget = GlobalBudget(50, monotonic=time.monotonic, sleep=time.sleep)
    bulk = budget.bulk()
    sent: list[float] = []
    under_way = asyncio.Event()

    async def fan_out() -> None:
        for _ in range(300):
            await bulk.acquire()
            sent.append(time.now)
            if len(sent) == 100:
                under_way.set()

    task = asyncio.create_task(fan_out())
    await under_way.wait()
    asked = time.now
    await budget.acquire()
    waited = time.now - asked
    sent.append(time.now)
    await task
    # (this fake time lets each sleeper move the clock, so it overstates waits a little)
    assert waited <= 4 * budget.interval, f"an urgent request waited {waited:.3f}s behind the queue"
    assert budget.urgent_requests == 1
    assert most_in_any_window(sorted(sent), 1.0 + SLACK) <= 50, "urgent requests share the same limit"


async def test_a_cap_limits_the_outbox_share() -> None:
    time = FakeTime()
    budget = GlobalBudget(50, monotonic=time.monotonic, sleep=time.sleep)
    bulk = budget.bulk(10)
    sent: list[float] = []
    for _ in range(50):
        await bulk.acquire()
        sent.append(time.now)
    assert most_in_any_window(sent) <= 10


async def test_a_restarted_bot_in_the_same_process_shares_the_budget() -> None:
    first = for_api("http://discord.test/api/v10", "token-a")
    assert for_api("http://discord.test/api/v10", "token-a") is first
    assert for_api("http://discord.test/api/v10", "token-b") is not first
    assert for_api("http://other.test/api/v10", "token-a") is not first


async def test_a_request_holds_its_place_in_the_window_until_its_answer_comes_back() -> None:
    """Discord counts a request when it arrives, which can be well after its slot was taken."""
    time = FakeTime()
    budget = GlobalBudget(2, monotonic=time.monotonic, sleep=time.sleep)
    first = await budget.before_request()
    second = await budget.before_request()
    time.now += 3.0  # both still on their way (a stalled loop, a slow network)
    budget.finish(first)
    budget.finish(second)
    answered = time.now
    await budget.acquire()
    assert time.now - answered >= 1.0, "the third waits a full window after the first two were answered"
