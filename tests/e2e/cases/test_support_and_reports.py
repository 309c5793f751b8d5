"""/support (server and DMs), Report to moderators (and a duplicate), worried about someone."""

from __future__ import annotations

from bot.cases.records import get_case, list_cases
from bot.client import PeerCirclesBot
from emulator.events import Server
from emulator.interactions import find_component, text_of
from emulator.server import DiscordEmulator
from tests.e2e.cases.helpers import CRISIS, ready, wait_queue_message
from tests.e2e.circles.helpers import dms

EPHEMERAL = 1 << 6


async def test_support_in_a_server_shows_the_local_card_privately_with_talk_now(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await ready(bot, emulator, server)
    ann = await emulator.member_join(server.guild_id, "ann")
    card = await (await emulator.slash(server.guild_id, ann, "support")).reply()
    assert card["flags"] & EPHEMERAL
    assert "988" in text_of(card), "the US card (the server's region)"
    assert find_component(card, label="Talk to a moderator now")


async def test_support_in_dms_uses_the_one_shared_server_or_the_international_card(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await ready(bot, emulator, server)
    ann = await emulator.member_join(server.guild_id, "ann")
    card = await (await emulator.slash(None, ann, "support")).reply()
    assert "988" in text_of(card) and "Pain Peers" in text_of(card)
    assert find_component(card, label="Talk to a moderator now")

    other = emulator.build_server("Second Server")
    emulator.world.add_member(other.guild_id, ann)
    await emulator.gateway.dispatch("GUILD_CREATE", emulator.world.guild_create_payload(other.guild_id))
    await emulator.wait_until(lambda: bot.get_guild(int(other.guild_id)) is not None, 5, "the second server")
    card = await (await emulator.slash(None, ann, "support")).reply()
    assert "more than one server" in text_of(card)
    labels = [b["label"] for r in card.get("components", []) for b in r["components"]]
    assert labels == ["Talk to a moderator of Pain Peers"], "a button per shared server that has its queue set up"


async def test_a_report_snapshots_the_message_confirms_privately_and_a_duplicate_is_already_known(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await ready(bot, emulator, server)
    ann = await emulator.member_join(server.guild_id, "ann")
    bob = await emulator.member_join(server.guild_id, "bob")
    cat = await emulator.member_join(server.guild_id, "cat")
    message = await emulator.send_message(server.general_id, bob, "magnets cure fibromyalgia, stop your meds")

    ix = await emulator.message_command(server.guild_id, ann, "Report to moderators", message)
    done = await (await emulator.submit_modal(ann, ix, {"category": ["misinformation"],
                                                         "details": "dangerous"})).reply()
    assert done["flags"] & EPHEMERAL and "won't be told who reported them" in done["content"]
    [case] = await list_cases(bot.db, int(server.guild_id))
    assert case.kind == "report" and case.subject_user_id == int(bob) and case.opened_by == int(ann)
    assert case.snapshot["content"] == "magnets cure fibromyalgia, stop your meds"
    assert case.snapshot["link"].endswith(f"/{server.general_id}/{message['id']}")
    queued = await wait_queue_message(emulator, server, case.number)
    assert "magnets" not in text_of(queued), "the queue shows no member text"
    assert dms(emulator, bob) == [], "the reported member is told nothing"

    # The message is edited afterwards: the snapshot keeps what was reported.
    again = await emulator.message_command(server.guild_id, cat, "Report to moderators", message)
    assert "already with the moderators" in (await again.reply())["content"]
    assert len(await list_cases(bot.db, int(server.guild_id))) == 1


async def test_worried_about_someone_sends_them_a_gentle_card_without_the_reporter_and_an_urgent_case(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await ready(bot, emulator, server)
    ann = await emulator.member_join(server.guild_id, "ann")
    bob = await emulator.member_join(server.guild_id, "bob")
    message = await emulator.send_message(server.general_id, bob, "everything is too much lately")
    ix = await emulator.message_command(server.guild_id, ann, "Report to moderators", message)
    await (await emulator.submit_modal(ann, ix, {"category": ["worried"]})).reply()
    [case] = await list_cases(bot.db, int(server.guild_id))
    assert case.urgency == "urgent"
    await emulator.wait_until(lambda: dms(emulator, bob), 5, "the gentle card")
    card = text_of(dms(emulator, bob)[0])
    assert "Someone in **Pain Peers** cares about you" in card and "988" in card
    assert "ann" not in card and ann not in card, "never who was worried"
    queued = await wait_queue_message(emulator, server, case.number)
    assert f"<@&{server.oncall_role_id}>" in queued["content"], "an urgent case pages on call"


async def test_crisis_words_in_a_report_bring_the_reporter_the_card_and_an_urgent_case(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await ready(bot, emulator, server)
    ann = await emulator.member_join(server.guild_id, "ann")
    bob = await emulator.member_join(server.guild_id, "bob")
    message = await emulator.send_message(server.general_id, bob, "you're all useless")
    ix = await emulator.message_command(server.guild_id, ann, "Report to moderators", message)
    done = await (await emulator.submit_modal(ann, ix, {"category": ["harassment"], "details": CRISIS})).reply()
    assert "988" in text_of(done) and find_component(done, label="Talk to a moderator now")
    cases = await list_cases(bot.db, int(server.guild_id))
    assert sorted(c.kind for c in cases) == ["crisis", "report"]
    crisis = next(c for c in cases if c.kind == "crisis")
    assert crisis.urgency == "urgent" and crisis.subject_user_id == int(ann)
    assert (await get_case(bot.db, int(server.guild_id), crisis.id)) is not None


async def test_before_setup_reports_and_reach_outs_point_to_support_and_change_nothing(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    ann = await emulator.member_join(server.guild_id, "ann")
    bob = await emulator.member_join(server.guild_id, "bob")
    message = await emulator.send_message(server.general_id, bob, "hello")
    report = await (await emulator.message_command(server.guild_id, ann, "Report to moderators", message)).reply()
    assert "/support" in report["content"] and report["flags"] & EPHEMERAL
    reach = await (await emulator.slash(server.guild_id, ann, "reach-out", what="hi")).reply()
    assert "/support" in reach["content"]
    assert await list_cases(bot.db, int(server.guild_id)) == []
    own = await (await emulator.slash(server.guild_id, ann, "support")).reply()
    assert "findahelpline.com" in text_of(own), "/support works before setup (international lines)"
    assert not own.get("components"), "no moderator to reach yet: no button"
