"""Shared steps for the check-in e2e tests: a set-up server with a circle and members, a series."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from bot.circles.records import Circle
from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DiscordEmulator
from tests.e2e.circles.helpers import create_circle, dms, join, set_up

EVENTS = "/guilds/{guild_id}/scheduled-events"
EVENT = "/guilds/{guild_id}/scheduled-events/{event_id}"


async def slash(emulator: DiscordEmulator, server: Server, user: str, path: str, **options: Any) -> str:
    """Run a slash command and return the text of the (ephemeral) answer."""
    return text_of(await (await emulator.slash(server.guild_id, user, path, **options)).reply())


async def circle_with_members(emulator: DiscordEmulator, bot: PeerCirclesBot, server: Server, *names: str,
                              circle_name: str = "Fibro Friends") -> tuple[Circle, list[str]]:
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, circle_name)
    people = []
    for name in names:
        user = await emulator.member_join(server.guild_id, name)
        await join(emulator, server, user, circle)
        people.append(user)
    return circle, people


async def settle(bot: PeerCirclesBot) -> None:
    """Let the scheduler's pass, the outbox and the event keeper finish what the clock started."""
    for _ in range(3):
        await bot.scheduler.run_due()
        assert bot.checkin_events is not None
        await bot.checkin_events.idle.wait()
        await bot.outbox.drain(5)


async def move_to(bot: PeerCirclesBot, clock: FakeClock, when: datetime) -> None:
    clock.set(when)
    await settle(bot)


def events_of(emulator: DiscordEmulator, server: Server) -> list[dict[str, Any]]:
    """The server's scheduled events, by start time."""
    found = emulator.world.guilds[server.guild_id].scheduled_events.values()
    return sorted(found, key=lambda e: (e["scheduled_start_time"], e["id"]))


def dm_texts(emulator: DiscordEmulator, user: str) -> list[str]:
    return [text_of(m) for m in dms(emulator, user)]


def channel_texts(emulator: DiscordEmulator, channel_id: int | None) -> list[str]:
    return [text_of(m) for m in emulator.world.messages.get(str(channel_id), {}).values()]


async def rows(bot: PeerCirclesBot, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in await bot.db.fetchall(sql, params)]


async def until(read: Callable[[], Awaitable[Any]], expected: Any, within: float = 5.0) -> None:
    """Wait (real time, briefly) until ``await read()`` equals ``expected``: for listeners the
    gateway feeds, whose work the test cannot await directly."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while (value := await read()) != expected:
        if loop.time() > deadline:
            raise AssertionError(f"still {value!r}, expected {expected!r}")
        await asyncio.sleep(0.01)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


MINUTE = timedelta(minutes=1)


async def voice(bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, user: str,
                channel: int | str | None) -> None:
    """A member joins, moves to or (None) leaves a voice channel; waits until the bot recorded it."""
    target = None if channel is None else str(channel)
    await emulator.voice(server.guild_id, user, target)
    guild = bot.get_guild(int(server.guild_id))
    assert guild is not None

    def seen() -> bool:
        member = guild.get_member(int(user))
        now = member.voice.channel.id if member and member.voice and member.voice.channel else None
        return now == (None if target is None else int(target))

    await emulator.wait_until(seen, 5, "the bot to see the voice change")
    tracked = await rows(bot, "SELECT voice_channel_id FROM circles WHERE guild_id = ?", (int(server.guild_id),))
    expect = [(int(target),)] if target is not None and (int(target),) in tracked else []
    await until(lambda: rows(bot, "SELECT channel_id FROM checkin_voice WHERE user_id = ? AND left_at IS NULL",
                             (int(user),)), expect)
