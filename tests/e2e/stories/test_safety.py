"""Crisis language and insults aimed at people: never published automatically, handled kindly."""

from __future__ import annotations

import json

from bot.cases.records import get_case
from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DiscordEmulator
from tests.e2e.circles.helpers import answer
from tests.e2e.stories.helpers import preview, receipt_of, share, story_threads, story_world, wait_published

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
    rows = await bot.db.fetchall("SELECT id, kind, urgency, source, subject_user_id, opened_by, snapshot FROM cases")
    (case,) = rows
    assert (case["kind"], case["urgency"], case["source"]) == ("crisis", "urgent", "story")
    assert case["subject_user_id"] is None and case["opened_by"] is None
    assert "kill myself" in json.loads(case["snapshot"])["text"], "moderators get the story text"
    assert world.author not in case["snapshot"]

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
    answer_ = await (await emulator.slash(server.guild_id, world.author, "story reply", channel_id=thread["id"],
                                          text="Honestly I want to kill myself tonight.")).reply()
    assert "988" in text_of(answer_) and "Connect me with a moderator" in text_of(answer_)
    case = await bot.db.fetchone("SELECT kind, urgency, subject_user_id, opened_by FROM cases")
    assert tuple(case) == ("crisis", "urgent", None, None)
    await bot.outbox.drain()
    posted = [m for m in emulator.world.messages[thread["id"]].values()
              if m["id"] != thread["id"] and not int(m.get("flags") or 0) & 64]
    assert posted == [], "never posted publicly"
