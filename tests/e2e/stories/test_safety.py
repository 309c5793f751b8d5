"""Crisis language and insults aimed at people: never published automatically, handled kindly."""

from __future__ import annotations

import asyncio
import json

from bot.cases.records import get_case
from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DiscordEmulator
from tests.e2e.circles.helpers import answer
from tests.e2e.stories.helpers import (
    preview,
    receipt_of,
    reply_as_author,
    share,
    story_threads,
    story_world,
    wait_published,
)

CRISIS = "The pain has been endless for years and I want to kill myself tonight. I have the pills ready."


async def test_crisis_language_gives_the_card_at_once_alerts_moderators_without_identity_and_is_never_auto_posted(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server)
    card = await preview(emulator, server, world.author, world.circle, CRISIS)
    text = text_of(card)
    assert "will not be posted automatically" in text and "988" in text, "the crisis card, privately, at once"
    assert card["flags"] & 64
    labels = [b["label"] for row in card["components"] for b in row["components"]]
    assert "Connect me with a moderator" in labels
    assert "Talk to a moderator now" not in labels, "one way to reach a moderator on the card, not two"
    titles = [e.get("title") for e in card["embeds"]]
    assert "Help is here, right now" in titles, "the one crisis response's card"
    assert "without your name" in text and "asked to check in with you" not in text
    rows = await bot.db.fetchall(
        "SELECT id, number, kind, urgency, source, subject_user_id, opened_by, snapshot FROM cases")
    (case,) = rows
    assert (case["kind"], case["urgency"], case["source"]) == ("crisis", "urgent", "story")
    assert case["subject_user_id"] is None and case["opened_by"] is None
    assert "kill myself" in json.loads(case["snapshot"])["text"], "moderators get the story text"
    assert world.author not in case["snapshot"]
    # The same announcement and ladder as every crisis: an urgent queue message and its re-pages.
    await emulator.wait_until(lambda: any(f"Case #{case['number']}:" in text_of(m) for m in
                                          emulator.world.messages.get(server.queue_id, {}).values()), 5,
                              "the case in the queue")
    ladder = await bot.db.fetchval("SELECT count(*) FROM schedules WHERE kind = 'case_ladder' AND owner_id = ?",
                                   (case["id"],))
    assert ladder == 2
    assert await bot.db.fetchval("SELECT count(*) FROM case_member_state WHERE user_id = ?",
                                 (int(world.author),)) == 0, "no card time next to the anonymous case's"

    held = await answer(await emulator.click(world.author, card, label="Post"))
    receipt_of(held)
    assert "A moderator will read your story" in held["content"]
    assert await bot.db.fetchval("SELECT state FROM stories") == "review"
    assert await bot.db.fetchval("SELECT crisis FROM stories") == 1
    assert story_threads(emulator, world.circle) == []

    connect = await answer(await emulator.click(world.author, card, label="Connect me with a moderator"))
    assert "A moderator will reach out to you privately" in connect["content"]
    help_id = await bot.db.fetchval("SELECT id FROM cases WHERE kind = 'help'")
    help_case = await get_case(bot.db, int(server.guild_id), help_id)
    assert help_case is not None and help_case.subject_user_id == int(world.author), "identity only by choice"
    assert help_case.source == "story" and "Story #" not in help_case.summary


async def test_a_story_with_insults_aimed_at_people_is_declined_kindly_and_nothing_kept(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server)
    card = await preview(emulator, server, world.author, world.circle,
                         "My flatmate keeps slamming doors when I have a migraine, you fucking idiot.")
    assert "wasn't posted" in card["content"] and "Your feelings are welcome here" in card["content"]
    assert not card.get("components")
    assert await bot.db.fetchval("SELECT count(*) FROM stories") == 0
    assert story_threads(emulator, world.circle) == []


async def test_a_preview_left_for_over_half_an_hour_expires(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    world = await story_world(bot, emulator, server)
    card = await preview(emulator, server, world.author, world.circle)
    clock.advance(minutes=31)
    expired = await answer(await emulator.click(world.author, card, label="Post"))
    assert "This preview expired" in expired["content"]
    assert await bot.db.fetchval("SELECT count(*) FROM stories") == 0


async def test_an_author_reply_with_crisis_language_is_not_posted_and_gets_the_card(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server)
    await share(emulator, server, world.author, world.circle)
    (thread,) = await wait_published(emulator, world.circle, bot=bot)
    answer_ = await reply_as_author(emulator, world.author, thread, "Honestly I want to kill myself tonight.")
    assert "988" in text_of(answer_) and "Connect me with a moderator" in text_of(answer_)
    case = await bot.db.fetchone("SELECT kind, urgency, subject_user_id, opened_by FROM cases")
    assert tuple(case) == ("crisis", "urgent", None, None)
    await bot.outbox.drain()
    posted = [m for m in emulator.world.messages[thread["id"]].values()
              if m["id"] != thread["id"] and not int(m.get("flags") or 0) & 64]
    assert posted == [], "never posted publicly"


async def test_crisis_story_previews_show_the_card_each_time_unless_it_was_sent_elsewhere_within_the_hour(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    world = await story_world(bot, emulator, server)
    await preview(emulator, server, world.author, world.circle, CRISIS)
    clock.advance(minutes=20)
    again = await preview(emulator, server, world.author, world.circle, CRISIS + " Still.")
    assert "988" in text_of(again), "an anonymous card is not counted (counting it would tie the member to the case)"

    # The card went to the member from circle chat a moment ago: the preview doesn't repeat it, but
    # says where the lines are and keeps the one way to a moderator.
    assert world.circle.text_channel_id
    await emulator.send_message(str(world.circle.text_channel_id), world.reader, CRISIS)
    for _ in range(250):  # the chat listener runs on its own
        if await bot.db.fetchval("SELECT count(*) FROM case_member_state WHERE user_id = ?", (int(world.reader),)):
            break
        await asyncio.sleep(0.02)
    assert await bot.db.fetchval("SELECT count(*) FROM case_member_state WHERE user_id = ?", (int(world.reader),))
    held = await preview(emulator, server, world.reader, world.circle, CRISIS)
    text = text_of(held)
    assert "will not be posted automatically" in text and "/support" in text and "988" not in text
    labels = [b["label"] for row in held["components"] for b in row["components"]]
    assert labels.count("Connect me with a moderator") == 1 and "Talk to a moderator now" not in labels
    kinds = [tuple(r) for r in await bot.db.fetchall(
        "SELECT kind, urgency, source, subject_user_id FROM cases WHERE source = 'story' ORDER BY id")]
    assert kinds == [("crisis", "urgent", "story", None)] * 3, "an urgent case every time, naming nobody"


async def test_connect_me_with_a_moderator_is_announced_in_the_queue_at_once_not_at_the_next_sweep(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server)
    card = await preview(emulator, server, world.author, world.circle, CRISIS)
    await answer(await emulator.click(world.author, card, label="Connect me with a moderator"))
    help_number = await bot.db.fetchval("SELECT number FROM cases WHERE kind = 'help'")
    # The clock stands still: only an announcement made at once reaches the queue.
    await emulator.wait_until(lambda: any(f"Case #{help_number}:" in text_of(m) for m in
                                          emulator.world.messages.get(server.queue_id, {}).values()), 5,
                              "the help case in the queue without waiting for the scheduler")
    assert await bot.db.fetchval("SELECT count(*) FROM schedules WHERE kind = 'case_announce'") == 0
