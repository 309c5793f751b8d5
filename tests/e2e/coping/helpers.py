"""Shared steps for the coping e2e tests: a circle with members, sharing through the real modals."""

from __future__ import annotations

from typing import Any

from bot.circles.records import Circle
from bot.client import PeerCirclesBot
from emulator.events import Server
from emulator.server import DiscordEmulator
from tests.e2e.circles.helpers import create_circle, join, set_up

POST = "/channels/{channel_id}/messages"


async def circle_with(bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server,
                      *names: str) -> tuple[Circle, list[str]]:
    """A set-up server, a circle, and members who joined it (ids in the order named)."""
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Fibro Friends", capacity=10)
    ids = []
    for name in names:
        uid = await emulator.member_join(server.guild_id, name)
        await join(emulator, server, uid, circle)
        ids.append(uid)
    return circle, ids


async def slash(emulator: DiscordEmulator, server: Server, user: str, path: str, **options: Any) -> dict[str, Any]:
    return await (await emulator.slash(server.guild_id, user, path, **options)).reply()


async def share_strategy(emulator: DiscordEmulator, server: Server, user: str, circle: Circle, text: str, *,
                         category: str = "pacing", helps: str = "", anonymous: bool = False) -> dict[str, Any]:
    ix = await emulator.slash(server.guild_id, user, "strategy share", circle=str(circle.id), category=category,
                              anonymous=anonymous)
    values = {"coping_text": text, "coping_helps": helps}
    return await (await emulator.submit_modal(user, ix, values)).reply()


async def share_win(emulator: DiscordEmulator, server: Server, user: str, circle: Circle, text: str, *,
                    anonymous: bool = False, name_in_recap: bool = False) -> dict[str, Any]:
    ix = await emulator.slash(server.guild_id, user, "win share", circle=str(circle.id), anonymous=anonymous,
                              name_in_recap=name_in_recap)
    return await (await emulator.submit_modal(user, ix, {"coping_text": text})).reply()


def posts(emulator: DiscordEmulator, channel_id: int | None) -> list[dict[str, Any]]:
    """Messages the bot posted in a channel, oldest first."""
    return list(emulator.world.messages.get(str(channel_id), {}).values())


async def wait_posts(emulator: DiscordEmulator, channel_id: int | None, count: int) -> list[dict[str, Any]]:
    def enough() -> list[dict[str, Any]] | None:
        found = [m for m in posts(emulator, channel_id) if m.get("embeds")]
        return found if len(found) >= count else None

    return await emulator.wait_until(enough, 5, f"{count} post(s) in the circle channel")


def post_calls(emulator: DiscordEmulator, channel_id: int | None) -> list[Any]:
    return emulator.find_calls("POST", POST, where=lambda c: c.params["channel_id"] == str(channel_id))
