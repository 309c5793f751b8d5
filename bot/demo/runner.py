"""Run the real bot against the emulator: used by the e2e tests, the demo and the benchmarks."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

from bot.client import PeerCirclesBot, make_bot
from bot.core.clock import Clock
from bot.core.config import Config, parse_config
from emulator.server import DiscordEmulator


def emulator_config(emulator: DiscordEmulator, db_path: Path | str, **sections: dict[str, Any]) -> Config:
    data: dict[str, Any] = {
        "discord": {"api_base_url": emulator.api_base_url, "gateway_url": emulator.gateway_url},
        "database": {"path": str(db_path)},
    }
    for name, values in sections.items():
        data.setdefault(name, {}).update(values)
    return parse_config(data, "<emulator>")


class BotRunner:
    """Starts, stops and restarts one bot process-equivalent against an emulator."""

    def __init__(self, emulator: DiscordEmulator, clock: Clock, db_path: Path | str,
                 **sections: dict[str, Any]) -> None:
        self.emulator = emulator
        self.clock = clock
        self.config = emulator_config(emulator, db_path, **sections)
        self.bot: PeerCirclesBot | None = None
        self._task: asyncio.Task[None] | None = None
        # Discord checks times (e.g. "event in the past") against the same clock the bot uses.
        emulator.now = clock.now

    async def start(self, timeout: float = 10.0) -> PeerCirclesBot:
        bot = make_bot(self.config, clock=self.clock, guild_ready_timeout=0.01)
        try:
            await bot.login(self.emulator.options.token)
            self._task = asyncio.create_task(bot.connect(reconnect=True), name="bot-connect")
            ready = asyncio.create_task(bot.wait_until_ready())
            done, _ = await asyncio.wait({ready, self._task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            if ready not in done:
                ready.cancel()
                if self._task in done:
                    self._task.result()  # re-raise why the connection ended
                raise TimeoutError("the bot did not become ready")
        except BaseException:
            # A bot that failed to start (a cog refused to load, say) still holds its database
            # connections, whose threads would keep the process from exiting: close it.
            await bot.close()
            raise
        self.bot = bot
        return bot

    async def stop(self) -> None:
        if self.bot is not None:
            await self.bot.close()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.bot = None
        self._task = None

    async def restart(self) -> PeerCirclesBot:
        """Stop the bot and start a fresh one on the same database, as after a process restart."""
        await self.stop()
        return await self.start()
