"""Publishing is idempotent (issue 25): a thread Discord refuses leaves no post behind, is not
posted again on later passes, and the moderators and the author (through the receipt) learn why;
a passing failure reuses the recorded starter message; a gateway reconnect leaves stories in
flight alone."""

from __future__ import annotations

from typing import Any

from bot.client import PeerCirclesBot
from bot.stories import records
from emulator import state as S
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DiscordEmulator
from tests.e2e.stories.helpers import (
    channel_posts,
    publisher_idle,
    share,
    story_threads,
    story_world,
    wait_published,
)
from tests.e2e.stories.test_moderation import moderator, slash

MESSAGES = "/channels/{channel_id}/messages"
FROM_MESSAGE = "/channels/{channel_id}/messages/{message_id}/threads"
STARTER = "/channels/{channel_id}/messages/{message_id}"


def bot_role(emulator: DiscordEmulator, server: Server) -> str:
    return str(emulator.world.guilds[server.guild_id].members[emulator.world.bot_id]["roles"][0])


def notices(emulator: DiscordEmulator, server: Server) -> list[dict[str, Any]]:
    return [m for m in emulator.world.messages.get(server.queue_id, {}).values()
            if "couldn't be published" in text_of(m)]


def starters_sent(emulator: DiscordEmulator, circle: Any) -> int:
    return len(emulator.find_calls("POST", MESSAGES,
                                   where=lambda c: c.params["channel_id"] == str(circle.stories_channel_id)))


async def refuse_threads(emulator: DiscordEmulator, server: Server, circle: Any) -> None:
    """An organiser denies the bot Create Public Threads, in the server and in the stories channel."""
    await emulator.set_role_permissions(server.guild_id, bot_role(emulator, server),
                                        S.BOT_DEFAULT & ~S.CREATE_PUBLIC_THREADS)
    channel = emulator.world.channels[str(circle.stories_channel_id)]
    for overwrite in channel.get("permission_overwrites", []):
        if overwrite["id"] == emulator.world.bot_id:
            overwrite["allow"] = str(int(overwrite["allow"]) & ~S.CREATE_PUBLIC_THREADS)
            overwrite["deny"] = str(int(overwrite.get("deny", 0)) | S.CREATE_PUBLIC_THREADS)


async def allow_threads(emulator: DiscordEmulator, server: Server, circle: Any) -> None:
    await emulator.set_role_permissions(server.guild_id, bot_role(emulator, server), S.BOT_DEFAULT)
    channel = emulator.world.channels[str(circle.stories_channel_id)]
    for overwrite in channel.get("permission_overwrites", []):
        if overwrite["id"] == emulator.world.bot_id:
            overwrite["allow"] = str(int(overwrite["allow"]) | S.CREATE_PUBLIC_THREADS)
            overwrite["deny"] = str(int(overwrite.get("deny", 0)) & ~S.CREATE_PUBLIC_THREADS)


async def test_a_refused_thread_leaves_no_post_is_not_reposted_and_retract_leaves_zero_copies(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server, mode="threads")
    await refuse_threads(emulator, server, world.circle)
    _, receipt = await share(emulator, server, world.author, world.circle)
    await emulator.wait_until(lambda: notices(emulator, server), 5, "the moderators' notice")
    (notice,) = notices(emulator, server)
    assert "Story #1" in text_of(notice) and "Create Public Threads" in text_of(notice)
    assert "/story-admin retry story:1" in text_of(notice) and world.author not in str(notice)
    assert channel_posts(emulator, world.circle) == [], "the starter message was deleted"
    status = await slash(emulator, server, world.author, "story status", receipt=receipt)
    assert "isn't published yet" in status["content"] and "Create Public Threads" in status["content"]
    assert "Nothing of it was left in the channel" in status["content"]
    assert "Nothing of it was left in the channel" in text_of(notice)

    # Later publish passes (another story, a restart's pass) do not post it again.
    await emulator.wait_until(lambda: publisher_idle(bot), 5, "the publisher to finish")
    bot.get_cog("Stories").request_publish()  # type: ignore[union-attr]
    await emulator.wait_until(lambda: publisher_idle(bot), 5, "the second pass")
    assert starters_sent(emulator, world.circle) == 1
    assert len(notices(emulator, server)) == 1

    done = await slash(emulator, server, world.author, "story retract", receipt=receipt)
    assert "taken down" in done["content"]
    assert channel_posts(emulator, world.circle) == [] and story_threads(emulator, world.circle) == []
    assert await bot.db.fetchval("SELECT count(*) FROM stories") == 0


async def test_a_starter_discord_would_not_let_go_is_deleted_by_the_retraction(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server, mode="threads")
    await refuse_threads(emulator, server, world.circle)
    emulator.inject_fault("DELETE", "/channels/{channel_id}/messages/{message_id}", 403, 50013, times=1)
    _, receipt = await share(emulator, server, world.author, world.circle)
    await emulator.wait_until(lambda: notices(emulator, server), 10, "the moderators' notice")
    assert len(channel_posts(emulator, world.circle)) == 1, "Discord kept the starter this time"
    (notice,) = notices(emulator, server)
    assert "still in the channel" in text_of(notice) and "Nothing of it" not in text_of(notice)
    status = await slash(emulator, server, world.author, "story status", receipt=receipt)
    assert "still in the channel" in status["content"] and "retracting the story deletes it" in status["content"]
    done = await slash(emulator, server, world.author, "story retract", receipt=receipt)
    assert "taken down" in done["content"]
    assert channel_posts(emulator, world.circle) == [], "the retraction deleted the recorded starter"


async def test_a_moderator_retries_once_the_permission_is_back_and_it_is_posted_once(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server, mode="threads")
    mod = await moderator(emulator, server)
    await refuse_threads(emulator, server, world.circle)
    _, receipt = await share(emulator, server, world.author, world.circle)
    await emulator.wait_until(lambda: notices(emulator, server), 5, "the moderators' notice")
    refused = await slash(emulator, server, world.reader, "story-admin retry", story=1)
    assert "Only moderators" in refused["content"]
    await allow_threads(emulator, server, world.circle)
    done = await slash(emulator, server, mod, "story-admin retry", story=1)
    assert "Trying Anonymous member - Story #1 again" in done["content"]
    (thread,) = await wait_published(emulator, world.circle, bot=bot)
    (post,) = channel_posts(emulator, world.circle)
    assert post.get("thread", {}).get("id") == thread["id"]
    again = await slash(emulator, server, mod, "story-admin retry", story=1)
    assert "nothing to retry" in again["content"]
    status = await slash(emulator, server, world.author, "story status", receipt=receipt)
    assert "is published in" in status["content"]


async def test_a_passing_failure_reuses_the_recorded_starter(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server, mode="threads")
    # Not a refusal for good (403/404): an unexpected answer, tried again at the next pass.
    emulator.inject_fault("POST", FROM_MESSAGE, 400, 50035, times=1)
    await share(emulator, server, world.author, world.circle)
    await emulator.wait_until(lambda: emulator.find_calls("POST", FROM_MESSAGE), 10, "the failed thread")
    await emulator.wait_until(lambda: publisher_idle(bot), 5, "the publisher to give up for now")
    assert await bot.db.fetchval("SELECT state FROM stories") == "ready"
    (first,) = channel_posts(emulator, world.circle)
    assert await bot.db.fetchval("SELECT message_id FROM stories") == int(first["id"]), "recorded before the thread"
    bot.get_cog("Stories").request_publish()  # type: ignore[union-attr]
    (thread,) = await wait_published(emulator, world.circle, bot=bot)
    (post,) = channel_posts(emulator, world.circle)
    assert post["id"] == first["id"] and post.get("thread", {}).get("id") == thread["id"]
    assert starters_sent(emulator, world.circle) == 1


async def test_a_starter_deleted_before_its_thread_is_a_passing_failure_not_a_channel_gone(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server, mode="threads")
    # Someone deletes the starter between its post and its thread: Discord answers 404 Unknown Message.
    emulator.inject_fault("POST", FROM_MESSAGE, 404, 10008, times=1)
    await share(emulator, server, world.author, world.circle)
    await emulator.wait_until(lambda: emulator.find_calls("POST", FROM_MESSAGE), 10, "the failed thread")
    await emulator.wait_until(lambda: publisher_idle(bot), 5, "the publisher to give up for now")
    assert await bot.db.fetchval("SELECT state FROM stories") == "ready"
    assert await bot.db.fetchval("SELECT publish_problem FROM stories") is None, "not waiting on moderators"
    assert notices(emulator, server) == [], "no 'channel is gone' notice"
    bot.get_cog("Stories").request_publish()  # type: ignore[union-attr]
    (thread,) = await wait_published(emulator, world.circle, bot=bot)
    assert thread["name"]


async def test_a_gateway_reconnect_leaves_a_story_in_flight_alone(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server, mode="threads", review_mode="all")
    await share(emulator, server, world.author, world.circle)
    await bot.db.execute("UPDATE stories SET state = 'ready'")
    claimed = await records.claim_ready(bot.db, bot.leases.claim())  # as the publisher does, mid-post
    assert claimed is not None
    cog: Any = bot.get_cog("Stories")
    before = cog._publish_task
    emulator.gateway.sessions.clear()  # the resume is refused: a fresh IDENTIFY and READY follow
    await emulator.gateway.drop(code=4000)
    await emulator.wait_until(lambda: cog._publish_task is not before and publisher_idle(bot), 10,
                              "on_ready after the reconnect")
    assert await bot.db.fetchval("SELECT state FROM stories") == "publishing"
    assert channel_posts(emulator, world.circle) == []


async def test_a_403_reading_the_recorded_starter_says_the_bot_lost_sight_of_the_channel(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server, mode="threads")
    mod = await moderator(emulator, server)
    # A first attempt posts and records the starter, then meets a passing failure making its thread.
    emulator.inject_fault("POST", FROM_MESSAGE, 400, 50035, times=1)
    _, receipt = await share(emulator, server, world.author, world.circle)
    await emulator.wait_until(lambda: emulator.find_calls("POST", FROM_MESSAGE), 10, "the failed thread")
    await emulator.wait_until(lambda: publisher_idle(bot), 5, "the publisher to give up for now")
    (first,) = channel_posts(emulator, world.circle)
    # Meanwhile the bot loses sight of the channel: reading the starter back, and deleting it, are 403.
    emulator.inject_fault("GET", STARTER, 403, 50001, times=1)
    emulator.inject_fault("DELETE", STARTER, 403, 50001, times=1)
    bot.get_cog("Stories").request_publish()  # type: ignore[union-attr]
    await emulator.wait_until(lambda: notices(emulator, server), 10, "the moderators' notice")
    (notice,) = notices(emulator, server)
    assert "can no longer see the stories channel" in text_of(notice)
    assert "View Channel" in text_of(notice) and "Read Message History" in text_of(notice)
    assert "not allowed to post" not in text_of(notice) and "Send Messages" not in text_of(notice)
    assert "/story-admin retry story:1" in text_of(notice) and world.author not in str(notice)
    assert "still in the channel" in text_of(notice), "Discord would not let the bot delete its starter either"
    status = await slash(emulator, server, world.author, "story status", receipt=receipt)
    assert "isn't published yet" in status["content"]
    assert "can no longer see the stories channel" in status["content"]
    assert "not allowed to post" not in status["content"]
    assert starters_sent(emulator, world.circle) == 1, "no second copy posted beside the one it cannot see"

    # Once the permission is back, a moderator's retry reuses the same starter.
    done = await slash(emulator, server, mod, "story-admin retry", story=1)
    assert "Trying Anonymous member - Story #1 again" in done["content"]
    (thread,) = await wait_published(emulator, world.circle, bot=bot)
    (post,) = channel_posts(emulator, world.circle)
    assert post["id"] == first["id"] and post.get("thread", {}).get("id") == thread["id"]
    assert starters_sent(emulator, world.circle) == 1
