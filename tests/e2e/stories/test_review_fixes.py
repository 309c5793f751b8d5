"""What a review of stories found: a crisis-held story can't be approved by one click, sharing waits
for the moderators' queue, any publishing failure keeps the story, an author's reply at concern gets
the private card, and a decline form submitted after a restart still works."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.client import PeerCirclesBot
from bot.demo.runner import BotRunner
from bot.stories import cards
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DiscordEmulator
from tests.e2e.circles.helpers import answer
from tests.e2e.stories.helpers import preview, reply_as_author, share, story_threads, story_world, wait_published

CRISIS = "The pain has been endless for years and I want to kill myself tonight. I have the pills ready."


async def moderator(emulator: DiscordEmulator, server: Server) -> str:
    mod = await emulator.member_join(server.guild_id, "mo")
    await emulator.set_roles(server.guild_id, mod, [server.moderator_role_id])
    return mod


def review_cards(emulator: DiscordEmulator, server: Server) -> list[dict[str, Any]]:
    return [m for m in emulator.world.messages.get(server.queue_id, {}).values() if "Story for review" in text_of(m)]


async def test_a_story_held_for_crisis_language_is_not_approved_by_one_click_but_can_be_declined(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server)
    mod = await moderator(emulator, server)
    card = await preview(emulator, server, world.author, world.circle, CRISIS)
    await answer(await emulator.click(world.author, card, label="Post"))
    await emulator.wait_until(lambda: review_cards(emulator, server), 5, "the review card")
    (queued,) = review_cards(emulator, server)

    refused = await answer(await emulator.click(mod, queued, label="Approve"))
    assert refused["flags"] & 64 and "held because it has crisis language" in refused["content"]
    assert await bot.db.fetchval("SELECT state FROM stories") == "review"
    assert story_threads(emulator, world.circle) == []

    ix = await emulator.click(mod, queued, label="Decline")
    declined = await answer(await emulator.submit_modal(mod, ix, {"reason": "Not for the circle right now."}))
    assert "Declined by" in declined["content"]
    assert await bot.db.fetchval("SELECT state FROM stories") == "declined"


async def test_sharing_waits_until_the_moderators_queue_is_set_up(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server)
    await bot.db.execute("UPDATE guild_settings SET queue_channel_id = NULL WHERE guild_id = ?",
                         (int(server.guild_id),))
    ix = await emulator.slash(server.guild_id, world.author, "story share", circle=str(world.circle.id))
    refused = await ix.reply()
    assert refused["flags"] & 64 and "queue isn't set up" in refused["content"]
    assert await bot.db.fetchval("SELECT count(*) FROM stories") == 0


async def test_any_failure_while_publishing_keeps_the_story_ready_and_logs_no_text(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    world = await story_world(bot, emulator, server)

    def broken(*args: object, **kwargs: object) -> cards.Card:
        raise RuntimeError("something unexpected")

    monkeypatch.setattr(cards, "post_card", broken)
    caplog.set_level(logging.WARNING)
    await share(emulator, server, world.author, world.circle, "A secret little story about my garden and tea.")
    cog: Any = bot.get_cog("Stories")
    await emulator.wait_until(lambda: cog._publish_task is not None and cog._publish_task.done(), 5, "the attempt")
    assert cog._publish_task.exception() is None, "the publisher survives"
    story_id = await bot.db.fetchval("SELECT id FROM stories")
    assert await bot.db.fetchval("SELECT state FROM stories") == "ready", "kept for the next attempt"
    failure = [r.getMessage() for r in caplog.records if "could not publish" in r.getMessage()]
    assert failure and f"story_id={story_id}" in failure[0] and "RuntimeError" in failure[0]
    assert "garden" not in caplog.text

    monkeypatch.undo()
    cog.request_publish()
    await wait_published(emulator, world.circle, bot=bot)


async def test_an_author_reply_at_concern_is_posted_and_the_author_gets_the_private_card(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server)
    await share(emulator, server, world.author, world.circle)
    (thread,) = await wait_published(emulator, world.circle, bot=bot)
    shown = await reply_as_author(emulator, world.author, thread,
                                  "Thank you all. I feel hopeless lately, but this helps.")
    assert shown["flags"] & 64 and "being posted" in shown["content"]
    assert "988" in text_of(shown) and "Connect me with a moderator" in text_of(shown)
    await bot.outbox.drain()
    await emulator.wait_until(lambda: any("hopeless" in text_of(m) for m in
                                          emulator.world.messages[thread["id"]].values()), 5, "the reply posted")


async def test_a_decline_submitted_after_a_restart_still_declines(
        runner: BotRunner, emulator: DiscordEmulator, server: Server) -> None:
    bot = await runner.start()
    world = await story_world(bot, emulator, server, review_mode="all")
    mod = await moderator(emulator, server)
    _, _receipt = await share(emulator, server, world.author, world.circle)
    await emulator.wait_until(lambda: review_cards(emulator, server), 5, "the review card")
    (queued,) = review_cards(emulator, server)
    ix = await emulator.click(mod, queued, label="Decline")
    await ix.response_type()
    bot = await runner.restart()
    declined = await answer(await emulator.submit_modal(mod, ix, {"reason": "It names a clinic."}))
    assert "Declined by" in declined["content"] and "It names a clinic." in declined["content"]
    assert await bot.db.fetchval("SELECT state FROM stories") == "declined"
