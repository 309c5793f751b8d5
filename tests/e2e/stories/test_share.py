"""Sharing a story end to end: modal, preview, Post, receipt, the anonymous forum post."""

from __future__ import annotations

import asyncio

from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock
from bot.demo.runner import BotRunner
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DiscordEmulator
from tests.e2e.circles.helpers import answer, create_circle, join
from tests.e2e.stories.helpers import (
    STORY,
    open_form,
    preview,
    receipt_of,
    share,
    starter,
    story_threads,
    story_world,
    wait_published,
)

EPHEMERAL = 1 << 6


async def test_a_story_is_previewed_posted_under_a_pseudonym_and_a_receipt_shown_once(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server)
    done, receipt = await share(emulator, server, world.author, world.circle, STORY, warning="back pain",
                                title="Tea in the garden")
    assert done["flags"] & EPHEMERAL
    assert "Anonymous member - Story #1" in done["content"]
    (thread,) = await wait_published(emulator, world.circle, bot=bot)
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


async def test_threads_mode_posts_a_message_with_its_own_thread(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server, mode="threads")
    await share(emulator, server, world.author, world.circle, STORY + " <@123456789012345678> @everyone shit")
    (thread,) = await wait_published(emulator, world.circle, bot=bot)
    assert thread["name"] == "Anonymous member - Story #1"
    posts = list(emulator.world.messages[str(world.circle.stories_channel_id)].values())
    assert len(posts) == 1 and posts[0].get("thread", {}).get("id") == thread["id"]
    text = text_of(posts[0])
    assert "s***" in text and "shit" not in text, "profanity censored"
    assert "<@123456789012345678>" not in text and "@everyone" not in text, "mentions made inert"
    call = emulator.find_calls("POST", "/channels/{channel_id}/messages",
                               where=lambda c: c.params["channel_id"] == str(world.circle.stories_channel_id))[-1]
    assert call.json["allowed_mentions"] == {"parse": []}


async def test_the_preview_names_identifying_details_and_what_is_kept(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server)
    card = await preview(emulator, server, world.author, world.circle,
                         STORY + " Text me on 07700 900123 or ann@example.com, see https://example.com/me")
    assert card["flags"] & EPHEMERAL
    assert "Story #0" not in text_of(card) and "its number (Story #N) is given when you post" in text_of(card)
    text = text_of(card)
    assert "could identify you" in text
    assert "a phone number: `07700 900123`" in text and "an e-mail address: `ann@example.com`" in text
    assert "a link: `https://example.com/me`" in text
    assert "moderators cannot see who wrote this" in text and "one-way key" in text and "receipt" in text
    assert [b["label"] for b in card["components"][0]["components"]] == ["Post", "Edit", "Cancel"]
    assert story_threads(emulator, world.circle) == [], "nothing is posted before Post"
    assert await bot.db.fetchval("SELECT count(*) FROM stories") == 0, "nothing is stored before Post"


async def test_the_preview_names_a_street_address_and_a_workplace(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    """Issue 25: the author is warned of their address and their employer before posting."""
    world = await story_world(bot, emulator, server)
    card = await preview(emulator, server, world.author, world.circle,
                         STORY + " I work at Tesco in Leeds and live at flat 3, 22 Bridge Rd, Leeds LS6 2AB.")
    text = text_of(card)
    assert "could identify you" in text
    assert "a street address (a house number and street, with any postcode): `flat 3, 22 Bridge Rd, Leeds LS6 2AB`" \
        in text
    assert "a named workplace (where you or someone works): `Tesco in Leeds`" in text
    plain = await preview(emulator, server, world.author, world.circle,
                          STORY + " I work at home and take the 3 Bridge Rd bus to the hospital.")
    assert "could identify you" not in text_of(plain), "working at home, a bus route and 'the hospital' are not"


async def test_edit_reopens_the_form_with_the_story_and_updates_the_preview(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server)
    card = await preview(emulator, server, world.author, world.circle, STORY + " Call 07700 900123")
    edit = await emulator.click(world.author, card, label="Edit")
    modal = await edit.modal()
    inputs = {c["custom_id"]: c.get("value") for row in modal["components"] for c in row["components"]}
    assert inputs["story"] == STORY + " Call 07700 900123"
    sub = await emulator.submit_modal(world.author, edit, {"story": STORY})
    updated = await answer(sub)
    assert "could identify you" not in text_of(updated)
    done = await answer(await emulator.click(world.author, updated, label="Post"))
    receipt_of(done)
    (thread,) = await wait_published(emulator, world.circle, bot=bot)
    assert "07700" not in text_of(starter(emulator, thread))


async def test_cancel_shares_and_keeps_nothing(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server)
    card = await preview(emulator, server, world.author, world.circle)
    gone = await answer(await emulator.click(world.author, card, label="Cancel"))
    assert "Nothing was shared" in gone["content"]
    again = await answer(await emulator.click(world.author, card, label="Post"))
    assert "preview expired" in again["content"]
    assert await bot.db.fetchval("SELECT count(*) FROM stories") == 0
    assert story_threads(emulator, world.circle) == []


async def test_a_restart_between_preview_and_post_expires_the_preview_and_posts_nothing(
        runner: BotRunner, emulator: DiscordEmulator, server: Server) -> None:
    bot = await runner.start()
    world = await story_world(bot, emulator, server)
    card = await preview(emulator, server, world.author, world.circle)
    bot = await runner.restart()
    expired = await answer(await emulator.click(world.author, card, label="Post"))
    assert "This preview expired" in expired["content"] and "share again" in expired["content"]
    again = await answer(await emulator.click(world.author, card, label="Post"))
    assert "This preview expired" in again["content"]
    assert await bot.db.fetchval("SELECT count(*) FROM stories") == 0
    assert story_threads(emulator, world.circle) == []


async def test_a_double_press_on_post_posts_once(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server)
    card = await preview(emulator, server, world.author, world.circle)
    first, second = await asyncio.gather(emulator.click(world.author, card, label="Post"),
                                         emulator.click(world.author, card, label="Post"))
    await answer(first)
    await answer(second)
    ids = {first.id, second.id}
    callbacks = emulator.find_calls("POST", "/interactions/{interaction_id}/{interaction_token}/callback",
                                    where=lambda c: c.params["interaction_id"] in ids)
    texts = [(c.json.get("data") or {}).get("content") or "" for c in callbacks]
    assert sum("preview expired" in t for t in texts) == 1, texts
    await wait_published(emulator, world.circle, bot=bot)
    assert await bot.db.fetchval("SELECT count(*) FROM stories") == 1
    assert len(story_threads(emulator, world.circle)) == 1


async def test_with_the_delay_on_a_story_appears_1_to_10_minutes_later(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    world = await story_world(bot, emulator, server, delay=True)
    done, _ = await share(emulator, server, world.author, world.circle)
    assert "within about ten minutes" in done["content"]
    row = await bot.db.fetchone("SELECT owner_id, kind, payload FROM schedules WHERE kind = 'story_publish'")
    story_id = await bot.db.fetchval("SELECT id FROM stories")
    assert (row["owner_id"], row["payload"]) == (story_id, "{}"), "the schedule names the story, not the author"
    clock.advance(seconds=59)
    await asyncio.sleep(0.05)
    assert story_threads(emulator, world.circle) == []
    clock.advance(minutes=10)
    await wait_published(emulator, world.circle, bot=bot)


async def test_bad_input_gets_a_clear_private_answer_and_nothing_is_stored(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server, daily_limit=1)
    for body, expected in (("   ", "Your story is empty"), ("x" * 4001, "up to 4,000 characters; yours has 4,001"),
                           ("too short", "at least 20 characters")):
        card = await preview(emulator, server, world.author, world.circle, body)
        assert card["flags"] & EPHEMERAL and expected in card["content"], card["content"]
    # A circle the member has not joined, and one without a stories channel.
    other = await create_circle(emulator, bot, server, "Migraine Mornings")
    refused = await (await open_form(emulator, server, world.author, other)).reply()
    assert "only in circles you have joined" in refused["content"]
    await bot.db.execute("UPDATE circles SET stories_channel_id = NULL WHERE id = ?", (other.id,))
    await join(emulator, server, world.author, other)
    off = await (await open_form(emulator, server, world.author, other)).reply()
    assert "Stories are turned off in **Migraine Mornings**" in off["content"]
    choices = await (await emulator.autocomplete(server.guild_id, world.author, "story share", "circle",
                                                 circle="")).choices()
    assert choices == [{"name": "Fibro Friends", "value": str(world.circle.id)}], "only circles that take stories"
    assert await bot.db.fetchval("SELECT count(*) FROM stories") == 0
    # Over the daily limit (1 here).
    await share(emulator, server, world.author, world.circle)
    over = await (await open_form(emulator, server, world.author, world.circle)).reply()
    assert "daily limit" in over["content"] and "Nothing was posted" in over["content"]
    assert await bot.db.fetchval("SELECT count(*) FROM stories") == 1
