"""e2e fixtures: the emulator, a ready-made server, a movable clock, and the real bot against them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock
from bot.demo.runner import BotRunner
from emulator.events import Server
from emulator.server import DiscordEmulator

ACK_DEADLINE_SECONDS = 3.0


@pytest.fixture
async def emulator() -> AsyncIterator[DiscordEmulator]:
    emu = DiscordEmulator()
    await emu.start()
    yield emu
    await emu.stop()
    # Every body the bot sent must have been one Discord accepts.
    rejected = [f"{c.method} {c.template}: {c.response}" for c in emu.spec_rejections]
    assert not rejected, "the emulator rejected bodies as Discord would:\n" + "\n".join(rejected)
    # Discord shows "This interaction failed" when the first answer takes over 3 seconds ...
    slow = [f"{r.type} {r.payload.get('data', {}).get('name') or r.payload.get('data', {}).get('custom_id')}: "
            f"{r.answer_seconds:.2f}s" for r in emu.interactions.values()
            if r.answer_seconds is not None and r.answer_seconds > ACK_DEADLINE_SECONDS]
    assert not slow, "interactions answered after Discord's 3-second deadline:\n" + "\n".join(slow)
    # ... and "This interaction failed" when the bot never answers at all.
    unanswered = [str(r.payload.get("data", {}).get("name") or r.payload.get("data", {}).get("custom_id"))
                  for r in emu.interactions.values() if not r.responded]
    assert not unanswered, "interactions the bot never answered: " + ", ".join(unanswered)


@pytest.fixture
def server(emulator: DiscordEmulator) -> Server:
    return emulator.build_server()


@pytest.fixture
def clock() -> FakeClock:
    # A Monday morning; tests move it rather than sleeping.
    return FakeClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))


@pytest.fixture
async def runner(emulator: DiscordEmulator, server: Server, clock: FakeClock,
                 tmp_path: Path) -> AsyncIterator[BotRunner]:
    runner = BotRunner(emulator, clock, tmp_path / "bot.sqlite3")
    yield runner
    await runner.stop()


@pytest.fixture
async def bot(runner: BotRunner) -> PeerCirclesBot:
    return await runner.start()
