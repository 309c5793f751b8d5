"""Shared steps for the circle e2e tests: a set-up server, circles created through the real commands."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.circles.records import Circle, resolve_circle
from bot.circles.settings import get_circle_settings, save_circle_settings
from bot.client import PeerCirclesBot
from bot.core.guild_settings import save_settings
from cogs.common.context import guild_settings
from emulator.events import Server
from emulator.interactions import Interaction
from emulator.server import DiscordEmulator


async def set_up(bot: PeerCirclesBot, server: Server, *, stories_mode: str = "none", grace_days: int = 7,
                 welcome_channel_id: str | None = None) -> None:
    """The state /setup leaves (tests/e2e/test_setup.py covers the menus themselves)."""
    gid = int(server.guild_id)
    settings = await guild_settings(bot, gid)
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


ORIGINAL = "/webhooks/{application_id}/{webhook_token}/messages/@original"


async def answer(ix: Interaction) -> dict[str, Any]:
    """What the person sees once the bot has finished answering.

    ``Interaction.reply()`` returns a component's message at once after a deferred update (type 6),
    before the bot's edit; this waits for that edit (or a follow-up, e.g. an error) first.
    """
    if await ix.response_type() != 6:
        return await ix.reply()
    emulator, token = ix.emulator, ix.record.token

    def done() -> bool:
        edits = emulator.find_calls("PATCH", ORIGINAL, where=lambda c: c.params["webhook_token"] == token)
        return bool(ix.record.followup_ids) or any(c.status for c in edits)

    await emulator.wait_until(done, 5, f"the bot to finish answering {ix.id}")
    if ix.record.followup_ids:
        return await ix.followup(len(ix.record.followup_ids) - 1)
    message = ix.message
    assert message is not None
    return message


async def press(emulator: DiscordEmulator, user_id: str, message: dict[str, Any], label: str) -> dict[str, Any]:
    """A person presses a button and reads the bot's answer."""
    return await answer(await emulator.click(user_id, message, label=label))


async def join(emulator: DiscordEmulator, server: Server, user_id: str, circle: Circle,
               *, dm_copy: bool = False) -> dict[str, Any]:
    """A member runs /circle join and presses I agree; returns the card they end up with."""
    card = await (await emulator.slash(server.guild_id, user_id, "circle join", circle=str(circle.id))).reply()
    if dm_copy:
        card = await press(emulator, user_id, card, "☐ Also send the welcome to my DMs")
    return await press(emulator, user_id, card, "I agree")


def dms(emulator: DiscordEmulator, user_id: str) -> list[dict[str, Any]]:
    """Messages in a member's DM channel with the bot, oldest first."""
    channel = emulator.world.dm_channels.get(user_id)
    return list(emulator.world.messages.get(channel, {}).values()) if channel else []


def has_role(emulator: DiscordEmulator, server: Server, user_id: str, role_id: int | None) -> bool:
    member = emulator.world.guilds[server.guild_id].members.get(user_id)
    return member is not None and str(role_id) in member["roles"]
