"""Moderators: review before publication (approve, decline), remove, block and unblock an unknown author."""

from __future__ import annotations

from typing import Any

from bot.client import PeerCirclesBot
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DiscordEmulator
from tests.e2e.circles.helpers import answer
from tests.e2e.stories.helpers import STORY, open_form, share, story_threads, story_world, wait_published


async def moderator(emulator: DiscordEmulator, server: Server) -> str:
    mod = await emulator.member_join(server.guild_id, "mo")
    await emulator.set_roles(server.guild_id, mod, [server.moderator_role_id])
    return mod


def queue_messages(emulator: DiscordEmulator, server: Server) -> list[dict[str, Any]]:
    return [m for m in emulator.world.messages.get(server.queue_id, {}).values() if "Story for review" in text_of(m)]


async def slash(emulator: DiscordEmulator, server: Server, user: str, path: str, **options: object) -> dict:
    return await (await emulator.slash(server.guild_id, user, path, **options)).reply()


async def test_review_all_holds_stories_for_moderators_who_approve_without_seeing_the_author(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server, review_mode="all")
    mod = await moderator(emulator, server)
    done, receipt = await share(emulator, server, world.author, world.circle)
    assert "A moderator will read your story before it appears" in done["content"]
    status = await slash(emulator, server, world.author, "story status", receipt=receipt)
    assert "waiting for a moderator's review" in status["content"]
    await emulator.wait_until(lambda: queue_messages(emulator, server), 5, "the review card")
    (card,) = queue_messages(emulator, server)
    assert STORY in text_of(card) and world.author not in str(card) and "ann" not in text_of(card)
    assert story_threads(emulator, world.circle) == []

    refused = await answer(await emulator.click(world.reader, card, label="Approve"))
    assert "Only moderators" in refused["content"]
    approved = await answer(await emulator.click(mod, card, label="Approve"))
    assert f"Approved by <@{mod}>" in approved["content"] and approved["components"] == []
    await wait_published(emulator, world.circle, bot=bot)
    actions = [r[0] for r in await bot.db.fetchall("SELECT action FROM story_audit WHERE story_id > 0 ORDER BY id")]
    assert actions == ["submitted", "approved", "published"]


async def test_a_declined_story_is_not_posted_and_the_author_sees_why(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server, review_mode="new")
    mod = await moderator(emulator, server)
    _, receipt = await share(emulator, server, world.author, world.circle)
    await emulator.wait_until(lambda: queue_messages(emulator, server), 5, "the review card")
    (card,) = queue_messages(emulator, server)
    ix = await emulator.click(mod, card, label="Decline")
    sub = await emulator.submit_modal(mod, ix, {"reason": "It names a clinic and its staff."})
    declined = await answer(sub)
    assert "Declined by" in declined["content"]
    status = await slash(emulator, server, world.author, "story status", receipt=receipt)
    assert "was not published" in status["content"] and "It names a clinic and its staff." in status["content"]
    assert story_threads(emulator, world.circle) == []
    assert await bot.db.fetchval("SELECT body FROM stories") is None, "the declined text is not kept"


async def test_remove_block_and_unblock_by_story_number_are_audited(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server)
    mod = await moderator(emulator, server)
    _, receipt = await share(emulator, server, world.author, world.circle)
    await wait_published(emulator, world.circle, bot=bot)

    not_mod = await slash(emulator, server, world.reader, "story-admin block", story=1, duration=7)
    assert "Only moderators" in not_mod["content"]
    blocked = await slash(emulator, server, mod, "story-admin block", story=1, duration=7, reason="repeated insults")
    assert "The author of Anonymous member - Story #1 can't share stories until" in blocked["content"]
    assert world.author not in str(blocked)
    refused = await (await open_form(emulator, server, world.author, world.circle)).reply()
    assert "Sharing stories is paused for you" in refused["content"]
    others = await (await open_form(emulator, server, world.reader, world.circle)).modal()
    assert others["title"], "another member is not blocked"
    await emulator.submit_modal(world.reader, await open_form(emulator, server, world.reader, world.circle),
                                {"story": STORY})

    removed = await (await emulator.slash(server.guild_id, mod, "story-admin remove", story=1,
                                          reason="Shares a private detail")).reply()
    assert "Removed Anonymous member - Story #1" in removed["content"]
    assert story_threads(emulator, world.circle) == []
    status = await slash(emulator, server, world.author, "story status", receipt=receipt)
    assert "removed by the moderators" in status["content"] and "Shares a private detail" in status["content"]

    unblocked = await slash(emulator, server, mod, "story-admin unblock", story=1)
    assert "can share stories again" in unblocked["content"]
    assert (await (await open_form(emulator, server, world.author, world.circle)).modal())["title"]
    rows = await bot.db.fetchall("SELECT action, actor_id, detail FROM story_audit WHERE story_id > 0 ORDER BY id")
    assert [r[0] for r in rows] == ["submitted", "published", "blocked", "removed", "unblocked"]
    assert all(r[1] in (None, int(mod)) for r in rows)
    assert int(world.author) not in [r[1] for r in rows]


async def test_story_settings_are_changed_by_moderators_only(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server)
    mod = await moderator(emulator, server)
    refused = await slash(emulator, server, world.author, "story-admin settings", daily_limit=5)
    assert "Only moderators" in refused["content"]
    shown = await slash(emulator, server, mod, "story-admin settings", daily_limit=5, review="new", delay=True)
    assert "Daily limit per member: 5" in shown["content"] and "new members" in shown["content"]
    assert "delay: on" in shown["content"]


async def test_retracting_a_story_waiting_for_review_takes_its_review_card_down(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server, review_mode="all")
    _, receipt = await share(emulator, server, world.author, world.circle)
    await emulator.wait_until(lambda: queue_messages(emulator, server), 5, "the review card")
    done = await slash(emulator, server, world.author, "story retract", receipt=receipt)
    assert "taken down" in done["content"]
    assert queue_messages(emulator, server) == [], "the moderators no longer see the text"
    assert await bot.db.fetchval("SELECT count(*) FROM stories") == 0


async def test_review_new_sends_a_random_share_of_longstanding_members_stories_to_review_too(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    from tests.unit.stories.test_records import FixedDraw

    world = await story_world(bot, emulator, server, review_mode="new")
    emulator.world.guilds[server.guild_id].members[world.author]["joined_at"] = "2020-01-01T00:00:00+00:00"
    cog: Any = bot.get_cog("Stories")
    cog.rng = FixedDraw(0.0)  # drawn into the sample
    done, _ = await share(emulator, server, world.author, world.circle)
    assert "A moderator will read your story" in done["content"]
    await emulator.wait_until(lambda: queue_messages(emulator, server), 5, "the review card")
    cog.rng = FixedDraw(0.99)  # not drawn: a longstanding member's story goes straight out
    done, _ = await share(emulator, server, world.author, world.circle, STORY + " Second one.")
    assert "being published" in done["content"]
    await wait_published(emulator, world.circle, bot=bot)
    assert len(queue_messages(emulator, server)) == 1
