"""`python -m bot demo`: the real bot against the local emulator, playing scripted scenes.

Anyone without a token (or network) sees every capability work: each scene acts as members and
organisers would and prints what they saw. Each capability adds a scene to ``SCENES``.
"""

from __future__ import annotations

import importlib
import re
import sys
import tempfile
import textwrap
import time
import traceback
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from bot.core.clock import FakeClock
from bot.demo.runner import BotRunner
from emulator.events import Server
from emulator.interactions import Interaction, text_of
from emulator.server import DiscordEmulator
from emulator.state import World

# "module:function" of each scene, in the order they play.
SCENES: tuple[str, ...] = (
    "bot.demo.scenes.foundation:scene",
    "bot.demo.scenes.circles:scene",
    "bot.demo.scenes.screening:scene",
    "bot.demo.scenes.stories:scene",
    "bot.demo.scenes.stories:refused_scene",
    "bot.demo.scenes.delivery:scene",
    "bot.demo.scenes.coping:scene",
    "bot.demo.scenes.privacy:scene",
    "bot.demo.scenes.cases:scene",
    "bot.demo.scenes.checkins:scene",
    "bot.demo.scenes.goals:scene",
    # Last: it moves the clock a month on.
    "bot.demo.scenes.delivery:cleanup_scene",
)


_ORIGINAL = "/webhooks/{application_id}/{webhook_token}/messages/@original"

# What Discord renders in place of the markup in a message: <@id>, <@!id>, <@&id>, <#id>,
# </name:id> and <t:unix[:style]>.
_MARKUP = re.compile(r"<(?:(?P<user>@!?)(?P<uid>\d+)|@&(?P<role>\d+)|#(?P<channel>\d+)"
                     r"|/(?P<command>[-_ \w]+):\d+|t:(?P<stamp>-?\d+)(?::(?P<style>[tTdDfFR]))?)>")
_STYLES = {"t": "%H:%M", "T": "%H:%M:%S", "d": "%d/%m/%Y", "D": "%-d %B %Y", "f": "%-d %B %Y %H:%M",
           "F": "%A, %-d %B %Y %H:%M"}


def _relative(when: datetime, now: datetime) -> str:
    seconds = round((when - now).total_seconds())
    size = abs(seconds)
    units = (("year", 365 * 86400), ("month", 30 * 86400), ("day", 86400), ("hour", 3600), ("minute", 60))
    unit, count = next(((name, round(size / length)) for name, length in units if size >= length),
                       ("second", size))
    amount = f"{count} {unit}{'' if count == 1 else 's'}"
    return f"in {amount}" if seconds >= 0 else f"{amount} ago"


def as_members_see(text: str, world: World, guild_id: str, now: datetime, zone: ZoneInfo) -> str:
    """``text`` with mentions and timestamps rendered as a member's Discord client shows them:
    @display-name, @RoleName, #channel-name, /command and a date and time in ``zone``."""
    guild = world.guilds.get(guild_id)

    def render(match: re.Match[str]) -> str:
        if match.group("uid"):
            uid = match.group("uid")
            member = guild.members.get(uid) if guild else None
            user = world.users.get(uid) or {}
            name = ((member or {}).get("nick") or user.get("global_name") or user.get("username")
                    or "unknown-user")
            return f"@{name}"
        if match.group("role"):
            role = guild.roles.get(match.group("role")) if guild else None
            return f"@{role['name']}" if role else "@deleted-role"
        if match.group("channel"):
            channel = world.channels.get(match.group("channel"))
            return f"#{channel.get('name') or 'unknown'}" if channel else "#unknown"
        if match.group("command"):
            return f"/{match.group('command')}"
        when = datetime.fromtimestamp(int(match.group("stamp")), UTC)
        style = match.group("style") or "f"
        if style == "R":
            return _relative(when, now)
        return when.astimezone(zone).strftime(_STYLES[style])

    return _MARKUP.sub(render, text)


class Demo:
    def __init__(self, emulator: DiscordEmulator, server: Server, runner: BotRunner, clock: FakeClock,
                 out: TextIO, verbose: bool = False) -> None:
        self.emulator = emulator
        self.server = server
        self.runner = runner
        self.clock = clock
        self.out = out
        self.verbose = verbose
        self._people: dict[str, str] = {}

    @property
    def bot(self) -> Any:
        return self.runner.bot

    @property
    def time_zone(self) -> ZoneInfo:
        """The demo's time zone: what the bot uses for a server that has not chosen one."""
        return ZoneInfo(self.runner.config.bot.default_timezone)

    def heading(self, title: str) -> None:
        print(f"\n== {title} ==", file=self.out)

    def say(self, text: str) -> None:
        print(textwrap.fill(self.as_seen(text), width=100), file=self.out)

    def as_seen(self, text: str) -> str:
        """Mentions and timestamps as a member's Discord shows them (the bot sent the raw markup)."""
        return as_members_see(text, self.emulator.world, self.server.guild_id, self.clock.now(), self.time_zone)

    def show(self, who: str, message: dict[str, Any] | None) -> None:
        print(f"  [{who} sees]", file=self.out)
        for line in self.as_seen(text_of(message)).splitlines() or ["(nothing)"]:
            print(textwrap.indent(textwrap.fill(line, width=96) if line else "", "    "), file=self.out)

    async def answer(self, ix: Interaction) -> dict[str, Any]:
        """The member's view once the bot has answered (after a deferred update, once it edited)."""
        emu = self.emulator
        if await ix.response_type() == 6:
            def edited() -> bool:
                calls = emu.find_calls("PATCH", _ORIGINAL, where=lambda c: c.params["webhook_token"] == ix.record.token)
                return bool(ix.record.followup_ids) or any(c.status for c in calls)

            await emu.wait_until(edited, 5, "the bot's answer")
            if ix.record.followup_ids:
                return await ix.followup(len(ix.record.followup_ids) - 1)
            return ix.message or {}
        return await ix.reply()

    async def person(self, name: str) -> str:
        """The user id of a server member called ``name`` (they join the server the first time)."""
        if name not in self._people:
            self._people[name] = await self.emulator.member_join(self.server.guild_id, name)
        return self._people[name]


def load_scene(spec: str) -> Callable[[Demo], Awaitable[None]]:
    module, _, func = spec.partition(":")
    scene: Callable[[Demo], Awaitable[None]] = getattr(importlib.import_module(module), func)
    return scene


async def run_demo(verbose: bool = False, out: TextIO = sys.stdout) -> int:
    started = time.monotonic()
    emulator = DiscordEmulator()
    await emulator.start()
    server = emulator.build_server()
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    clock = FakeClock(now)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="peer-circles-demo-") as tmp:
        runner = BotRunner(emulator, clock, Path(tmp) / "demo.sqlite3")
        try:
            print("Peer Circles demo: the real bot against a local Discord emulator (no token, no network).",
                  file=out)
            spec = "on" if emulator.validator else (emulator.validation_off or "off")
            print(f"Every request the bot sends is checked against Discord's OpenAPI spec: {spec}.", file=out)
            await runner.start()
            demo = Demo(emulator, server, runner, clock, out, verbose)
            for spec_name in SCENES:
                try:
                    await load_scene(spec_name)(demo)
                except Exception as exc:  # a broken scene should not hide the others
                    failures += 1
                    print(f"  !! scene {spec_name} failed: {type(exc).__name__}: {exc}", file=out)
                    if verbose:
                        traceback.print_exc(file=out)
        finally:
            await runner.stop()
            await emulator.stop()
    if verbose:
        print("\nREST calls the bot made:", file=out)
        for call in emulator.calls:
            print(f"  {call.method} {call.template} -> {call.status}", file=out)
    rejected = len(emulator.spec_rejections)
    print(
        f"\nDone in {time.monotonic() - started:.1f}s: {len(emulator.calls)} REST calls, "
        f"{rejected} rejected by the spec, {failures} scene(s) failed.",
        file=out,
    )
    return 0 if failures == 0 and rejected == 0 else 1
