"""Closed DMs (issue 24): crisis words in circle chat from a member whose DMs are closed get the
crisis card at once in a private thread ("Support") under the circle's text channel, with the
member and whom the paging chain reaches; never a public reply. The card still waits for the
member's next interaction; a thread Discord refuses falls back to that alone, in the case history;
the offer survives a restart and is made once."""

from __future__ import annotations

from typing import Any

from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock
from bot.demo.runner import BotRunner
from emulator.events import Server
from emulator.interactions import find_component, text_of
from emulator.server import DiscordEmulator
from tests.e2e.cases.helpers import CRISIS, ready, wait_cases, wait_events
from tests.e2e.cases.test_crisis import member_in_circle

EPHEMERAL = 1 << 6
PRIVATE_THREAD = 12
THREADS = "/channels/{channel_id}/threads"
THREAD_MEMBER = "/channels/{channel_id}/thread-members/{user_id}"


def thread_calls(emulator: DiscordEmulator, channel: str) -> list[Any]:
    return emulator.find_calls("POST", THREADS, where=lambda c: c.params["channel_id"] == channel)


def public_posts(emulator: DiscordEmulator, channel: str) -> list[dict[str, Any]]:
    return [m for m in emulator.world.messages.get(channel, {}).values()
            if m["author"]["id"] == emulator.world.bot_id]


async def the_thread(emulator: DiscordEmulator, channel: str) -> tuple[str, dict[str, Any]]:
    """The private thread made under ``channel`` and its first message, once posted."""
    await emulator.wait_until(lambda: any(c.status == 201 or c.status == 200 for c in thread_calls(emulator, channel)),
                              5, "the private thread")
    [call] = thread_calls(emulator, channel)
    thread_id = call.response["id"]
    await emulator.wait_until(lambda: emulator.world.messages.get(thread_id), 5, "the card in the thread")
    return thread_id, next(iter(emulator.world.messages[thread_id].values()))


async def next_interaction_shows_the_card(emulator: DiscordEmulator, server: Server, member: str) -> None:
    ix = await emulator.slash(server.guild_id, member, "circle mine")
    await ix.reply()
    await emulator.wait_until(lambda: ix.followups, 5, "the waiting card as a follow-up")
    shown = await ix.followup(0)
    assert shown["flags"] & EPHEMERAL and "Help is here" in text_of(shown)


async def test_with_dms_closed_the_card_comes_at_once_in_a_private_thread_with_the_member_and_the_chain(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await ready(bot, emulator, server)
    circle, ann = await member_in_circle(bot, emulator, server)
    oz = next(uid for uid, m in emulator.world.guilds[server.guild_id].members.items()
              if server.oncall_role_id in m["roles"])
    emulator.world.dms_closed.add(ann)
    channel = str(circle.text_channel_id)
    await emulator.send_message(channel, ann, CRISIS)

    thread_id, card = await the_thread(emulator, channel)
    [call] = thread_calls(emulator, channel)
    assert call.json["type"] == PRIVATE_THREAD and call.json["invitable"] is False
    assert call.json["name"] == "Support", "the name reveals nothing"
    added = {c.params["user_id"] for c in emulator.find_calls(
        "PUT", THREAD_MEMBER, where=lambda c: c.params["channel_id"] == thread_id and c.status == 204)}
    assert added == {ann, oz}, "the member and the on-call role's holder (the chain's first link that reaches someone)"
    assert emulator.world.thread_members[thread_id] >= {ann, oz}
    assert len(emulator.world.messages[thread_id]) == 1, "the card is the thread's first message"
    assert "Help is here" in text_of(card) and "988" in text_of(card)
    assert find_component(card, label="Talk to a moderator now")
    assert f"<@{ann}>" in card["content"] and f"<@{oz}>" in card["content"]
    assert "only you, the moderators added here and the bot can see it" in text_of(card)
    assert "only you can see it" not in text_of(card), "the card says truly who sees the thread"
    assert "end my life" not in text_of(card) and "pills" not in text_of(card), "member text is never quoted"
    assert public_posts(emulator, channel) == [], "never a public reply"

    [case] = await wait_cases(bot, server, 1)
    [refused] = await wait_events(bot, server, "card_undelivered", 1)
    assert refused["case_id"] == case.id and "dm_closed" in refused["detail"]
    paged = [r["detail"] for r in await wait_events(bot, server, "paged", 2)]
    assert "crisis card in a private thread (DMs closed), 1 added: reached on-call role On call (1 member)" in paged
    # The card still waits for the member's next interaction, as before.
    await next_interaction_shows_the_card(emulator, server, ann)


async def test_a_thread_discord_refuses_leaves_the_card_for_the_next_interaction_and_says_so(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await ready(bot, emulator, server)
    circle, ann = await member_in_circle(bot, emulator, server)
    emulator.world.dms_closed.add(ann)
    emulator.inject_fault("POST", THREADS, 403, 50013, times=1)
    channel = str(circle.text_channel_id)
    await emulator.send_message(channel, ann, CRISIS)

    [refused, no_thread] = await wait_events(bot, server, "card_undelivered", 2)
    assert "dm_closed" in refused["detail"]
    assert no_thread["detail"] == ("no private thread for the crisis card (http 403): "
                                   "it waits for the member's next interaction")
    assert [c.status for c in thread_calls(emulator, channel)] == [403]
    assert not emulator.find_calls("PUT", THREAD_MEMBER)
    assert public_posts(emulator, channel) == [], "never a public reply instead"
    await next_interaction_shows_the_card(emulator, server, ann)


async def test_a_card_refused_after_a_restart_still_gets_its_thread_and_only_one(
        runner: BotRunner, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    bot = await runner.start()
    await ready(bot, emulator, server)
    circle, ann = await member_in_circle(bot, emulator, server)
    emulator.world.dms_closed.add(ann)
    channel = str(circle.text_channel_id)
    # Discord is down when the card is first tried: the DM row waits in the outbox across the restart.
    emulator.inject_fault("POST", "/channels/{channel_id}/messages", 503, times=None)
    await emulator.send_message(channel, ann, CRISIS)
    await wait_cases(bot, server, 1)
    await emulator.wait_until(lambda: emulator.find_calls(
        "POST", "/channels/{channel_id}/messages", where=lambda c: c.status == 503), 5, "the first 503")
    await runner.stop()
    emulator.clear_faults()

    bot = await runner.start()
    clock.advance(minutes=15)
    thread_id, card = await the_thread(emulator, channel)
    assert "Help is here" in text_of(card)
    await bot.outbox.drain()
    bot = await runner.restart()
    await bot.outbox.drain()
    assert len(thread_calls(emulator, channel)) == 1, "one thread, whatever the restarts"
    assert len(emulator.world.messages[thread_id]) == 1, "one card in it"
    assert public_posts(emulator, channel) == []
