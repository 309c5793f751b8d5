"""e2e fixtures: the emulator, a ready-made server, a movable clock, and the real bot against them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.client import PeerCirclesBot
from bot.clock import FakeClock
from bot.emulator.events import Server
from bot.emulator.harness import BotRunner
from bot.emulator.server import DiscordEmulator


@pytest.fixture
async def emulator() -> AsyncIterator[DiscordEmulator]:
    emu = DiscordEmulator()
    await emu.start()
    yield emu
    await emu.stop()
    # Every body the bot sent must have been one Discord accepts.
    rejected = [f"{c.method} {c.template}: {c.response}" for c in emu.spec_rejections]
    assert not rejected, "the emulator rejected bodies as Discord would:\n" + "\n".join(rejected)


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
