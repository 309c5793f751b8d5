"""Shared steps for the goals e2e tests: set a goal through the real command and modal, read DMs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DiscordEmulator
from tests.e2e.circles.helpers import dms


async def set_goal(emulator: DiscordEmulator, server: Server, user_id: str, text: str = "walk 10 minutes",
                   minimum: str = "walk to the door", **options: Any) -> dict[str, Any]:
    options.setdefault("cadence", "daily")
    options.setdefault("time", "19:30")
    ix = await emulator.slash(server.guild_id, user_id, "goal set", **options)
    sub = await emulator.submit_modal(user_id, ix, {"goal": text, "minimum": minimum})
    return await sub.reply()


async def tick(bot: PeerCirclesBot, clock: FakeClock, **delta: float) -> None:
    """Move the clock and let the scheduler and outbox settle."""
    clock.advance(timedelta(**delta))
    await bot.scheduler.run_due()
    await bot.outbox.drain()


def pings_to(emulator: DiscordEmulator, user_id: str) -> list[dict[str, Any]]:
    return [m for m in dms(emulator, user_id) if "Goal check-in" in text_of(m)]
