"""Discord failing around stories: a refused post waits for the moderators, a failing one is published later; a post
already deleted by hand does not stop a retraction; a refused deletion changes nothing."""

from __future__ import annotations

from bot.client import PeerCirclesBot
from bot.demo.runner import BotRunner
from emulator.events import Server
from emulator.server import DiscordEmulator
from tests.e2e.stories.helpers import publisher_idle, share, story_threads, story_world, wait_published
from tests.e2e.stories.test_moderation import moderator

THREADS = "/channels/{channel_id}/threads"


async def test_a_post_discord_refuses_waits_for_the_moderators_even_across_a_restart(
        runner: BotRunner, emulator: DiscordEmulator, server: Server) -> None:
    bot = await runner.start()
    world = await story_world(bot, emulator, server)
    emulator.inject_fault("POST", THREADS, 403, 50013, times=1)
    done, _ = await share(emulator, server, world.author, world.circle)
    assert "Story #1" in done["content"]
    await emulator.wait_until(lambda: emulator.find_calls("POST", THREADS), 5, "the refused attempt")
    await emulator.wait_until(lambda: publisher_idle(bot), 5, "the publisher to finish its attempt")
    assert story_threads(emulator, world.circle) == []
    assert await bot.db.fetchval("SELECT state FROM stories") == "ready", "kept, not lost"
    assert "Send Messages" in await bot.db.fetchval("SELECT publish_problem FROM stories")
    bot = await runner.restart()
    await emulator.wait_until(lambda: publisher_idle(bot), 5, "the first pass after the restart")
    assert len(emulator.find_calls("POST", THREADS)) == 1, "not posted again until a moderator says so"
    mod = await moderator(emulator, server)
    await (await emulator.slash(server.guild_id, mod, "story-admin retry", story=1)).reply()
    await wait_published(emulator, world.circle, bot=bot)


async def test_a_server_error_is_retried_by_discord_py_and_the_story_posted_once(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server)
    emulator.inject_fault("POST", THREADS, 500, times=1)
    await share(emulator, server, world.author, world.circle)
    await wait_published(emulator, world.circle, bot=bot)
    assert len(story_threads(emulator, world.circle)) == 1


async def test_retracting_a_post_already_deleted_by_hand_still_deletes_the_story(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server)
    _, receipt = await share(emulator, server, world.author, world.circle)
    await wait_published(emulator, world.circle, bot=bot)
    emulator.inject_fault("DELETE", "/channels/{channel_id}", 404, 10003, times=1)
    done = await (await emulator.slash(server.guild_id, world.author, "story retract", receipt=receipt)).reply()
    assert "taken down" in done["content"]
    assert await bot.db.fetchval("SELECT count(*) FROM stories") == 0


async def test_a_refused_deletion_is_explained_and_changes_nothing(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server)
    _, receipt = await share(emulator, server, world.author, world.circle)
    await wait_published(emulator, world.circle, bot=bot)
    emulator.inject_fault("DELETE", "/channels/{channel_id}", 403, 50013, times=1)
    refused = await (await emulator.slash(server.guild_id, world.author, "story retract", receipt=receipt)).reply()
    assert "couldn't take the post down" in refused["content"] and "Nothing was changed" in refused["content"]
    assert await bot.db.fetchval("SELECT state FROM stories") == "published"
    assert len(story_threads(emulator, world.circle)) == 1


async def test_a_missing_key_with_stories_stored_stops_the_start_instead_of_making_a_new_one(
        runner: BotRunner, emulator: DiscordEmulator, server: Server) -> None:
    import pytest

    from bot.core.anonymity import AnonymityKeyError
    from cogs.stories.members import Stories

    bot = await runner.start()
    world = await story_world(bot, emulator, server)
    await share(emulator, server, world.author, world.circle)
    await wait_published(emulator, world.circle, bot=bot)
    key_file = runner.config.anonymity_key_path
    await runner.stop()
    key_file.unlink()
    again = PeerCirclesBot(runner.config, clock=runner.clock)
    await again.db.connect()
    try:
        # What setup_hook runs when it loads the stories cog (run_bot then exits 1 with the message).
        with pytest.raises(AnonymityKeyError) as failed:
            await Stories(again).cog_load()
    finally:
        await again.db.close()
    assert "Refusing to start" in str(failed.value)
    assert not key_file.exists(), "no new key: the stories keep their authors once the key is restored"
