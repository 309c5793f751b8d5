"""What a review of the cases found: the export names nobody else, crisis language in story and
circle threads and in unrelayed DMs is screened, the bot's own messages are reported only as story
posts, a waiting card shows in its own server, and a report's copy of a message is forgotten."""

from __future__ import annotations

import json
from typing import Any

from bot.cases.records import list_cases
from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock
from emulator import state as S
from emulator.events import Server
from emulator.interactions import find_component, text_of
from emulator.server import DiscordEmulator
from tests.e2e.cases.helpers import CONCERN, CRISIS, ready, wait_cases
from tests.e2e.circles.helpers import dms
from tests.e2e.privacy.helpers import export_of
from tests.e2e.stories.helpers import share, starter, story_world, wait_published

EPHEMERAL = 1 << 6


def bot_dms(emulator: DiscordEmulator, user: str) -> list[dict[str, Any]]:
    return [m for m in dms(emulator, user) if m["author"]["id"] == emulator.world.bot_id]


async def export(emulator: DiscordEmulator, server: Server, user: str) -> dict[str, Any]:
    ix = await emulator.slash(server.guild_id, user, "privacy export")
    await ix.reply()
    return export_of(emulator, ix.record.token)


async def test_the_reported_member_s_export_never_names_who_reported_them_or_what_was_written(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    mod = await ready(bot, emulator, server)
    ann = await emulator.member_join(server.guild_id, "ann")
    bob = await emulator.member_join(server.guild_id, "bob")
    message = await emulator.send_message(server.general_id, bob, "everything is too much lately")
    ix = await emulator.message_command(server.guild_id, ann, "Report to moderators", message)
    form = {"category": ["worried"], "details": "bob seems low, ann here"}
    await (await emulator.submit_modal(ann, ix, form)).reply()
    [case] = await wait_cases(bot, server, 1)
    claimed = await (await emulator.slash(server.guild_id, mod, "case claim", id=case.number)).reply()
    assert "claimed" in claimed["content"]

    about = await export(emulator, server, bob)
    flat = json.dumps(about["data"]["cases"]) + json.dumps(about["data"].get("case_events", {}))
    assert ann not in flat and mod not in flat, "never who reported them or who handled it"
    assert "ann here" not in flat and "too much lately" not in flat and "report:" not in flat
    (row,) = about["data"]["cases"]["rows"]
    assert row["kind"] == "report" and row["status"] == "claimed" and row["created_at"]
    assert not {"opened_by", "claimed_by", "summary", "snapshot", "dedupe_key"} & set(row)

    mine = await export(emulator, server, ann)
    (own,) = mine["data"]["cases"]["rows"]
    assert own["reason"] == "Crisis concern for someone" and own["your_details"] == "bob seems low, ann here"
    assert own["status"] == "claimed" and bob not in json.dumps(own) and mod not in json.dumps(mine["data"]["cases"])

    handled = await export(emulator, server, mod)
    (theirs,) = handled["data"]["cases"]["rows"]
    assert theirs["your_part"] == "you handled it as a moderator"
    assert bob not in json.dumps(handled["data"]) and ann not in json.dumps(handled["data"])


async def test_crisis_words_in_a_story_s_thread_bring_the_card_and_a_case(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server)
    await share(emulator, server, world.author, world.circle)
    (thread,) = await wait_published(emulator, world.circle, bot=bot)
    await emulator.send_message(thread["id"], world.reader, CRISIS)
    await emulator.wait_until(lambda: bot_dms(emulator, world.reader), 5, "the private crisis card")
    assert "Help is here" in text_of(bot_dms(emulator, world.reader)[0])
    [case] = await wait_cases(bot, server, 1)
    assert (case.kind, case.urgency, case.source, case.subject_user_id) == (
        "crisis", "urgent", "story_thread", int(world.reader))
    public = [m for m in emulator.world.messages[thread["id"]].values()
              if m["author"]["id"] == emulator.world.bot_id and m["id"] != thread["id"]]
    assert public == [], "never a public reply"


async def test_crisis_words_in_a_thread_of_circle_chat_are_screened(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server)
    thread = emulator.world.add_channel(
        server.guild_id, "after the meeting", S.PUBLIC_THREAD, parent_id=str(world.circle.text_channel_id),
        owner_id=world.reader, member_count=1, message_count=0, total_message_sent=0,
        thread_metadata={"archived": False, "locked": False, "auto_archive_duration": 4320,
                         "archive_timestamp": S.iso()})
    thread.pop("permission_overwrites", None)
    await emulator.gateway.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
    await emulator.wait_until(lambda: bot.get_channel(int(thread["id"])) is not None, 5, "the thread")
    await emulator.send_message(thread["id"], world.reader, CRISIS)
    [case] = await wait_cases(bot, server, 1)
    assert (case.kind, case.source) == ("crisis", "chat")


async def test_a_dm_without_a_relay_is_screened_and_answered_with_the_support_card(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await ready(bot, emulator, server)
    ann = await emulator.member_join(server.guild_id, "ann")
    channel = emulator.world.add_channel(None, None, S.DM, recipients=[dict(emulator.world.users[ann])])["id"]
    emulator.world.dm_channels[ann] = channel

    await emulator.send_message(channel, ann, "hello bot, how do circles work?")
    await emulator.send_message(channel, ann, CONCERN)
    await emulator.wait_until(lambda: bot_dms(emulator, ann), 5, "the card for concern")
    card = bot_dms(emulator, ann)[0]
    assert "988" in text_of(card) and "Pain Peers" in text_of(card)
    assert find_component(card, label="Talk to a moderator now")
    assert len(bot_dms(emulator, ann)) == 1, "an ordinary DM gets no card"
    assert await list_cases(bot.db, int(server.guild_id)) == [], "concern alone opens no case"

    await emulator.send_message(channel, ann, CRISIS)
    await emulator.wait_until(lambda: len(bot_dms(emulator, ann)) == 2, 5, "the card for a crisis")
    [case] = await wait_cases(bot, server, 1)
    assert (case.kind, case.urgency, case.source, case.subject_user_id) == ("crisis", "urgent", "dm", int(ann))


async def test_the_bot_s_own_messages_are_reported_only_as_story_posts_and_nobody_is_dmed(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server)
    await share(emulator, server, world.author, world.circle)
    (thread,) = await wait_published(emulator, world.circle, bot=bot)
    post = starter(emulator, thread)
    before = {user: len(dms(emulator, user)) for user in (world.author, world.reader)}

    ix = await emulator.message_command(server.guild_id, world.reader, "Report to moderators", post)
    done = await (await emulator.submit_modal(world.reader, ix, {"category": ["worried"]})).reply()
    assert "won't be told who reported them" in done["content"]
    [case] = await wait_cases(bot, server, 1)
    assert case.snapshot["story_number"] == 1 and case.subject_user_id is None and case.urgency == "urgent"
    assert "Story #1" in case.summary
    assert {user: len(dms(emulator, user)) for user in before} == before, "no DM to anyone"
    assert not emulator.find_calls("POST", "/users/@me/channels",
                                   where=lambda c: c.json.get("recipient_id") == emulator.world.bot_id)

    other = await emulator.send_message(server.general_id, emulator.world.bot_id, "Welcome to Pain Peers!")
    refused = await (await emulator.message_command(server.guild_id, world.reader, "Report to moderators",
                                                    other)).reply()
    assert refused["flags"] & EPHEMERAL and "one of my own messages" in refused["content"]
    assert len(await wait_cases(bot, server, 1)) == 1


async def test_a_card_waiting_in_one_server_is_not_shown_in_another(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    from bot.cases.crisis import mark_pending

    await ready(bot, emulator, server)
    ann = await emulator.member_join(server.guild_id, "ann")
    other = emulator.build_server("Second Server")
    emulator.world.add_member(other.guild_id, ann)
    await emulator.gateway.dispatch("GUILD_CREATE", emulator.world.guild_create_payload(other.guild_id))
    await emulator.wait_until(lambda: bot.get_guild(int(other.guild_id)) is not None, 5, "the second server")
    async with bot.db.transaction() as conn:
        await mark_pending(conn, bot.clock, int(server.guild_id), int(ann), "crisis")

    elsewhere = await emulator.slash(other.guild_id, ann, "support")
    await elsewhere.reply()
    assert not elsewhere.followups, "server A's card is not shown in server B"
    here = await emulator.slash(server.guild_id, ann, "support")
    await here.reply()
    await emulator.wait_until(lambda: here.followups, 5, "the waiting card in its own server")
    assert "Pain Peers" in text_of(await here.followup(0))


async def test_a_report_s_copy_of_a_message_is_forgotten_when_its_form_never_comes_back(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    await ready(bot, emulator, server)
    ann = await emulator.member_join(server.guild_id, "ann")
    bob = await emulator.member_join(server.guild_id, "bob")
    first = await emulator.send_message(server.general_id, bob, "words ann never reported")
    second = await emulator.send_message(server.general_id, bob, "other words")
    await (await emulator.message_command(server.guild_id, ann, "Report to moderators", first)).response_type()
    cog: Any = bot.get_cog("CaseMembers")
    assert (int(ann), int(first["id"])) in cog._snapshots
    clock.advance(minutes=16)
    await (await emulator.message_command(server.guild_id, ann, "Report to moderators", second)).response_type()
    assert (int(ann), int(first["id"])) not in cog._snapshots, "gone after 15 minutes"
    assert (int(ann), int(second["id"])) in cog._snapshots
