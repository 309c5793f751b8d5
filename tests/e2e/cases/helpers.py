"""Shared steps for the cases e2e tests: a set-up server with a moderator, and reading the queue."""

from __future__ import annotations

from typing import Any

from bot.client import PeerCirclesBot
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DiscordEmulator
from tests.e2e.circles.helpers import set_up

CRISIS = "I have decided to end my life tonight, I have the pills ready"
CONCERN = "I feel hopeless lately"


async def ready(bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> str:
    """/setup done (queue channel, roles), each role held by someone (a page to an empty role
    reaches nobody, so the chain would pass it by); returns a moderator's user id."""
    await set_up(bot, server)
    await emulator.set_roles(server.guild_id, await emulator.member_join(server.guild_id, "oz-oncall"),
                             [server.oncall_role_id])
    await emulator.set_roles(server.guild_id, await emulator.member_join(server.guild_id, "orla-organiser"),
                             [server.organiser_role_id])
    mod = await emulator.member_join(server.guild_id, "mo-moderator")
    await emulator.set_roles(server.guild_id, mod, [server.moderator_role_id])
    guild = bot.get_guild(int(server.guild_id))
    assert guild is not None
    await emulator.wait_until(lambda: all(guild.get_role(int(r)).members for r in (  # type: ignore[union-attr]
        server.oncall_role_id, server.organiser_role_id, server.moderator_role_id)), 5, "the roles held in the cache")
    return mod


def queue_messages(emulator: DiscordEmulator, server: Server) -> list[dict[str, Any]]:
    return list(emulator.world.messages.get(server.queue_id, {}).values())


# ``number``: the case's number in its server (Case.number), what the queue shows.
def queue_message(emulator: DiscordEmulator, server: Server, number: int) -> dict[str, Any] | None:
    return next((m for m in queue_messages(emulator, server)
                 if any(e.get("title", "").startswith(f"Case #{number}:") for e in m.get("embeds", []))), None)


async def wait_queue_message(emulator: DiscordEmulator, server: Server, number: int) -> dict[str, Any]:
    await emulator.wait_until(lambda: queue_message(emulator, server, number), 5, f"case #{number} in the queue")
    found = queue_message(emulator, server, number)
    assert found is not None
    return found


def pages(emulator: DiscordEmulator, server: Server, number: int) -> list[str]:
    return [m["content"] for m in queue_messages(emulator, server)
            if f"case #{number}" in m.get("content", "").lower() and not m.get("embeds")]


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(text_of(m) for m in messages)


async def wait_cases(bot: PeerCirclesBot, server: Server, count: int, within: float = 5.0) -> list[Any]:
    """The server's cases (all statuses) once there are ``count`` of them (listeners run asynchronously)."""
    import asyncio

    from bot.cases.records import list_cases

    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        cases = [c for status in ("open", "claimed", "resolved")
                 for c in await list_cases(bot.db, int(server.guild_id), status=status)]
        if len(cases) >= count or loop.time() > deadline:
            assert len(cases) == count, f"expected {count} cases, found {len(cases)}"
            return sorted(cases, key=lambda c: c.id)
        await asyncio.sleep(0.01)


async def wait_events(bot: PeerCirclesBot, server: Server, event: str, count: int, within: float = 20.0) -> list[Any]:
    """The server's case events of one kind once there are ``count`` (listeners run asynchronously)."""
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        rows = await bot.db.fetchall("SELECT case_id, detail FROM case_events WHERE guild_id = ? AND event = ?"
                                     " ORDER BY id", (int(server.guild_id), event))
        if len(rows) >= count or loop.time() > deadline:
            assert len(rows) == count, f"expected {count} {event} events, found {len(rows)}"
            return list(rows)
        await asyncio.sleep(0.01)
