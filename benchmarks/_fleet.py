"""Several bot processes as a host runs them, against the emulator, over one PostgreSQL database:
what ``benchmarks/scale.py`` and its test share.

Each process is a real OS process (``python -m benchmarks._bot_process``, so a SIGKILL is a real
one) with its own config naming its shard range, the one database and the one anonymity key, which
``prepare_database`` makes beforehand as ``python -m bot init-key`` would (migrations, then the key),
so no process migrates or makes a key on its own.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks._shared import NullSender

if TYPE_CHECKING:
    from bot.core.clock import Clock
    from bot.core.db import Database
    from bot.delivery.outbox import Outbox
    from emulator.events import Server
    from emulator.interactions import InteractionRecord
    from emulator.server import DiscordEmulator

ROOT = Path(__file__).resolve().parent.parent
# Requests Discord does not count against the global limit (interaction callbacks, follow-ups).
OUTSIDE_THE_LIMIT = ("/interactions/", "/webhooks/")


def counts_against_the_limit(template: str) -> bool:
    return not template.startswith(OUTSIDE_THE_LIMIT)


async def prepare_database(url: str, key_file: Path) -> None:
    """What the deployment's one-off ``setup`` service does (``python -m bot init-key``): the
    migrations, then the shared anonymity key every process reads."""
    from bot.core import anonymity
    from bot.core.db import Database

    async with Database(url) as db:
        await db.migrate()
    anonymity.load_key(key_file, env={})


def outside_outbox(db: Database, clock: Clock | None = None) -> Outbox:
    """An outbox that only enqueues, as another process would: its rows wake no worker here."""
    from bot.core.clock import Clock
    from bot.core.config import OutboxSettings
    from bot.delivery.outbox import Outbox

    return Outbox(db, clock or Clock(), OutboxSettings(), sender=NullSender())  # type: ignore[arg-type]


@dataclass
class BotProcess:
    """One bot process for shards ``first``-``last`` of ``count``."""
    first: int
    last: int
    count: int
    folder: Path
    lease: float | None = None
    starts: int = 0
    _proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def shards(self) -> str:
        return f"{self.first}-{self.last}"

    @property
    def shard_ids(self) -> range:
        return range(self.first, self.last + 1)

    @property
    def owner(self) -> str:
        from bot.delivery.leases import owner_name

        return owner_name(self.shards)

    @property
    def config(self) -> Path:
        return self.folder / f"shards-{self.shards}.toml"

    @property
    def log(self) -> Path:
        return self.folder / f"shards-{self.shards}.log"

    def write_config(self, emulator: DiscordEmulator, database_url: str, key_file: Path, limit: int) -> None:
        # json.dumps quotes as TOML's basic strings do.
        self.config.write_text(
            f"[discord]\napi_base_url = {json.dumps(emulator.api_base_url)}\n"
            f"gateway_url = {json.dumps(emulator.gateway_url)}\nglobal_limit = {limit}\n"
            f"[outbox]\nrate_per_second = {limit}\n"  # the whole budget (the default is 50)
            f"[database]\nurl = {json.dumps(database_url)}\n"
            f"[bot]\nshards = {json.dumps(self.shards)}\nshard_count = {self.count}\n"
            f"[privacy]\nkey_file = {json.dumps(str(key_file))}\n"
            "[logging]\nlevel = \"WARNING\"\n", encoding="utf-8")

    def start(self, token: str) -> None:
        from bot.core.anonymity import ENV_VAR

        env = {k: v for k, v in os.environ.items() if k != ENV_VAR}  # the key file, as configured
        env["DISCORD_TOKEN"] = token
        lease = ["--lease", str(self.lease)] if self.lease is not None else []
        self.starts += 1
        with self.log.open("ab") as log:
            log.write(f"--- start {self.starts}\n".encode())
            log.flush()
            self._proc = subprocess.Popen([sys.executable, "-m", "benchmarks._bot_process", str(self.config), *lease],
                                          cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)

    def kill(self) -> None:
        """SIGKILL: no graceful stop, its claims stay 'sending' under its lease."""
        assert self._proc is not None
        os.kill(self._proc.pid, signal.SIGKILL)
        self._proc.wait()

    def stop(self) -> None:
        if self._proc is None or self._proc.poll() is not None:
            return
        self._proc.terminate()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()

    def exited(self) -> str | None:
        """Why the process is gone (its exit code and log's end), or None while it runs."""
        if self._proc is None or self._proc.poll() is None:
            return None
        tail = self.log.read_text(encoding="utf-8", errors="replace")[-2000:]
        return f"shards {self.shards} exited with {self._proc.returncode}:\n{tail}"


def fleet(processes: int, shards_each: int, folder: Path, lease: float | None) -> list[BotProcess]:
    count = processes * shards_each
    return [BotProcess(i * shards_each, (i + 1) * shards_each - 1, count, folder, lease) for i in range(processes)]


async def wait_serving(emulator: DiscordEmulator, process: BotProcess, servers: list[Server],
                       within: float = 300.0) -> float:
    """Until the process answers a command in a server on each of its shards; seconds waited.
    The probes are kept apart from the measured commands (``emulator.interactions`` holds both)."""
    from emulator.gateway import shard_of

    began = time.perf_counter()
    deadline = began + within
    for shard in process.shard_ids:
        server = next(s for s in servers if shard_of(s.guild_id, process.count) == shard)
        while True:
            gone = process.exited()
            if gone is not None:
                raise RuntimeError(gone)
            if time.perf_counter() > deadline:
                raise TimeoutError(f"shards {process.shards} did not answer a command within {within:.0f} s")
            connected = any(s.shard == (shard, process.count) and s.ws is not None and s.identified.is_set()
                            for s in emulator.gateway.sessions.values())
            if connected and emulator.world.commands:
                probe = await emulator.slash(server.guild_id, server.owner_id, "help")
                try:
                    await probe.response_type(timeout=3.0)
                    break
                except AssertionError:
                    pass  # not serving yet (its servers still arriving): ask again
            await asyncio.sleep(0.25)
    return time.perf_counter() - began


async def wait_settled(db: Database, owners: list[str], lease: timedelta, within: float = 300.0) -> None:
    """Until every process spends its settled share of the budget: each has beaten at least a
    third of a lease after the last one joined (bot/delivery/processes.py); stamps are whole
    seconds, hence the extra second."""
    from bot.core.clock import parse_iso_utc

    deadline = time.perf_counter() + within
    while True:
        rows = {str(r[0]): (parse_iso_utc(r[1]), parse_iso_utc(r[2]))
                for r in await db.fetchall("SELECT owner, started_at, seen_at FROM bot_processes")}
        if set(owners) <= set(rows):
            joined = max(rows[o][0] for o in owners)
            if all(rows[o][1] >= joined + lease / 3 + timedelta(seconds=1) for o in owners):
                return
        if time.perf_counter() > deadline:
            raise TimeoutError("the processes' budget shares did not settle")
        await asyncio.sleep(0.2)


def answered_seconds(records: list[InteractionRecord]) -> list[float]:
    return [r.answer_seconds for r in records if r.answer_seconds is not None]
