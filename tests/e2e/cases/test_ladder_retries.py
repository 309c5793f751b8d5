"""A ladder page whose handler fails once is not dropped: the scheduler retries the safety kind
with backoff and on call is paged, once, seconds later (bot/delivery/safety.py)."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock
from emulator.events import Server
from emulator.server import DiscordEmulator
from tests.e2e.cases.helpers import pages, ready, wait_cases, wait_queue_message


async def test_a_failing_ladder_step_is_retried_and_on_call_is_still_paged_once(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    await ready(bot, emulator, server)
    ann = await emulator.member_join(server.guild_id, "ann")
    await (await emulator.slash(server.guild_id, ann, "reach-out", urgency="urgent")).reply()
    [case] = await wait_cases(bot, server, 1)
    await wait_queue_message(emulator, server, case.number)

    # The cog's module as loaded now (discord.py drops extension modules when a bot stops).
    moderators = sys.modules[type(bot.get_cog("CaseModerators")).__module__]
    real = moderators.ladder_step
    failures = []

    async def fails_first_pass(*args: Any, **kwargs: Any) -> bool:
        # The scheduler calls a failing handler twice in its pass (the batch, then alone): fail both.
        if len(failures) < 2:
            failures.append(kwargs.get("step"))
            raise RuntimeError("a transient fault in the ladder step")
        return await real(*args, **kwargs)

    monkeypatch.setattr(moderators, "ladder_step", fails_first_pass)
    clock.advance(minutes=5)
    await bot.scheduler.run_due()  # the pass the wake-up starts (awaited here, not raced)
    await bot.outbox.drain()
    assert failures == ["oncall", "oncall"]
    assert pages(emulator, server, case.number) == [], "the first try failed"
    clock.advance(seconds=5)
    await bot.scheduler.run_due()
    await emulator.wait_until(lambda: pages(emulator, server, case.number), 5, "the retried on-call page")
    [page] = pages(emulator, server, case.number)
    assert f"<@&{server.oncall_role_id}>" in page and failures == ["oncall", "oncall"]
    clock.advance(seconds=60)
    await bot.scheduler.run_due()
    await bot.outbox.drain()
    assert len(pages(emulator, server, case.number)) == 1, "paged once"
