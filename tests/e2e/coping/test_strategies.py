"""Strategies end to end: share (named, anonymous, screened), browse with pages, this helped me too,
save and the private list, facilitators pinning and removing, who may do what."""

from __future__ import annotations

import asyncio

from bot.circles.records import add_facilitator
from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock
from emulator.events import Server
from emulator.interactions import find_component, text_of
from emulator.server import DiscordEmulator
from tests.e2e.circles.helpers import press
from tests.e2e.coping.helpers import circle_with, post_calls, posts, share_strategy, slash, wait_posts

EPHEMERAL = 1 << 6


async def test_a_named_strategy_is_posted_in_the_circle_with_its_line_and_no_pings(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    circle, (ann,) = await circle_with(bot, emulator, server, "ann")
    answer = await share_strategy(
        emulator, server, ann, circle, "Ten minutes of chores, then a rest. @everyone try it: https://example.org/pacing",
        helps="flare days")
    assert answer["flags"] & EPHEMERAL
    assert "Thank you for sharing what helped you" in answer["content"]
    assert "Links show as text, without a preview" in answer["content"]

    (post,) = await wait_posts(emulator, circle.text_channel_id, 1)
    text = text_of(post)
    assert "What helped: Pacing" in text and "Helps with: flare days" in text
    assert f"Shared by <@{ann}>" in text
    assert "not medical advice" in text, "each strategy carries the lived-experience line"
    assert "<https://example.org/pacing>" in text, "a member's link is shown but not embedded"
    assert "@\u200beveryone" in text, "mentions are inert"
    call = post_calls(emulator, circle.text_channel_id)[-1]
    assert call.json["allowed_mentions"] == {"parse": [], "users": []}
    assert [c["label"] for c in post["components"][0]["components"]] == ["This helped me too", "Save"]


async def test_an_anonymous_strategy_keeps_no_author(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                     server: Server) -> None:
    circle, (ann,) = await circle_with(bot, emulator, server, "ann")
    answer = await share_strategy(emulator, server, ann, circle, "A heat pad before bed", category="comfort",
                                  anonymous=True)
    assert "without your name" in answer["content"]
    (post,) = await wait_posts(emulator, circle.text_channel_id, 1)
    assert "a member (shared anonymously)" in text_of(post) and ann not in text_of(post)
    rows = await bot.db.fetchall("SELECT author_id FROM coping_strategies")
    assert [r[0] for r in rows] == [None]


async def test_profanity_is_softened_and_slurs_are_declined(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                             server: Server) -> None:
    circle, (ann,) = await circle_with(bot, emulator, server, "ann")
    answer = await share_strategy(emulator, server, ann, circle, "Resting when the pain is shit helps me")
    assert "softened" in answer["content"]
    (post,) = await wait_posts(emulator, circle.text_channel_id, 1)
    assert "s\\*\\*\\*" in text_of(post) and "shit" not in text_of(post)

    declined = await share_strategy(emulator, server, ann, circle, "Ignore the retards who doubt you")
    assert "contains a word that can hurt people" in declined["content"]
    assert await bot.db.fetchval("SELECT COUNT(*) FROM coping_strategies") == 1, "nothing stored"


async def test_crisis_language_is_not_posted_gets_the_card_and_an_urgent_case(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    circle, (ann, bea) = await circle_with(bot, emulator, server, "ann", "bea")
    before = len(post_calls(emulator, circle.text_channel_id))
    held = await share_strategy(emulator, server, ann, circle, "Nothing helps. I want to kill myself tonight.")
    assert held["flags"] & EPHEMERAL
    assert "I haven't posted this" in held["content"]
    assert "988" in text_of(held), "the server's crisis card, privately"
    anon = await share_strategy(emulator, server, bea, circle, "I have a plan to end my life", anonymous=True)
    assert "without your name" in anon["content"]
    cases = await bot.db.fetchall("SELECT kind, urgency, source, subject_user_id FROM cases ORDER BY id")
    assert [tuple(c) for c in cases] == [("crisis", "urgent", "strategy", int(ann)),
                                         ("crisis", "urgent", "strategy", None)]
    assert await bot.db.fetchval("SELECT COUNT(*) FROM coping_strategies") == 0
    await bot.outbox.drain(5)
    assert len(post_calls(emulator, circle.text_channel_id)) == before, "never posted publicly"


async def test_browse_pages_helped_once_per_member_and_saving(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                              server: Server) -> None:
    circle, (ann, bea, cat) = await circle_with(bot, emulator, server, "ann", "bea", "cat")
    for i in range(5):
        await share_strategy(emulator, server, ann, circle, f"Strategy number {i}", category="sleep" if i else "pacing")
    await wait_posts(emulator, circle.text_channel_id, 5)
    (s0,) = [r[0] for r in await bot.db.fetchall("SELECT id FROM coping_strategies WHERE body = 'Strategy number 0'")]

    # bea says the oldest helped, twice: counted once.
    page = await slash(emulator, server, bea, "strategy browse", circle=str(circle.id))
    assert "Page 1 of 2" in text_of(page) and "Strategy number 4" in text_of(page)
    last = await press(emulator, bea, page, "Next")
    assert "Page 2 of 2" in text_of(last) and "Strategy number 0" in text_of(last)
    first = await press(emulator, bea, last, "1. This helped me too")
    assert "Noted" in first["content"]
    again = await press(emulator, bea, last, "1. This helped me too")
    assert "already said" in again["content"]
    channel_post = next(m for m in posts(emulator, circle.text_channel_id) if f"#{s0} ·" in text_of(m))
    assert "already said" in (await press(emulator, bea, channel_post, "This helped me too"))["content"]
    helped_by_cat = await press(emulator, cat, channel_post, "This helped me too")
    assert "Noted" in helped_by_cat["content"]

    page = await slash(emulator, server, bea, "strategy browse", circle=str(circle.id))
    assert text_of(page).index("Strategy number 0") < text_of(page).index("Strategy number 4"), "most helped first"
    assert "2 found this helpful" in text_of(page)
    only_pacing = await slash(emulator, server, bea, "strategy browse", circle=str(circle.id), category="pacing")
    assert "Strategy number 0" in text_of(only_pacing) and "Strategy number 1" not in text_of(only_pacing)

    # Saving is private to the member.
    assert "Saved" in (await press(emulator, bea, page, "1. Save"))["content"]
    mine = await slash(emulator, server, bea, "strategy saved")
    assert mine["flags"] & EPHEMERAL and "Strategy number 0" in text_of(mine)
    assert "haven't saved" in (await slash(emulator, server, cat, "strategy saved"))["content"]
    emptied = await press(emulator, bea, mine, "Remove 1 from saved")
    assert "haven't saved" in emptied["content"]


async def test_only_members_of_the_circle_share_and_browse(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                           server: Server) -> None:
    circle, _ = await circle_with(bot, emulator, server, "ann")
    zed = await emulator.member_join(server.guild_id, "zed")
    refused = await slash(emulator, server, zed, "strategy share", circle=str(circle.id), category="sleep")
    assert "Only members of **Fibro Friends**" in refused["content"]
    refused = await slash(emulator, server, zed, "strategy browse", circle=str(circle.id))
    assert "Only members of **Fibro Friends**" in refused["content"]


async def test_facilitators_pin_and_remove_with_an_audit_trail(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                               server: Server, clock: FakeClock) -> None:
    circle, (ann, fay) = await circle_with(bot, emulator, server, "ann", "fay")
    await add_facilitator(bot.db, bot.clock, circle, int(fay), int(server.owner_id))
    await share_strategy(emulator, server, ann, circle, "Older one")
    await share_strategy(emulator, server, ann, circle, "Newer one")
    await wait_posts(emulator, circle.text_channel_id, 2)
    older, newer = [r[0] for r in await bot.db.fetchall("SELECT id FROM coping_strategies ORDER BY id")]

    refused = await slash(emulator, server, ann, "strategy pin", strategy=older)
    assert "Only the server's organisers and circle facilitators" in refused["content"]
    for command in ("strategy pin", "strategy unpin", "strategy remove"):  # refused before any lookup
        refused = await slash(emulator, server, ann, command, strategy=9999)
        assert "Only the server's organisers and circle facilitators" in refused["content"], command
    pinned = await slash(emulator, server, fay, "strategy pin", strategy=older)
    assert f"Pinned strategy #{older}" in pinned["content"]
    page = await slash(emulator, server, ann, "strategy browse", circle=str(circle.id))
    assert text_of(page).index("Older one") < text_of(page).index("Newer one") and "Pinned" in text_of(page)

    await bot.outbox.drain(5)
    removed = await slash(emulator, server, server.owner_id, "strategy remove", strategy=newer)
    assert f"Removed strategy #{newer}" in removed["content"] and "deleted its post" in removed["content"]
    deleted = await emulator.wait_for_call("DELETE", "/channels/{channel_id}/messages/{message_id}")
    assert deleted.params["channel_id"] == str(circle.text_channel_id)
    page = await slash(emulator, server, ann, "strategy browse", circle=str(circle.id))
    assert "Newer one" not in text_of(page)
    assert await bot.db.fetchval("SELECT body FROM coping_strategies WHERE id = ?", (newer,)) == "", "text erased"
    trail = await bot.db.fetchall("SELECT actor_id, action, target_id FROM coping_audit ORDER BY id")
    assert [tuple(r) for r in trail] == [(int(fay), "pin", older), (int(server.owner_id), "remove", newer)]
    assert find_component(page, label="1. This helped me too") is not None


async def test_concern_is_posted_and_the_member_is_offered_support_privately(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    circle, (ann,) = await circle_with(bot, emulator, server, "ann")
    answer = await share_strategy(emulator, server, ann, circle,
                                  "Some days I don't want to live like this anymore. Short walks help me.")
    assert "Thank you for sharing" in answer["content"] and "things may be heavy" in answer["content"]
    assert "988" in text_of(answer)
    await wait_posts(emulator, circle.text_channel_id, 1)
    assert await bot.db.fetchval("SELECT COUNT(*) FROM cases") == 0


async def test_discord_failures_retry_the_post_and_explain_a_post_that_could_not_be_deleted(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    circle, (ann,) = await circle_with(bot, emulator, server, "ann")
    emulator.inject_fault("POST", "/channels/{channel_id}/messages", 500, times=2)
    await share_strategy(emulator, server, ann, circle, "Gentle stretches after a warm shower")
    (post,) = await wait_posts(emulator, circle.text_channel_id, 1)
    assert [c.status for c in post_calls(emulator, circle.text_channel_id)][-3:] == [500, 500, 200]
    emulator.inject_fault("POST", "/channels/{channel_id}/messages", 429, retry_after=0.05, times=1)
    await share_strategy(emulator, server, ann, circle, "A timer for rests")
    await wait_posts(emulator, circle.text_channel_id, 2)
    await bot.outbox.drain(5)
    assert len([m for m in posts(emulator, circle.text_channel_id) if m.get("embeds")]) == 2, "each exactly once"
    assert [c.status for c in post_calls(emulator, circle.text_channel_id)][-2:] == [429, 200]

    strategy_id = await bot.db.fetchval("SELECT MIN(id) FROM coping_strategies")
    emulator.inject_fault("DELETE", "/channels/{channel_id}/messages/{message_id}", 403, 50013, times=1)
    removed = await slash(emulator, server, server.owner_id, "strategy remove", strategy=strategy_id)
    assert "couldn't delete its post" in removed["content"] and "Manage Messages" in removed["content"]
    page = await slash(emulator, server, ann, "strategy browse", circle=str(circle.id))
    assert "Gentle stretches" not in text_of(page), "still off the list"
    gone = await press(emulator, ann, post, "This helped me too")
    assert "no longer shared" in gone["content"]


async def test_removing_a_strategy_whose_post_is_still_waiting_means_it_is_never_posted(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    circle, (ann,) = await circle_with(bot, emulator, server, "ann")
    emulator.inject_fault("POST", "/channels/{channel_id}/messages", 503, times=None,
                          match=lambda req: req.params.get("channel_id") == str(circle.text_channel_id))
    await share_strategy(emulator, server, ann, circle, "A strategy a facilitator takes down at once")
    strategy_id = await bot.db.fetchval("SELECT MIN(id) FROM coping_strategies")
    key = f"coping:strategy:{strategy_id}"

    async def waiting() -> bool:
        row = await bot.db.fetchone("SELECT state, attempts FROM outbox WHERE key = ?", (key,))
        return row is not None and row[0] == "pending" and row[1] >= 1

    for _ in range(200):  # the first attempt failed; the post waits for its retry
        if await waiting():
            break
        await asyncio.sleep(0.01)
    assert await waiting()

    removed = await slash(emulator, server, server.owner_id, "strategy remove", strategy=strategy_id)
    assert f"Removed strategy #{strategy_id}" in removed["content"]
    assert await bot.db.fetchval("SELECT COUNT(*) FROM outbox WHERE key = ?", (key,)) == 0, "the waiting post is gone"

    emulator.clear_faults()
    clock.advance(hours=1)
    bot.outbox.wake()
    await bot.outbox.drain(5)
    assert [m for m in posts(emulator, circle.text_channel_id) if m.get("embeds")] == [], "never posted"


async def test_crisis_goes_through_the_one_crisis_response_with_the_button_and_the_hourly_card_limit(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    circle, (ann, bea) = await circle_with(bot, emulator, server, "ann", "bea")
    held = await share_strategy(emulator, server, ann, circle, "Nothing helps. I want to kill myself tonight.")
    assert "I haven't posted this" in held["content"] and "988" in text_of(held)
    assert find_component(held, label="Talk to a moderator now") is not None, "a moderator is one button away"

    again = await share_strategy(emulator, server, ann, circle, "I still want to end my life")
    assert again["flags"] & EPHEMERAL
    assert "I haven't posted this" in again["content"] and "/support" in again["content"], "never silence"
    assert not again.get("components") and "988" not in text_of(again), "the card at most once an hour"
    clock.advance(hours=1, minutes=1)
    later = await share_strategy(emulator, server, ann, circle, "I want to kill myself")
    assert find_component(later, label="Talk to a moderator now") is not None, "an hour on, the card again"

    anon = await share_strategy(emulator, server, bea, circle, "I have a plan to end my life", anonymous=True)
    assert "without your name" in anon["content"] and find_component(anon, label="Talk to a moderator now")
    cases = await bot.db.fetchall("SELECT kind, urgency, source, subject_user_id FROM cases ORDER BY id")
    assert [tuple(c) for c in cases] == [("crisis", "urgent", "strategy", int(ann)),
                                         ("crisis", "urgent", "strategy", None)], (
        "one open crisis case per member gathers the rest; the anonymous one names nobody")
    assert await bot.db.fetchval("SELECT COUNT(*) FROM case_events WHERE event = 'gathered'") == 2
    assert await bot.db.fetchval("SELECT COUNT(*) FROM case_member_state WHERE user_id = ?", (int(bea),)) == 0, (
        "no card time recorded next to the anonymous case")
    assert await bot.db.fetchval("SELECT COUNT(*) FROM coping_strategies") == 0


async def test_a_concern_opens_a_case_when_the_server_chose_that(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    circle, (ann,) = await circle_with(bot, emulator, server, "ann")
    await (await emulator.slash(server.guild_id, server.owner_id, "case-admin settings",
                                concern_opens_case=True)).reply()
    answer = await share_strategy(emulator, server, ann, circle,
                                  "Some days I don't want to live like this anymore. Short walks help me.")
    assert "Thank you for sharing" in answer["content"] and "things may be heavy" in answer["content"]
    assert find_component(answer, label="Talk to a moderator now") is not None
    await wait_posts(emulator, circle.text_channel_id, 1)
    cases = await bot.db.fetchall("SELECT kind, urgency, source, subject_user_id FROM cases")
    assert [tuple(c) for c in cases] == [("concern", "normal", "strategy", int(ann))]
