"""The moderators' queue: one message per case updated in place, claim/note/resolve/escalate by
button and command, /case list|show, permission checks, isolation between servers, on duty."""

from __future__ import annotations

from bot.cases.records import case_events, get_case
from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock
from emulator.events import Server
from emulator.interactions import find_component, text_of
from emulator.server import DiscordEmulator
from tests.e2e.cases.helpers import queue_message, ready, wait_cases, wait_queue_message
from tests.e2e.circles.helpers import set_up

EPHEMERAL = 1 << 6


async def a_report(emulator: DiscordEmulator, server: Server, bot: PeerCirclesBot, text: str = "rude words",
                   category: str = "harassment", count: int = 1):
    ann = await emulator.member_join(server.guild_id, f"ann{count}")
    bob = await emulator.member_join(server.guild_id, f"bob{count}")
    message = await emulator.send_message(server.general_id, bob, text)
    ix = await emulator.message_command(server.guild_id, ann, "Report to moderators", message)
    await (await emulator.submit_modal(ann, ix, {"category": [category]})).reply()
    cases = await wait_cases(bot, server, count)
    return cases[-1], ann, bob


async def test_queue_message_updates_in_place_through_claim_note_escalate_resolve(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    mod = await ready(bot, emulator, server)
    case, _ann, _bob = await a_report(emulator, server, bot)
    queued = await wait_queue_message(emulator, server, case.number)
    assert "Open, waiting for a moderator" in text_of(queued) and "normal" in text_of(queued)
    assert f"<@&{server.oncall_role_id}>" not in queued["content"], "a normal case pings nobody"

    claimed = await (await emulator.click(mod, queued, label="Claim")).reply()
    assert claimed["flags"] & EPHEMERAL and "claimed case" in claimed["content"]
    await emulator.wait_until(lambda: f"Claimed by <@{mod}>" in text_of(queue_message(emulator, server, case.number)
                                                                        or {}),
                              5, "the queue message to show the claim")
    assert len([m for m in emulator.world.messages[server.queue_id].values() if m.get("embeds")]) == 1, "in place"

    ix = await emulator.click(mod, queue_message(emulator, server, case.number) or {}, label="Add note")
    noted = await (await emulator.submit_modal(mod, ix, {"note": "spoke with both, calm now"})).reply()
    assert "Note added" in noted["content"]

    esc = await (await emulator.slash(server.guild_id, mod, "case escalate", id=case.number, reason="repeat")).reply()
    assert "organisers have been paged" in esc["content"]
    await emulator.wait_until(lambda: any(f"<@&{server.organiser_role_id}>" in m["content"]
                                          for m in emulator.world.messages[server.queue_id].values()), 5, "the page")
    await emulator.wait_until(lambda: "urgent" in text_of(queue_message(emulator, server, case.number) or {}), 5,
                              "urgent shown")

    ix = await emulator.click(mod, queue_message(emulator, server, case.number) or {}, label="Resolve")
    done = await (await emulator.submit_modal(mod, ix, {"outcome": "warned, apologised"})).reply()
    assert "resolved" in done["content"]
    await emulator.wait_until(lambda: "Resolved: warned, apologised" in text_of(
        queue_message(emulator, server, case.number) or {}), 5, "the resolved message")
    assert (queue_message(emulator, server, case.number) or {}).get("components") == [], "no buttons once resolved"

    events = [(e.event, e.actor_id) for e in await case_events(bot.db, int(server.guild_id), case.id)]
    assert events == [("opened", case.opened_by), ("claimed", int(mod)), ("note", int(mod)),
                      ("escalated", int(mod)), ("paged", None), ("resolved", int(mod))]
    shown = await (await emulator.slash(server.guild_id, mod, "case show", id=case.number)).reply()
    assert shown["flags"] & EPHEMERAL
    text = text_of(shown)
    assert "spoke with both" in text and "**claimed**" in text and "rude words" in text, "history and snapshot"


async def test_case_commands_list_paginate_and_resolve(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                        server: Server) -> None:
    mod = await ready(bot, emulator, server)
    for n in range(1, 11):
        await a_report(emulator, server, bot, f"message {n}", count=n)
    first = await (await emulator.slash(server.guild_id, mod, "case list")).reply()
    assert first["flags"] & EPHEMERAL and "Page 1 of 2" in text_of(first)
    second = await (await emulator.click(mod, first, label="Next")).reply()
    assert "Page 2 of 2" in text_of(second)
    claimed = await (await emulator.slash(server.guild_id, mod, "case claim", id=1)).reply()
    assert "claimed case #1" in claimed["content"]
    resolved = await (await emulator.slash(server.guild_id, mod, "case resolve", id=2, outcome="no issue")).reply()
    assert "resolved" in resolved["content"]
    only = await (await emulator.slash(server.guild_id, mod, "case list", status="resolved")).reply()
    assert "#2" in text_of(only) and "#1 " not in text_of(only)
    noted = await (await emulator.slash(server.guild_id, mod, "case note", id=1, text="checking in")).reply()
    assert "Note added" in noted["content"]
    again = await (await emulator.slash(server.guild_id, mod, "case resolve", id=2, outcome="x")).reply()
    assert "already resolved" in again["content"]


async def test_members_pressing_moderator_buttons_or_commands_get_moderators_only_and_nothing_changes(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await ready(bot, emulator, server)
    case, ann, _bob = await a_report(emulator, server, bot)
    queued = await wait_queue_message(emulator, server, case.number)
    # A member sees the message (forwarded, or a mis-set channel) and presses Claim.
    for label in ("Claim", "Resolve", "Escalate", "Add note"):
        answer = await (await emulator.click(ann, queued, label=label)).reply()
        assert answer["content"] == "Only moderators and organisers can do that.", label
    for path, options in (("case list", {}), ("case show", {"id": case.number}), ("case claim", {"id": case.number}),
                          ("case resolve", {"id": case.number, "outcome": "x"})):
        answer = await (await emulator.slash(server.guild_id, ann, path, **options)).reply()
        assert answer["content"] == "Only moderators and organisers can do that.", path
    after = await get_case(bot.db, int(server.guild_id), case.id)
    assert after is not None and after.status == "open" and after.claimed_by is None
    assert [e.event for e in await case_events(bot.db, int(server.guild_id), case.id)] == ["opened"]


async def test_cases_of_one_server_are_invisible_from_another(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await ready(bot, emulator, server)
    case, _ann, _bob = await a_report(emulator, server, bot, "private thing")
    other = emulator.build_server("Other Place")
    await emulator.gateway.dispatch("GUILD_CREATE", emulator.world.guild_create_payload(other.guild_id))
    await emulator.wait_until(lambda: bot.get_guild(int(other.guild_id)) is not None, 5, "the other server")
    await set_up(bot, other)
    owner = other.owner_id  # an organiser (and so a moderator) over there
    shown = await (await emulator.slash(other.guild_id, owner, "case show", id=case.number)).reply()
    assert shown["content"] == f"There's no case #{case.number} in this server."
    listed = await (await emulator.slash(other.guild_id, owner, "case list")).reply()
    assert "private thing" not in text_of(listed) and f"#{case.number}" not in text_of(listed)
    claimed = await (await emulator.slash(other.guild_id, owner, "case claim", id=case.number)).reply()
    assert "no case" in claimed["content"]
    assert (await get_case(bot.db, int(server.guild_id), case.id)).status == "open"  # type: ignore[union-attr]


async def test_on_duty_moderators_are_paged_first(bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server,
                                                  clock: FakeClock) -> None:
    mod = await ready(bot, emulator, server)
    on = await (await emulator.slash(server.guild_id, mod, "case on-duty", state="on")).reply()
    assert f"On duty now: <@{mod}>" in on["content"]
    case, _ann, _bob = await a_report(emulator, server, bot, category="worried")
    queued = await wait_queue_message(emulator, server, case.number)
    assert f"<@{mod}>" in queued["content"] and f"<@&{server.oncall_role_id}>" not in queued["content"]
    assert find_component(queued, label="Claim")


async def test_case_numbers_count_per_server_so_another_servers_first_case_is_case_1(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await ready(bot, emulator, server)
    first_a, _ann, _bob = await a_report(emulator, server, bot, "the first thing in A", count=1)
    await a_report(emulator, server, bot, "the second thing in A", count=2)
    other = emulator.build_server("Other Place")
    await emulator.gateway.dispatch("GUILD_CREATE", emulator.world.guild_create_payload(other.guild_id))
    await emulator.wait_until(lambda: bot.get_guild(int(other.guild_id)) is not None, 5, "the other server")
    await set_up(bot, other)
    owner = other.owner_id  # an organiser (and so a moderator) there
    case_b, _ann_b, _bob_b = await a_report(emulator, other, bot, "the first thing in B")
    assert case_b.id == 3 and case_b.number == 1, "the global id stays internal"

    queued = await wait_queue_message(emulator, other, 1)
    assert queued["content"].startswith("Case #1 ") and "/case show id:1`" in text_of(queued)
    assert "#3" not in text_of(queued)
    shown = text_of(await (await emulator.slash(other.guild_id, owner, "case show", id=1)).reply())
    assert "Case #1:" in shown and "the first thing in B" in shown and "thing in A" not in shown
    listed = text_of(await (await emulator.slash(other.guild_id, owner, "case list")).reply())
    assert "**#1**" in listed and "#3" not in listed
    claimed = await (await emulator.slash(other.guild_id, owner, "case claim", id=1)).reply()
    assert claimed["content"].startswith("You've claimed case #1.")
    assert (await get_case(bot.db, int(other.guild_id), case_b.id)).status == "claimed"  # type: ignore[union-attr]
    assert (await get_case(bot.db, int(server.guild_id), first_a.id)).status == "open"  # type: ignore[union-attr]
    gone = await (await emulator.slash(other.guild_id, owner, "case show", id=2)).reply()
    assert gone["content"] == "There's no case #2 in this server.", "A's case #2 is not B's to see"
