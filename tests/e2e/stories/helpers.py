"""Shared steps for the story e2e tests: a server with a circle that has a stories channel, a
member in it, and sharing a story through the real modal, preview and Post button."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from bot.circles.records import Circle
from bot.client import PeerCirclesBot
from bot.stories.settings import StorySettings, get_story_settings, save_story_settings
from emulator.events import Server
from emulator.interactions import Interaction, text_of
from emulator.server import DiscordEmulator
from tests.e2e.circles.helpers import answer, create_circle, join, set_up

STORY = "Today my back pain was loud, but I made tea and sat in the garden for ten minutes. Small win."
RECEIPT_PREFIX = "**Your receipt:** `"


@dataclass
class World:
    circle: Circle
    author: str
    reader: str


async def story_world(bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, *,
                      mode: str = "forum", **settings: Any) -> World:
    await set_up(bot, server, stories_mode=mode)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    assert circle.stories_channel_id
    author = await emulator.member_join(server.guild_id, "ann")
    reader = await emulator.member_join(server.guild_id, "bea")
    await join(emulator, server, author, circle)
    await join(emulator, server, reader, circle)
    # The random delay is on by default; tests that are not about timing publish at once.
    settings = {"delay": False, **settings}
    if settings:
        current = await get_story_settings(bot.db, int(server.guild_id))
        await save_story_settings(bot.db, bot.clock, StorySettings(**{**current.__dict__, **settings}))
    return World(circle, author, reader)


async def open_form(emulator: DiscordEmulator, server: Server, user: str, circle: Circle | str) -> Interaction:
    value = circle if isinstance(circle, str) else str(circle.id)
    return await emulator.slash(server.guild_id, user, "story share", circle=value)


async def preview(emulator: DiscordEmulator, server: Server, user: str, circle: Circle, body: str = STORY, *,
                  warning: str = "", title: str = "") -> dict[str, Any]:
    ix = await open_form(emulator, server, user, circle)
    sub = await emulator.submit_modal(user, ix, {"story": body, "warning": warning, "title": title})
    return await sub.reply()


def receipt_of(message: dict[str, Any]) -> str:
    text = message["content"]
    assert RECEIPT_PREFIX in text, text
    return text.split(RECEIPT_PREFIX, 1)[1].split("`", 1)[0]


async def share(emulator: DiscordEmulator, server: Server, user: str, circle: Circle, body: str = STORY,
                **fields: str) -> tuple[dict[str, Any], str]:
    """Preview and Post; returns (the receipt message, the receipt code)."""
    card = await preview(emulator, server, user, circle, body, **fields)
    assert "Post" in text_of(card), text_of(card)
    done = await answer(await emulator.click(user, card, label="Post"))
    return done, receipt_of(done)


def story_threads(emulator: DiscordEmulator, circle: Circle) -> list[dict[str, Any]]:
    return [c for c in emulator.world.channels.values() if c.get("parent_id") == str(circle.stories_channel_id)]


async def wait_published(emulator: DiscordEmulator, circle: Circle, count: int = 1, *,
                         bot: PeerCirclesBot) -> list[dict[str, Any]]:
    """Wait for ``count`` story threads and for the bot to have recorded them as published."""
    await emulator.wait_until(lambda: len(story_threads(emulator, circle)) >= count, 5, "the story to be posted")

    async def recorded() -> bool:
        return bool(await bot.db.fetchval("SELECT count(*) FROM stories WHERE state = 'published'") >= count)

    for _ in range(500):
        if await recorded():
            break
        await asyncio.sleep(0.01)
    assert await recorded(), "the bot did not record the story as published"
    return story_threads(emulator, circle)


def publisher_idle(bot: PeerCirclesBot) -> bool:
    task = getattr(bot.get_cog("Stories"), "_publish_task", None)
    return task is not None and task.done()


def channel_posts(emulator: DiscordEmulator, circle: Circle) -> list[dict[str, Any]]:
    """Messages in the circle's stories channel (a text channel's starters)."""
    return list(emulator.world.messages.get(str(circle.stories_channel_id), {}).values())


async def reply_as_author(emulator: DiscordEmulator, user: str, thread: dict[str, Any], text: str) -> dict[str, Any]:
    """Press "Reply as the author" on the story's post, fill the form and submit it; what the member sees."""
    post = emulator.world.messages[thread["id"]][thread["id"]]  # a forum post's starter shares the thread id
    ix = await emulator.click(user, post, label="Reply as the author")
    sub = await emulator.submit_modal(user, ix, {"reply": text})
    return await sub.reply()


def starter(emulator: DiscordEmulator, thread: dict[str, Any]) -> dict[str, Any]:
    return emulator.world.messages[thread["id"]][thread["id"]]
