"""Timing (issue 25): the random delay is on by default, for the post and for the review card;
the outbox and schedule rows of stories carry no exact second; a spent publish schedule is deleted."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock, parse_iso_utc
from emulator.events import Server
from emulator.server import DiscordEmulator
from tests.e2e.stories.helpers import reply_as_author, share, story_threads, story_world, wait_published
from tests.e2e.stories.test_moderation import queue_messages


def on_the_hour(stamp: str) -> bool:
    return stamp.endswith((":00:00Z", ":00:00+00:00"))


async def test_the_delay_is_on_by_default_its_schedule_keeps_no_second_and_goes_once_spent(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    world = await story_world(bot, emulator, server)
    await bot.db.execute("DELETE FROM story_settings")  # a server that never chose: the defaults
    clock.advance(minutes=7, seconds=13)
    done, _ = await share(emulator, server, world.author, world.circle)
    assert "within about ten minutes" in done["content"]
    assert await bot.db.fetchval("SELECT delay FROM story_settings") == 1
    created, updated = await bot.db.fetchone(
        "SELECT created_at, updated_at FROM schedules WHERE kind = 'story_publish'")
    assert on_the_hour(created) and on_the_hour(updated), (created, updated)
    await asyncio.sleep(0.05)
    assert story_threads(emulator, world.circle) == []
    clock.advance(minutes=11)
    (thread,) = await wait_published(emulator, world.circle, bot=bot)
    assert await bot.db.fetchval("SELECT count(*) FROM schedules WHERE kind = 'story_publish'") == 0, "spent: deleted"

    await reply_as_author(emulator, world.author, thread, "Thank you all, it means a lot.")
    key, created = await bot.db.fetchone("SELECT key, created_at FROM outbox WHERE kind = 'story_reply'")
    assert on_the_hour(created), created
    interaction_ids = {c.params.get("interaction_id") for c in emulator.find_calls("POST")} - {None}
    assert not any(i in key for i in interaction_ids), "no snowflake (which carries the second) in the key"


async def test_the_review_card_waits_out_the_delay_too(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    world = await story_world(bot, emulator, server, review_mode="all", delay=True)
    clock.advance(minutes=7, seconds=13)
    await share(emulator, server, world.author, world.circle)
    created, first = await bot.db.fetchone("SELECT created_at, next_attempt_at FROM outbox WHERE kind = 'story_review'")
    assert on_the_hour(created), created
    assert parse_iso_utc(first) >= clock.now() + timedelta(seconds=59), "not before the random delay"
    await bot.outbox.drain()
    assert queue_messages(emulator, server) == []
    clock.advance(minutes=11)
    await emulator.wait_until(lambda: queue_messages(emulator, server), 5, "the review card, later")
