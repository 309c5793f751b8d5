"""Sharing a story end to end: modal, preview, Post, receipt, the anonymous forum post."""

from __future__ import annotations

from bot.client import PeerCirclesBot
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DiscordEmulator
from tests.e2e.stories.helpers import STORY, share, starter, story_world, wait_published

EPHEMERAL = 1 << 6


async def test_a_story_is_previewed_posted_under_a_pseudonym_and_a_receipt_shown_once(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server)
    done, receipt = await share(emulator, server, world.author, world.circle, STORY, warning="back pain",
                                title="Tea in the garden")
    assert done["flags"] & EPHEMERAL
    assert "Anonymous member - Story #1" in done["content"]
    (thread,) = await wait_published(emulator, world.circle)
    assert thread["name"] == "Anonymous member - Story #1: Tea in the garden"
    post = starter(emulator, thread)
    text = text_of(post)
    assert "Content warning:** back pain" in text
    assert "||" + STORY + "||" in text
    assert "Anonymous member - Story #1" in text
    assert world.author not in str(post)
    call = emulator.find_calls("POST", "/channels/{channel_id}/threads")[-1]
    assert call.json["message"]["allowed_mentions"] == {"parse": []}
    assert len(receipt) == 19
