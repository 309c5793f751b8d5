"""The escalation ladder with a moved clock (and a restart in the middle), reach-out threads,
actions on a member (timeout, remove from circle, block from stories), and the member limits."""

from __future__ import annotations

from bot.cases.records import case_events, get_case
from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock
from bot.demo.runner import BotRunner
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DiscordEmulator
from tests.e2e.cases.helpers import CRISIS, pages, ready, wait_cases, wait_queue_message
from tests.e2e.circles.helpers import create_circle, dms, has_role, join

EPHEMERAL = 1 << 6


async def test_an_unclaimed_urgent_case_repages_on_call_then_organisers_and_a_claim_stops_it(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    mod = await ready(bot, emulator, server)
    ann = await emulator.member_join(server.guild_id, "ann")
    await (await emulator.slash(server.guild_id, ann, "reach-out", urgency="urgent")).reply()
    [case] = await wait_cases(bot, server, 1)
    await wait_queue_message(emulator, server, case.number)
    clock.advance(minutes=4)
    await bot.outbox.drain()
    assert pages(emulator, server, case.number) == [], "nothing before 5 minutes"
    clock.advance(minutes=1)
    await emulator.wait_until(lambda: pages(emulator, server, case.number), 5, "the on-call re-page")
    assert f"<@&{server.oncall_role_id}>" in pages(emulator, server, case.number)[0]
    clock.advance(minutes=10)
    await emulator.wait_until(lambda: len(pages(emulator, server, case.number)) == 2, 5, "the organiser page")
    assert f"<@&{server.organiser_role_id}>" in pages(emulator, server, case.number)[1]
    paged = [e.detail for e in await case_events(bot.db, int(server.guild_id), case.id) if e.event == "paged"]
    # The case history says whom each page reached (the new case, the reach-out thread, the re-page,
    # the organisers).
    assert len(paged) == 4
    assert paged[0] == "new urgent case: reached on-call role On call (1 member)"
    assert paged[1] == "reach-out thread, 1 added: reached on-call role On call (1 member)"
    assert paged[2].startswith("oncall (due") and paged[2].endswith("reached on-call role On call (1 member)")
    assert paged[3].endswith("reached organiser role Organisers (1 member)")

    # A second urgent case, claimed in time: no re-pages at all.
    bea = await emulator.member_join(server.guild_id, "bea")
    await (await emulator.slash(server.guild_id, bea, "reach-out", urgency="urgent")).reply()
    second = (await wait_cases(bot, server, 2))[-1]
    await (await emulator.slash(server.guild_id, mod, "case claim", id=second.number)).reply()
    clock.advance(minutes=30)
    await bot.outbox.drain()
    assert pages(emulator, server, second.number) == []


async def test_a_restart_in_the_middle_of_the_ladder_keeps_the_repages(
        runner: BotRunner, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    bot = await runner.start()
    await ready(bot, emulator, server)
    ann = await emulator.member_join(server.guild_id, "ann")
    await (await emulator.slash(server.guild_id, ann, "reach-out", urgency="urgent")).reply()
    [case] = await wait_cases(bot, server, 1)
    await wait_queue_message(emulator, server, case.number)
    await runner.stop()
    clock.advance(minutes=20)  # both pages fall due while the bot is down
    bot = await runner.start()
    await bot.scheduler.caught_up()
    await emulator.wait_until(lambda: len(pages(emulator, server, case.number)) == 2, 5, "both pages, late")
    bot = await runner.restart()
    await bot.scheduler.caught_up()
    await bot.outbox.drain()
    assert len(pages(emulator, server, case.number)) == 2, "and never twice"


async def test_a_normal_case_is_raised_once_after_a_day(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                        server: Server, clock: FakeClock) -> None:
    await ready(bot, emulator, server)
    ann = await emulator.member_join(server.guild_id, "ann")
    await (await emulator.slash(server.guild_id, ann, "reach-out", what="could someone talk about pacing?")).reply()
    [case] = await wait_cases(bot, server, 1)
    clock.advance(hours=23)
    await bot.outbox.drain()
    assert pages(emulator, server, case.number) == []
    clock.advance(hours=1)
    await emulator.wait_until(lambda: pages(emulator, server, case.number), 5, "raised")
    clock.advance(hours=48)
    await bot.outbox.drain()
    assert len(pages(emulator, server, case.number)) == 1, "once"


async def test_reach_out_opens_a_private_thread_with_the_member_and_on_duty_moderators(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    mod = await ready(bot, emulator, server)
    await (await emulator.slash(server.guild_id, mod, "case on-duty", state="on")).reply()
    ann = await emulator.member_join(server.guild_id, "ann")
    answer = await (await emulator.slash(server.guild_id, ann, "reach-out", what="rough week",
                                         urgency="normal")).reply()
    assert answer["flags"] & EPHEMERAL and "private thread" in answer["content"]
    [case] = await wait_cases(bot, server, 1)
    assert case.kind == "help" and case.urgency == "normal" and case.thread_id
    thread = emulator.world.channels[str(case.thread_id)]
    assert thread["type"] == 12, "a private thread"
    assert {ann, mod} <= emulator.world.thread_members[str(case.thread_id)]
    await emulator.wait_until(lambda: emulator.world.messages.get(str(case.thread_id)), 5, "the opening message")
    queued = await wait_queue_message(emulator, server, case.number)
    assert f"<#{case.thread_id}>" in text_of(queued) and "rough week" not in text_of(queued)


async def test_talk_now_from_a_dm_card_opens_an_urgent_case_with_a_dm_relay_both_ways(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    mod = await ready(bot, emulator, server)
    ann = await emulator.member_join(server.guild_id, "ann")
    bob = await emulator.member_join(server.guild_id, "bob")
    card = await (await emulator.slash(None, ann, "support")).reply()
    answer = await (await emulator.click(ann, card, label="Talk to a moderator now")).reply()
    assert "Write to me here in direct messages" in answer["content"] and "Pain Peers" in answer["content"]
    [case] = await wait_cases(bot, server, 1)
    assert (case.kind, case.urgency, case.subject_user_id) == ("help", "urgent", int(ann))
    relay = str(case.thread_id)
    assert emulator.world.channels[relay]["parent_id"] == server.queue_id, "a thread only moderators see"
    await emulator.wait_until(lambda: emulator.world.messages.get(relay), 5, "the relay's first message")

    dm_channel = emulator.world.dm_channels[ann]
    await emulator.send_message(dm_channel, ann, "it's been a hard week @everyone")
    await emulator.wait_until(lambda: any("hard week" in m["content"] for m in emulator.world.messages[relay].values()),
                              5, "the member's DM in the relay thread")
    relayed = next(m for m in emulator.world.messages[relay].values() if "hard week" in m["content"])
    assert "@\u200beveryone" in relayed["content"], "member text can't ping through the bot"

    before = len(dms(emulator, ann))
    await emulator.send_message(relay, bob, "a member who isn't a moderator can't speak for them")
    await emulator.send_message(relay, mod, "I'm here. Want to talk it through?")
    await emulator.wait_until(lambda: any("I'm here" in m["content"] for m in dms(emulator, ann)), 5, "the reply")
    new = [m["content"] for m in dms(emulator, ann)[before:]]
    assert new == ["-# From **Pain Peers**\n**A moderator of Pain Peers:** I'm here. Want to talk it through?"]

    await emulator.send_message(dm_channel, ann, CRISIS)
    await emulator.wait_until(lambda: any("Help is here" in text_of(m) for m in dms(emulator, ann)), 5,
                              "crisis words in the relay bring the card too")


async def test_reach_outs_are_limited_kindly_but_never_a_crisis(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await ready(bot, emulator, server)
    ann = await emulator.member_join(server.guild_id, "ann")
    for _ in range(3):
        await (await emulator.slash(server.guild_id, ann, "reach-out", what="hello")).reply()
    limited = await (await emulator.slash(server.guild_id, ann, "reach-out", what="hello")).reply()
    assert "You can try again <t:" in limited["content"]
    await wait_cases(bot, server, 3)
    crisis = await (await emulator.slash(server.guild_id, ann, "reach-out", what=CRISIS)).reply()
    assert "988" in text_of(crisis)
    urgent = await (await emulator.slash(server.guild_id, ann, "reach-out", urgency="urgent")).reply()
    assert "private thread" in urgent["content"]
    await wait_cases(bot, server, 5)


async def test_timeout_and_removal_are_recorded_and_the_member_told_with_delivery_shown(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    mod = await ready(bot, emulator, server)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    bob = await emulator.member_join(server.guild_id, "bob")
    await join(emulator, server, bob, circle)
    ann = await emulator.member_join(server.guild_id, "ann")
    message = await emulator.send_message(server.general_id, bob, "you are all pathetic")
    ix = await emulator.message_command(server.guild_id, ann, "Report to moderators", message)
    await (await emulator.submit_modal(ann, ix, {"category": ["harassment"]})).reply()
    [case] = await wait_cases(bot, server, 1)

    bad = await (await emulator.slash(server.guild_id, mod, "case timeout", id=case.number, minutes=40321,
                                      reason="x")).reply()
    assert "40320" in bad["content"] or "valid" in bad["content"]
    done = await (await emulator.slash(server.guild_id, mod, "case timeout", id=case.number, minutes=60,
                                       reason="harassment")).reply()
    assert "timed out until" in done["content"]
    member = emulator.world.guilds[server.guild_id].members[bob]
    assert member["communication_disabled_until"]
    await emulator.wait_until(lambda: any("paused your messages" in text_of(m) for m in dms(emulator, bob)), 5,
                              "the member told")
    await bot.outbox.drain()

    emulator.world.dms_closed.add(bob)
    removed = await (await emulator.slash(server.guild_id, mod, "case remove-from-circle", id=case.number,
                                          circle=str(circle.id), reason="harassment in circle")).reply()
    assert "was removed from **Fibro Friends**" in removed["content"]
    await emulator.wait_until(lambda: not has_role(emulator, server, bob, circle.role_id), 5, "the role gone")
    await bot.outbox.drain()
    await (await emulator.slash(server.guild_id, mod, "case block-stories", id=case.number, days=7,
                                   reason="spam")).reply()

    shown = text_of(await (await emulator.slash(server.guild_id, mod, "case show", id=case.number)).reply())
    assert "timeout" in shown and "removed from circle" in shown and "from sharing stories" in shown
    assert ": delivered" in shown and "not delivered (dm_closed)" in shown
    events = await case_events(bot.db, int(server.guild_id), case.id)
    assert [e.event for e in events].count("action") == 3
    assert (await get_case(bot.db, int(server.guild_id), case.id)) is not None


async def test_a_timeout_discord_refuses_is_explained_and_not_recorded(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    mod = await ready(bot, emulator, server)
    ann = await emulator.member_join(server.guild_id, "ann")
    message = await emulator.send_message(server.general_id, server.owner_id, "owner's message")
    ix = await emulator.message_command(server.guild_id, ann, "Report to moderators", message)
    await (await emulator.submit_modal(ann, ix, {"category": ["other"]})).reply()
    [case] = await wait_cases(bot, server, 1)
    refused = await (await emulator.slash(server.guild_id, mod, "case timeout", id=case.number, minutes=5,
                                          reason="x")).reply()
    assert "didn't let me time out" in refused["content"]
    assert [e.event for e in await case_events(bot.db, int(server.guild_id), case.id)] == ["opened"]


async def test_without_permission_for_a_private_thread_the_reach_out_falls_back_to_the_relay(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await ready(bot, emulator, server)
    ann = await emulator.member_join(server.guild_id, "ann")
    emulator.inject_fault("POST", "/channels/{channel_id}/threads", 403, 50013, times=1)
    answer = await (await emulator.slash(server.guild_id, ann, "reach-out", what="can we talk")).reply()
    assert "Write to me here in direct messages" in answer["content"]
    [case] = await wait_cases(bot, server, 1)
    assert emulator.world.channels[str(case.thread_id)]["parent_id"] == server.queue_id
