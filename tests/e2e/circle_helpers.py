"""Shared steps for the circle e2e tests: a set-up server, circles created through the real commands."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.circle_settings import get_circle_settings, save_circle_settings
from bot.circles import Circle, resolve_circle
from bot.client import PeerCirclesBot
from bot.emulator.events import Server
from bot.emulator.server import DiscordEmulator
from bot.guild_settings import get_settings, save_settings


async def set_up(bot: PeerCirclesBot, server: Server, *, stories_mode: str = "none", grace_days: int = 7,
                 welcome_channel_id: str | None = None) -> None:
    """The state /setup leaves (tests/e2e/test_setup.py covers the menus themselves)."""
    gid = int(server.guild_id)
    settings = await get_settings(bot.db, gid)
    await save_settings(bot.db, bot.clock, replace(
        settings, organiser_role_id=int(server.organiser_role_id), moderator_role_id=int(server.moderator_role_id),
        oncall_role_id=int(server.oncall_role_id), queue_channel_id=int(server.queue_id),
        circle_category_id=int(server.category_id), setup_done=True))
    circles = await get_circle_settings(bot.db, gid)
    await save_circle_settings(bot.db, bot.clock, replace(
        circles, stories_mode=stories_mode, grace_days=grace_days,
        welcome_channel_id=int(welcome_channel_id) if welcome_channel_id else None))


async def create_circle(emulator: DiscordEmulator, bot: PeerCirclesBot, server: Server, name: str = "Fibro Friends",
                        *, capacity: int = 8, topics: str = "fibromyalgia", language: str = "en",
                        **options: Any) -> Circle:
    ix = await emulator.slash(server.guild_id, server.owner_id, "circle-admin create", name=name,
                              description="A gentle weekly circle", topics=topics, language=language,
                              capacity=capacity, **options)
    reply = await ix.reply()
    assert reply["content"].startswith("Created"), reply["content"]
    return await resolve_circle(bot.db, int(server.guild_id), name)


async def join(emulator: DiscordEmulator, server: Server, user_id: str, circle: Circle,
               *, dm_copy: bool = False) -> dict[str, Any]:
    """A member runs /circle join and presses I agree; returns the card they end up with."""
    card = await (await emulator.slash(server.guild_id, user_id, "circle join", circle=str(circle.id))).reply()
    if dm_copy:
        card = await (await emulator.click(user_id, card, label="☐ Also send the welcome to my DMs")).reply()
    return await (await emulator.click(user_id, card, label="I agree")).reply()


def has_role(emulator: DiscordEmulator, server: Server, user_id: str, role_id: int | None) -> bool:
    member = emulator.world.guilds[server.guild_id].members.get(user_id)
    return member is not None and str(role_id) in member["roles"]
