"""Every crisis reaches a human, in DMs too: one relay per (member, server) and a DM goes only to the
server the member picks; a crisis DM from a member in several servers offers each server's
moderators; crisis words in a relay page like any crisis; a double press of "Talk to a moderator
now" is one case; urgent requests and "worried" reports have limits, a member's own crisis words none."""

from __future__ import annotations

from typing import Any

from bot.cases.queue import LADDER_KIND
from bot.cases.records import list_cases
from bot.client import PeerCirclesBot
from bot.delivery import schedules
from bot.demo.runner import BotRunner
from emulator import state as S
from emulator.events import Server
from emulator.interactions import find_component, text_of
from emulator.server import DiscordEmulator
from tests.e2e.cases.helpers import CRISIS, queue_messages, ready, wait_cases
from tests.e2e.circles.helpers import dms


def bot_dms(emulator: DiscordEmulator, user: str) -> list[dict[str, Any]]:
    return [m for m in dms(emulator, user) if m["author"]["id"] == emulator.world.bot_id]


def dm_channel(emulator: DiscordEmulator, user: str) -> str:
    if user not in emulator.world.dm_channels:
        channel = emulator.world.add_channel(None, None, S.DM, recipients=[dict(emulator.world.users[user])])["id"]
        emulator.world.dm_channels[user] = channel
    return emulator.world.dm_channels[user]


def thread_texts(emulator: DiscordEmulator, thread_id: int | None) -> str:
    return "\n".join(m.get("content", "") for m in emulator.world.messages.get(str(thread_id), {}).values())


async def two_servers(emulator: DiscordEmulator, server: Server, runner: BotRunner
                      ) -> tuple[PeerCirclesBot, Server, str]:
    """Ann is a member of two servers, both set up, each with a moderator."""
    other = emulator.build_server("Second Server")
    ann = emulator.add_person(server.guild_id, "ann")
    emulator.world.add_member(other.guild_id, ann)
    bot = await runner.start()
    await ready(bot, emulator, server)
    await ready(bot, emulator, other)
    return bot, other, ann


async def test_a_dm_goes_only_to_the_relay_of_the_server_the_member_picks(
        emulator: DiscordEmulator, server: Server, runner: BotRunner) -> None:
    bot, other, ann = await two_servers(emulator, server, runner)
    card = await (await emulator.slash(None, ann, "support")).reply()
    await (await emulator.click(ann, card, label="Talk to a moderator of Pain Peers")).reply()
    await (await emulator.click(ann, card, label="Talk to a moderator of Second Server")).reply()
    [in_a] = await wait_cases(bot, server, 1)
    [in_b] = await wait_cases(bot, other, 1)
    assert in_a.thread_id and in_b.thread_id

    channel = dm_channel(emulator, ann)
    await emulator.send_message(channel, ann, "this is for the second server only")
    await emulator.wait_until(lambda: any("more than one server" in m["content"] for m in bot_dms(emulator, ann)),
                              5, "the question: which server?")
    question = next(m for m in bot_dms(emulator, ann) if "more than one server" in m["content"])
    assert "second server only" not in thread_texts(emulator, in_a.thread_id) + thread_texts(emulator, in_b.thread_id)
    menu = find_component(question, custom_id=question["components"][0]["components"][0]["custom_id"])
    assert sorted(o["label"] for o in menu["options"]) == ["Pain Peers", "Second Server"]

    picked = await emulator.select(ann, question, menu["custom_id"], [str(in_b.id)])
    assert "Sent to the moderators of **Second Server**" in text_of(await picked.reply())
    await emulator.wait_until(lambda: "second server only" in thread_texts(emulator, in_b.thread_id), 5,
                              "the DM in the second server's relay")
    await emulator.send_message(channel, ann, "and a follow-up")
    await emulator.wait_until(lambda: "follow-up" in thread_texts(emulator, in_b.thread_id), 5, "kept choice")
    await bot.outbox.drain()
    assert "second server only" not in thread_texts(emulator, in_a.thread_id), "never in server A's thread"
    assert "follow-up" not in thread_texts(emulator, in_a.thread_id)


async def test_one_relay_per_member_and_server_and_a_double_press_is_one_case(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await ready(bot, emulator, server)
    ann = await emulator.member_join(server.guild_id, "ann")
    card = await (await emulator.slash(None, ann, "support")).reply()
    first = await emulator.click(ann, card, label="Talk to a moderator now")
    second = await emulator.click(ann, card, label="Talk to a moderator now")
    assert "Write to me here" in text_of(await first.reply())
    again = text_of(await second.reply())
    assert "still open" in again and "Pain Peers" in again
    [case] = await wait_cases(bot, server, 1)
    await bot.outbox.drain()
    relay_threads = [c for c in emulator.world.channels.values()
                     if c.get("parent_id") == server.queue_id and c.get("type") == S.PUBLIC_THREAD]
    assert len(relay_threads) == 1, "one relay thread"

    # In a channel: a double press answers with the first case's private thread.
    bob = await emulator.member_join(server.guild_id, "bob")
    card = await (await emulator.slash(server.guild_id, bob, "support")).reply()
    one = await emulator.click(bob, card, label="Talk to a moderator now")
    two = await emulator.click(bob, card, label="Talk to a moderator now")
    texts = sorted([text_of(await one.reply()), text_of(await two.reply())])
    cases = [c for c in await list_cases(bot.db, int(server.guild_id)) if c.subject_user_id == int(bob)]
    assert len(cases) == 1, "one case for two presses"
    assert any("already have a private conversation" in t and f"<#{cases[0].thread_id}>" in t for t in texts)
    assert case.id != cases[0].id


async def test_a_crisis_dm_from_a_member_of_two_servers_opens_the_case_where_they_pick(
        emulator: DiscordEmulator, server: Server, runner: BotRunner) -> None:
    bot, other, ann = await two_servers(emulator, server, runner)
    await emulator.send_message(dm_channel(emulator, ann), ann, CRISIS)
    await emulator.wait_until(lambda: bot_dms(emulator, ann), 5, "the card")
    card = bot_dms(emulator, ann)[0]
    assert find_component(card, label="Talk to a moderator of Pain Peers")
    assert find_component(card, label="Talk to a moderator of Second Server")
    assert await list_cases(bot.db, int(server.guild_id)) == [] and await list_cases(bot.db, int(other.guild_id)) == []

    await (await emulator.click(ann, card, label="Talk to a moderator of Second Server")).reply()
    [case] = await wait_cases(bot, other, 1)
    assert (case.kind, case.urgency, case.subject_user_id) == ("crisis", "urgent", int(ann))
    assert await list_cases(bot.db, int(server.guild_id)) == [], "nothing in the server not picked"
    await emulator.wait_until(lambda: any(f"Case #{case.number}:" in text_of(m)
                                          for m in queue_messages(emulator, other)), 5,
                              "announced in the picked server's queue")
    queued = next(m for m in queue_messages(emulator, other) if f"Case #{case.number}:" in text_of(m))
    assert f"<@&{other.oncall_role_id}>" in queued["content"], "urgent: on call paged"


async def test_crisis_words_in_a_dm_relay_page_like_any_crisis(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await ready(bot, emulator, server)
    ann = await emulator.member_join(server.guild_id, "ann")
    card = await (await emulator.slash(None, ann, "support")).reply()
    await (await emulator.click(ann, card, label="Talk to a moderator now")).reply()
    [relay] = await wait_cases(bot, server, 1)
    await bot.outbox.drain()
    await emulator.send_message(dm_channel(emulator, ann), ann, CRISIS)
    cases = await wait_cases(bot, server, 2)
    crisis = next(c for c in cases if c.id != relay.id)
    assert (crisis.kind, crisis.urgency, crisis.subject_user_id) == ("crisis", "urgent", int(ann))
    assert f"<#{relay.thread_id}>" in str(crisis.snapshot.get("link")), "the crisis case links the relay"
    await emulator.wait_until(
        lambda: any(f"Case #{crisis.number}:" in text_of(m) for m in queue_messages(emulator, server)),
        5, "the crisis case in the queue")
    queued = next(m for m in queue_messages(emulator, server) if f"Case #{crisis.number}:" in text_of(m))
    assert f"<@&{server.oncall_role_id}>" in queued["content"], "paged: on call pinged"
    ladder = await schedules.list_schedules(bot.db.conn, int(server.guild_id), kind=LADDER_KIND, owner_id=crisis.id)
    assert len(ladder) == 2, "the urgent ladder: re-page on call, then organisers"
    await emulator.wait_until(lambda: any("Help is here" in text_of(m) for m in bot_dms(emulator, ann)), 5, "card")
    assert "ready" in thread_texts(emulator, relay.thread_id), "the words still reach the relay thread"


async def test_urgent_reach_outs_and_worried_reports_are_limited_kindly_but_never_crisis_words(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await ready(bot, emulator, server)
    ann = await emulator.member_join(server.guild_id, "ann")
    for _ in range(3):
        await (await emulator.slash(server.guild_id, ann, "reach-out", urgency="urgent")).reply()
    limited = await (await emulator.slash(server.guild_id, ann, "reach-out", urgency="urgent")).reply()
    assert "You can try again <t:" in text_of(limited) and "988" in text_of(limited), "kind words and the lines"
    await wait_cases(bot, server, 3)
    crisis = await (await emulator.slash(server.guild_id, ann, "reach-out", urgency="urgent", what=CRISIS)).reply()
    assert "private thread" in text_of(crisis)
    await wait_cases(bot, server, 4)

    bob = await emulator.member_join(server.guild_id, "bob")
    for n in range(4):
        message = await emulator.send_message(server.general_id, bob, f"message {n}")
        ix = await emulator.message_command(server.guild_id, ann, "Report to moderators", message)
        done = await (await emulator.submit_modal(ann, ix, {"category": ["worried"]})).reply()
        if n < 3:
            assert "Thank you for telling us" in text_of(done)
    assert "You can send another <t:" in text_of(done)
    worried = [c for c in await list_cases(bot.db, int(server.guild_id)) if c.kind == "report"]
    assert len(worried) == 3
