"""Crisis language: circle chat (card by DM, hourly card limit, a case every time, DMs closed ->
card at the next interaction, Discord 5xx retried), concern, help requests, profanity setting.

Stories and goal notes are other capabilities (built in parallel); they call the same
``respond_to_crisis`` this file drives through circle chat and help requests.
"""

from __future__ import annotations

from bot.cases.records import list_cases
from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock
from emulator.events import Server
from emulator.interactions import find_component, text_of
from emulator.server import DiscordEmulator
from tests.e2e.cases.helpers import CONCERN, CRISIS, ready, wait_cases, wait_events, wait_queue_message
from tests.e2e.circles.helpers import create_circle, dms, join

EPHEMERAL = 1 << 6


async def member_in_circle(bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, name: str = "ann"):
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    ann = await emulator.member_join(server.guild_id, name)
    await join(emulator, server, ann, circle)
    return circle, ann


async def test_crisis_in_circle_chat_dms_the_card_once_an_hour_and_one_urgent_case_gathers_the_rest(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    await ready(bot, emulator, server)
    circle, ann = await member_in_circle(bot, emulator, server)
    channel = str(circle.text_channel_id)
    await emulator.send_message(channel, ann, CRISIS)
    await emulator.wait_until(lambda: dms(emulator, ann), 5, "the crisis card by DM")
    card = dms(emulator, ann)[0]
    assert "Help is here" in text_of(card) and "988" in text_of(card) and "Pain Peers" in text_of(card)
    assert find_component(card, label="Talk to a moderator now")
    public = [m for m in emulator.world.messages[channel].values() if m["author"]["id"] == emulator.world.bot_id]
    assert public == [], "never a public reply"
    [case] = await wait_cases(bot, server, 1)
    assert (case.kind, case.urgency, case.source, case.subject_user_id) == ("crisis", "urgent", "chat", int(ann))
    assert case.snapshot["content"] == CRISIS and case.snapshot["link"]
    queued = await wait_queue_message(emulator, server, case.number)
    assert f"<@&{server.oncall_role_id}>" in queued["content"] and "end my life" not in text_of(queued)

    clock.advance(minutes=20)
    await emulator.send_message(channel, ann, CRISIS + " really")
    await wait_events(bot, server, "gathered", 1)
    assert len(dms(emulator, ann)) == 1, "at most one card an hour"
    assert len(await wait_cases(bot, server, 1)) == 1, "one open crisis case per member gathers the rest"

    clock.advance(minutes=41)
    await emulator.send_message(channel, ann, CRISIS + " again")
    await emulator.wait_until(lambda: len(dms(emulator, ann)) == 2, 5, "a card again after an hour")


async def test_with_dms_closed_the_card_waits_for_the_next_interaction_and_moderators_still_hear(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await ready(bot, emulator, server)
    circle, ann = await member_in_circle(bot, emulator, server)
    emulator.world.dms_closed.add(ann)
    await emulator.send_message(str(circle.text_channel_id), ann, CRISIS)
    [case] = await wait_cases(bot, server, 1)
    await wait_queue_message(emulator, server, case.number)
    await emulator.wait_until(lambda: emulator.find_calls(
        "POST", "/channels/{channel_id}/messages", where=lambda c: c.status == 403), 5, "the closed DM")
    await bot.outbox.drain()

    ix = await emulator.slash(server.guild_id, ann, "circle mine")
    await ix.reply()
    await emulator.wait_until(lambda: ix.followups, 5, "the waiting card as a follow-up")
    shown = await ix.followup(0)
    assert shown["flags"] & EPHEMERAL and "Help is here" in text_of(shown) and "988" in text_of(shown)
    later = await emulator.slash(server.guild_id, ann, "circle mine")
    await later.reply()
    assert not later.followups, "shown once"


async def test_discord_5xx_delays_but_never_drops_the_card_or_the_alert(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    await ready(bot, emulator, server)
    circle, ann = await member_in_circle(bot, emulator, server)
    # 503 is not retried inside discord.py: each one comes back to the outbox, which backs off and retries.
    emulator.inject_fault("POST", "/channels/{channel_id}/messages", 503, times=4)
    await emulator.send_message(str(circle.text_channel_id), ann, CRISIS)
    [case] = await wait_cases(bot, server, 1)
    await emulator.wait_until(lambda: len(emulator.find_calls(
        "POST", "/channels/{channel_id}/messages", where=lambda c: c.status == 503)) >= 2, 5, "the first 503s")
    for _ in range(10):
        if dms(emulator, ann) and emulator.world.messages.get(server.queue_id):
            break
        await bot.outbox.drain()
        clock.advance(minutes=2)
    await wait_queue_message(emulator, server, case.number)
    await emulator.wait_until(lambda: dms(emulator, ann), 5, "the card after the outage")
    assert len(emulator.find_calls("POST", "/channels/{channel_id}/messages", where=lambda c: c.status == 503)) == 4


async def test_concern_gets_a_gentle_check_in_and_a_case_only_if_the_member_asks_or_the_server_opts_in(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await ready(bot, emulator, server)
    circle, ann = await member_in_circle(bot, emulator, server)
    await emulator.send_message(str(circle.text_channel_id), ann, CONCERN)
    await emulator.wait_until(lambda: dms(emulator, ann), 5, "the check-in")
    [check_in] = dms(emulator, ann)
    assert "Checking in" in text_of(check_in) and "hopeless" not in text_of(check_in)
    assert await list_cases(bot.db, int(server.guild_id)) == []
    # The member asks: the check-in's button reaches a moderator.
    answer = await (await emulator.click(ann, check_in, label="Talk to a moderator now")).reply()
    assert "Pain Peers" in answer["content"]
    [asked] = await wait_cases(bot, server, 1)
    assert asked.subject_user_id == int(ann)

    await (await emulator.slash(server.guild_id, server.owner_id, "case-admin settings",
                                concern_opens_case=True)).reply()
    bea = await emulator.member_join(server.guild_id, "bea")
    await join(emulator, server, bea, circle)
    await emulator.send_message(str(circle.text_channel_id), bea, CONCERN)
    cases = await wait_cases(bot, server, 2)
    [case] = [c for c in cases if c.subject_user_id == int(bea)]
    assert (case.kind, case.urgency) == ("concern", "normal")


async def test_crisis_in_a_help_request_answers_with_the_card_and_an_urgent_case(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await ready(bot, emulator, server)
    ann = await emulator.member_join(server.guild_id, "ann")
    answer = await (await emulator.slash(server.guild_id, ann, "reach-out", what=CRISIS)).reply()
    assert answer["flags"] & EPHEMERAL and "988" in text_of(answer)
    [case] = await list_cases(bot.db, int(server.guild_id))
    assert (case.kind, case.urgency, case.source) == ("crisis", "urgent", "reach_out")


async def test_profanity_is_left_alone_by_default_and_removed_with_a_private_note_when_chosen(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await ready(bot, emulator, server)
    circle, ann = await member_in_circle(bot, emulator, server)
    channel = str(circle.text_channel_id)
    first = await emulator.send_message(channel, ann, "this shit weather makes my joints ache")
    await bot.outbox.drain()
    assert first["id"] in emulator.world.messages[channel]
    await (await emulator.slash(server.guild_id, server.owner_id, "case-admin settings", profanity="remove")).reply()
    second = await emulator.send_message(channel, ann, "this shit weather again")
    await emulator.wait_until(lambda: second["id"] not in emulator.world.messages[channel], 5, "removed")
    await emulator.wait_until(lambda: dms(emulator, ann), 5, "the private note")
    assert "was removed" in text_of(dms(emulator, ann)[-1])


async def test_a_slur_aimed_at_people_in_circle_chat_always_opens_a_case(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await ready(bot, emulator, server)
    circle, ann = await member_in_circle(bot, emulator, server)
    channel = str(circle.text_channel_id)
    await emulator.send_message(channel, ann, "my knees are bad today")
    await emulator.send_message(channel, ann, "you are such a tranny")
    await emulator.wait_until(lambda: any("Case #" in text_of(m) for m in
                                          emulator.world.messages.get(server.queue_id, {}).values()),
                              5, "the slur case in the queue")
    rows = await bot.db.fetchall("SELECT kind, source, subject_user_id FROM cases")
    assert [tuple(r) for r in rows] == [("slur", "chat", int(ann))], "one case, for the slur only"
