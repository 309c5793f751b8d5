"""Every crisis reaches a human (issue 24): one fallback chain for every page (on duty, on call,
moderators, organisers, the owner by DM), the case history saying whom each page reached, and a
queue channel Discord refuses paging the same people by DM, shown in /status and /setup."""

from __future__ import annotations

from bot.cases.records import case_events
from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock
from bot.core.guild_settings import update_setting
from bot.demo.runner import BotRunner
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DiscordEmulator
from emulator.state import SEND_MESSAGES
from tests.e2e.cases.helpers import CRISIS, pages, ready, wait_cases, wait_queue_message
from tests.e2e.cases.test_crisis import member_in_circle
from tests.e2e.circles.helpers import dms, set_up

MESSAGES = "/channels/{channel_id}/messages"


def queue_post_call(emulator: DiscordEmulator, server: Server, number: int):
    posts = emulator.find_calls("POST", MESSAGES, where=lambda c: c.params["channel_id"] == server.queue_id)
    return next(c for c in posts if f"Case #{number}:" in text_of(c.json or {}))


async def test_without_an_on_call_role_the_new_case_and_its_repage_page_the_moderator_role(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    mod = await ready(bot, emulator, server)
    await update_setting(bot.db, bot.clock, int(server.guild_id), "oncall_role_id", None)
    circle, ann = await member_in_circle(bot, emulator, server)
    await emulator.send_message(str(circle.text_channel_id), ann, CRISIS)
    [case] = await wait_cases(bot, server, 1)
    queued = await wait_queue_message(emulator, server, case.number)
    assert f"<@&{server.moderator_role_id}>" in queued["content"]
    posted = queue_post_call(emulator, server, case.number)
    assert posted.json["allowed_mentions"]["roles"] == [server.moderator_role_id]
    clock.advance(minutes=5)
    await emulator.wait_until(lambda: pages(emulator, server, case.number), 5, "the re-page")
    assert f"<@&{server.moderator_role_id}>" in pages(emulator, server, case.number)[0]
    shown = text_of(await (await emulator.slash(server.guild_id, mod, "case show", id=case.number)).reply())
    assert shown.count("reached moderator role Moderators (1 member)") == 2, shown
    assert "end my life" not in "".join(e.detail for e in await case_events(bot.db, int(server.guild_id), case.id)
                                        if e.event == "paged")


async def test_when_no_role_has_anyone_the_owner_is_paged_by_dm(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await set_up(bot, server)  # the roles are chosen, but nobody holds them
    circle, ann = await member_in_circle(bot, emulator, server)
    await emulator.send_message(str(circle.text_channel_id), ann, CRISIS)
    [case] = await wait_cases(bot, server, 1)
    queued = await wait_queue_message(emulator, server, case.number)
    assert "<@&" not in queued["content"], "a mention of an empty role reaches nobody"
    await emulator.wait_until(lambda: dms(emulator, server.owner_id), 5, "the owner's DM")
    [dm] = dms(emulator, server.owner_id)
    assert f"New urgent case #{case.number}" in dm["content"] and "Nobody else could be paged" in dm["content"]
    assert "end my life" not in dm["content"]
    [paged] = [e.detail for e in await case_events(bot.db, int(server.guild_id), case.id) if e.event == "paged"]
    assert paged == "new urgent case: reached the server owner by DM"


async def test_a_queue_channel_that_refuses_the_bot_pages_the_chain_by_dm_and_status_and_setup_say_so(
        runner: BotRunner, emulator: DiscordEmulator, server: Server) -> None:
    bot = await runner.start()
    mod = await ready(bot, emulator, server)
    bot_role = emulator.world.guilds[server.guild_id].members[emulator.world.bot_id]["roles"][0]
    # Someone took Send Messages from the bot in the queue channel after /setup.
    emulator.world.channels[server.queue_id]["permission_overwrites"] = [
        {"id": bot_role, "type": 0, "allow": "0", "deny": str(SEND_MESSAGES)}]
    await runner.restart()
    bot = runner.bot
    oncall = next(u for u, m in emulator.world.guilds[server.guild_id].members.items()
                  if server.oncall_role_id in m["roles"])
    circle, ann = await member_in_circle(bot, emulator, server)
    await emulator.send_message(str(circle.text_channel_id), ann, CRISIS)
    [case] = await wait_cases(bot, server, 1)
    await emulator.wait_until(lambda: dms(emulator, oncall), 5, "the page by DM to on call")
    [dm] = dms(emulator, oncall)
    assert f"Case #{case.number}" in dm["content"] and "couldn't be posted in the moderator queue" in dm["content"]
    assert "end my life" not in text_of(dm)
    events = {e.event: e.detail for e in await case_events(bot.db, int(server.guild_id), case.id)}
    assert events["page_failed"].endswith("paged by DM instead: on-call role On call (1 member) (1 DM)")

    status = await (await emulator.slash(server.guild_id, server.owner_id, "status")).reply()
    assert "Moderator queue channel: 1 post or page refused" in text_of(status)

    page = await (await emulator.slash(server.guild_id, server.owner_id, "setup")).reply()
    page = await (await emulator.click(server.owner_id, page, label="Next")).reply()
    refused = await (await emulator.select(server.owner_id, page, "circle:setup:queue", [server.queue_id])).reply()
    assert "I can't post in **#mod-queue**" in refused["content"]
    page = await (await emulator.click(server.owner_id, refused, label="Next")).reply()
    done = await (await emulator.click(server.owner_id, page, label="Finish setup")).reply()
    assert "I can't post in" in done["content"] and "1 post or page refused" in done["content"]
    assert mod


async def test_setup_warns_when_people_other_than_moderators_can_read_the_queue_and_explains_no_on_call(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await ready(bot, emulator, server)
    await update_setting(bot.db, bot.clock, int(server.guild_id), "oncall_role_id", None)
    page = await (await emulator.slash(server.guild_id, server.owner_id, "setup")).reply()
    assert "urgent cases page moderators on duty, else the moderator role" in text_of(page)
    page = await (await emulator.click(server.owner_id, page, label="Next")).reply()
    chosen = await (await emulator.select(server.owner_id, page, "circle:setup:queue", [server.queue_id])).reply()
    assert "**#mod-queue** can be read by everyone in the server" in chosen["content"]
    page = await (await emulator.click(server.owner_id, chosen, label="Next")).reply()
    done = await (await emulator.click(server.owner_id, page, label="Finish setup")).reply()
    assert "can be read by everyone" in done["content"] and "No on-call role: urgent cases page" in done["content"]


async def test_an_urgent_reach_out_with_nobody_on_duty_adds_whom_the_chain_reaches_to_the_private_thread(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    mod = await ready(bot, emulator, server)
    await update_setting(bot.db, bot.clock, int(server.guild_id), "oncall_role_id", None)
    ann = await emulator.member_join(server.guild_id, "ann")
    await (await emulator.slash(server.guild_id, ann, "reach-out", urgency="urgent")).reply()
    [case] = await wait_cases(bot, server, 1)
    assert case.thread_id
    thread = str(case.thread_id)
    assert emulator.world.thread_members[thread] >= {ann, mod}, "the moderator role's holder is in the thread"
    await emulator.wait_until(lambda: emulator.world.messages.get(thread), 5, "the opening message")
    [opening] = emulator.world.messages[thread].values()
    assert f"<@{mod}>" in opening["content"] and "<@&" not in opening["content"], "people, not an unseen role"
    assert "I added 1 of the 1 members of Moderators" in opening["content"]
    events = [e.detail for e in await case_events(bot.db, int(server.guild_id), case.id) if e.event == "paged"]
    assert "reach-out thread, 1 added: reached moderator role Moderators (1 member)" in events


async def test_an_urgent_reach_out_adds_at_most_ten_of_a_big_role_and_says_so(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await ready(bot, emulator, server)
    for n in range(11):
        await emulator.set_roles(server.guild_id, await emulator.member_join(server.guild_id, f"oc{n}"),
                                 [server.oncall_role_id])
    guild = bot.get_guild(int(server.guild_id))
    assert guild is not None
    await emulator.wait_until(lambda: len(guild.get_role(int(server.oncall_role_id)).members) == 12,  # type: ignore[union-attr]
                              5, "twelve on call")
    ann = await emulator.member_join(server.guild_id, "ann")
    await (await emulator.slash(server.guild_id, ann, "reach-out", urgency="urgent")).reply()
    [case] = await wait_cases(bot, server, 1)
    thread = str(case.thread_id)
    assert len(emulator.world.thread_members[thread] - {ann, emulator.world.bot_id}) == 10
    await emulator.wait_until(lambda: emulator.world.messages.get(thread), 5, "the opening message")
    [opening] = emulator.world.messages[thread].values()
    assert "I added 10 of the 12 members of On call (the first few; the queue has paged the rest)" in opening["content"]
