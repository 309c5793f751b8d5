"""Members end to end: list, find, join with consent, waitlist, leave, mine, server joins and leaves."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from urllib.parse import unquote

from bot.circles.consent import consent_history, members_of
from bot.circles.records import Circle
from bot.circles.waitlist import waitlist_entry
from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock
from bot.demo.runner import BotRunner
from emulator.events import Server
from emulator.interactions import find_component, text_of
from emulator.server import DiscordEmulator
from tests.e2e.circles.helpers import answer, create_circle, dms, has_role, join, press, set_up

EPHEMERAL = 1 << 6
ROLE_PUT = "/guilds/{guild_id}/members/{user_id}/roles/{role_id}"


async def slash(emulator: DiscordEmulator, server: Server, user: str, path: str, **options) -> dict:
    return await (await emulator.slash(server.guild_id, user, path, **options)).reply()


async def test_join_shows_norms_records_consent_grants_the_role_and_welcomes(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Fibro Friends", capacity=4)
    ann = await emulator.member_join(server.guild_id, "ann")

    choices = await (await emulator.autocomplete(server.guild_id, ann, "circle join", "circle", circle="fib")).choices()
    assert choices == [{"name": "Fibro Friends", "value": str(circle.id)}]
    card = await slash(emulator, server, ann, "circle join", circle=str(circle.id))
    assert card["flags"] & EPHEMERAL
    text = text_of(card)
    assert "Before you join **Fibro Friends** (4 seats left)" in text
    assert "Norms of Fibro Friends (version 1)" in text and "stays here" in text and "screenshots" in text
    assert "In a crisis" in text and "988" in text, "the crisis card for the server's region (US by default)"
    assert [c["label"] for c in card["components"][0]["components"]] == [
        "I agree", "☐ Also send the welcome to my DMs", "Not now"]
    assert not has_role(emulator, server, ann, circle.role_id), "nothing happens before agreeing"

    welcome = await press(emulator, ann, card, "I agree")
    assert "Welcome to **Fibro Friends**" in welcome["content"] and f"<#{circle.text_channel_id}>" in welcome["content"]
    assert welcome["components"] == [], "the buttons are gone: nothing to double-click"
    assert has_role(emulator, server, ann, circle.role_id)
    put = emulator.find_calls("PUT", ROLE_PUT)[-1]
    # discord.py percent-encodes X-Audit-Log-Reason; Discord shows it decoded.
    assert unquote(put.reason or "") == f"circle {circle.id}: joined", "audit reasons carry ids and kinds only"
    history = await consent_history(bot.db, int(server.guild_id), int(ann))
    assert history == [{"circle_id": circle.id, "event": "agreed", "norms_version": 1,
                        "at": clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")}]
    assert dms(emulator, ann) == [], "no DM unless asked for"

    mine = await slash(emulator, server, ann, "circle mine")
    assert "**Fibro Friends**: agreed to norms version 1 on <t:" in mine["content"]
    again = await slash(emulator, server, ann, "circle join", circle="Fibro Friends")
    assert again["content"].startswith("You're already in **Fibro Friends**")


async def test_the_welcome_goes_to_dms_only_when_ticked(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                        server: Server) -> None:
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    bea = await emulator.member_join(server.guild_id, "bea")
    card = await slash(emulator, server, bea, "circle join", circle=str(circle.id))
    ticked = await press(emulator, bea, card, "☐ Also send the welcome to my DMs")
    assert find_component(ticked, label="☑ Also send the welcome to my DMs")
    await press(emulator, bea, ticked, "I agree")
    await emulator.wait_until(lambda: any("Welcome to **Fibro Friends**" in text_of(m) for m in dms(emulator, bea)),
                              5, "the welcome DM")


async def test_not_now_changes_nothing(bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    cat = await emulator.member_join(server.guild_id, "cat")
    card = await slash(emulator, server, cat, "circle join", circle=str(circle.id))
    reply = await press(emulator, cat, card, "Not now")
    assert "you haven't joined **Fibro Friends**" in reply["content"]
    assert await members_of(bot.db, int(server.guild_id), circle.id) == []
    assert not emulator.find_calls("PUT", ROLE_PUT)


async def test_a_restart_between_the_norms_and_i_agree(runner: BotRunner, emulator: DiscordEmulator,
                                                       server: Server) -> None:
    bot = await runner.start()
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    dan = await emulator.member_join(server.guild_id, "dan")
    card = await slash(emulator, server, dan, "circle join", circle=str(circle.id))
    bot = await runner.restart()
    welcome = await press(emulator, dan, card, "I agree")
    assert "Welcome to **Fibro Friends**" in welcome["content"]
    assert has_role(emulator, server, dan, circle.role_id)


async def test_norms_that_changed_while_the_card_was_open_are_shown_again(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    eve = await emulator.member_join(server.guild_id, "eve")
    card = await slash(emulator, server, eve, "circle join", circle=str(circle.id))
    ix = await emulator.slash(server.guild_id, server.owner_id, "circle-admin norms", circle=str(circle.id))
    await (await emulator.submit_modal(server.owner_id, ix, {"norms_text": "Brand new norms: kindness first."})).reply()
    reply = await press(emulator, eve, card, "I agree")
    assert "The norms changed while this card was open" in reply["content"]
    assert "Brand new norms" in text_of(reply)
    assert not has_role(emulator, server, eve, circle.role_id)
    welcome = await press(emulator, eve, reply, "I agree")
    assert "Welcome" in welcome["content"]


async def test_a_double_click_joins_once(bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    fin = await emulator.member_join(server.guild_id, "fin")
    card = await slash(emulator, server, fin, "circle join", circle=str(circle.id))
    first, second = await asyncio.gather(emulator.click(fin, card, label="I agree"),
                                         emulator.click(fin, card, label="I agree"))
    texts = sorted([text_of(await answer(first)), text_of(await answer(second))])
    assert any(t.startswith("Welcome") for t in texts)
    assert any("already in **Fibro Friends**" in t for t in texts)
    assert len(await consent_history(bot.db, int(server.guild_id), int(fin))) == 1


async def test_two_members_racing_for_the_last_seat(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                    server: Server) -> None:
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Tiny", capacity=2)
    ann, bea, cat = [await emulator.member_join(server.guild_id, n) for n in ("ann", "bea", "cat")]
    await join(emulator, server, ann, circle)
    card_b = await slash(emulator, server, bea, "circle join", circle=str(circle.id))
    card_c = await slash(emulator, server, cat, "circle join", circle=str(circle.id))
    assert "(1 seat left)" in card_b["content"] and "(1 seat left)" in card_c["content"]
    ix_b, ix_c = await asyncio.gather(emulator.click(bea, card_b, label="I agree"),
                                      emulator.click(cat, card_c, label="I agree"))
    outcomes = {bea: text_of(await answer(ix_b)), cat: text_of(await answer(ix_c))}
    winners = [u for u, t in outcomes.items() if t.startswith("Welcome")]
    losers = [u for u, t in outcomes.items() if "The last seat was just taken" in t]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert "you'd be number 1" in outcomes[losers[0]]
    assert len(await members_of(bot.db, int(server.guild_id), circle.id)) == 2
    assert not has_role(emulator, server, losers[0], circle.role_id)


async def test_waitlist_offer_by_dm_is_held_48_hours_then_passes_on(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Tiny", capacity=2)
    ann, bea, cat, dan = [await emulator.member_join(server.guild_id, n) for n in ("ann", "bea", "cat", "dan")]
    for person in (ann, bea):
        await join(emulator, server, person, circle)

    full = await slash(emulator, server, cat, "circle join", circle=str(circle.id))
    assert "**Tiny** is full right now" in full["content"] and "you'd be number 1" in full["content"]
    waiting = await press(emulator, cat, full, "Join the waitlist")
    assert "You're now number 1 on the waitlist" in waiting["content"]
    full = await slash(emulator, server, dan, "circle join", circle=str(circle.id))
    assert "you'd be number 2" in full["content"]
    await press(emulator, dan, full, "Join the waitlist")
    listing = await slash(emulator, server, ann, "circle list")
    assert "full (waitlist open)" in text_of(listing)

    # ann leaves: cat is offered the seat privately.
    confirm = await slash(emulator, server, ann, "circle leave", circle=str(circle.id))
    left = await press(emulator, ann, confirm, "Yes, leave")
    assert "You've left **Tiny**" in left["content"]
    assert not has_role(emulator, server, ann, circle.role_id)
    await emulator.wait_until(lambda: any("held for you" in text_of(m) for m in dms(emulator, cat)), 5, "cat's offer")
    offer = next(m for m in dms(emulator, cat) if "held for you" in text_of(m))
    assert "Norms of Tiny (version 1)" in text_of(offer)
    assert dms(emulator, dan) == [], "only the first in line is asked"
    mine = await slash(emulator, server, dan, "circle mine")
    assert "number 1 on the waitlist" in mine["content"]

    # Nobody else can take the held seat meanwhile.
    eve = await emulator.member_join(server.guild_id, "eve")
    assert "is full right now" in (await slash(emulator, server, eve, "circle join", circle=str(circle.id)))["content"]

    # 48 hours pass without an answer: cat is told, dan is asked.
    clock.advance(hours=47)
    assert dms(emulator, dan) == []
    clock.advance(hours=1)
    await emulator.wait_until(lambda: any("held for you" in text_of(m) for m in dms(emulator, dan)), 5, "dan's offer")
    assert any("passed to the next person" in text_of(m) for m in dms(emulator, cat))
    late = await press(emulator, cat, offer, "I agree, take the seat")
    assert "no longer yours" in late["content"]
    assert not has_role(emulator, server, cat, circle.role_id)

    dan_offer = next(m for m in dms(emulator, dan) if "held for you" in text_of(m))
    welcome = await press(emulator, dan, dan_offer, "I agree, take the seat")
    assert "Welcome to **Tiny**" in welcome["content"]
    assert has_role(emulator, server, dan, circle.role_id)
    assert {m.user_id for m in await members_of(bot.db, int(server.guild_id), circle.id)} == {int(bea), int(dan)}


async def test_passing_on_an_offer_asks_the_next_person(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                        server: Server, clock: FakeClock) -> None:
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Tiny", capacity=2)
    ann, bea, cat, dan = [await emulator.member_join(server.guild_id, n) for n in ("ann", "bea", "cat", "dan")]
    for person in (ann, bea):
        await join(emulator, server, person, circle)
    for person in (cat, dan):
        await press(emulator, person, await slash(emulator, server, person, "circle join", circle=str(circle.id)),
                    "Join the waitlist")
    await press(emulator, ann, await slash(emulator, server, ann, "circle leave", circle="Tiny"), "Yes, leave")
    await emulator.wait_until(lambda: dms(emulator, cat), 5, "cat's offer")
    passed = await press(emulator, cat, dms(emulator, cat)[-1], "Pass it on")
    assert "the seat is free for whoever is next" in passed["content"]
    await emulator.wait_until(lambda: dms(emulator, dan), 5, "dan's offer")


async def test_leaving_asks_first_and_staying_changes_nothing(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                              server: Server) -> None:
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    ann = await emulator.member_join(server.guild_id, "ann")
    await join(emulator, server, ann, circle)
    choices = await (await emulator.autocomplete(server.guild_id, ann, "circle leave", "circle", circle="")).choices()
    assert choices == [{"name": "Fibro Friends", "value": str(circle.id)}]
    confirm = await slash(emulator, server, ann, "circle leave", circle=str(circle.id))
    assert "You'll no longer see its channels" in confirm["content"]
    stay = await press(emulator, ann, confirm, "Stay")
    assert "Glad you're staying" in stay["content"] and has_role(emulator, server, ann, circle.role_id)
    history = await consent_history(bot.db, int(server.guild_id), int(ann))
    assert [h["event"] for h in history] == ["agreed"]
    confirm = await slash(emulator, server, ann, "circle leave", circle=str(circle.id))
    await press(emulator, ann, confirm, "Yes, leave")
    history = await consent_history(bot.db, int(server.guild_id), int(ann))
    assert [h["event"] for h in history] == ["agreed", "left"]
    nothing = await slash(emulator, server, ann, "circle leave", circle=str(circle.id))
    assert "You're not in **Fibro Friends**" in nothing["content"]


async def test_leaving_the_server_frees_seats_and_waitlist_places(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                                  server: Server) -> None:
    await set_up(bot, server)
    tiny = await create_circle(emulator, bot, server, "Tiny", capacity=2)
    other = await create_circle(emulator, bot, server, "Other", capacity=2)
    ann, bea, cat = [await emulator.member_join(server.guild_id, n) for n in ("ann", "bea", "cat")]
    for person in (ann, bea):
        await join(emulator, server, person, tiny)
        await join(emulator, server, person, other)
    await press(emulator, cat, await slash(emulator, server, cat, "circle join", circle="Tiny"), "Join the waitlist")
    await emulator.member_leave(server.guild_id, ann)
    await emulator.wait_until(lambda: any("held for you" in text_of(m) for m in dms(emulator, cat)), 5, "cat's offer")
    assert {m.user_id for m in await members_of(bot.db, int(server.guild_id), other.id)} == {int(bea)}
    history = await consent_history(bot.db, int(server.guild_id), int(ann))
    assert sorted(h["event"] for h in history) == ["agreed", "agreed", "left_server", "left_server"]

    await emulator.member_leave(server.guild_id, cat)  # with a seat held: it passes on (nobody else waits)
    # The leave is handled by a listener: wait for its commit (reads see committed data only).
    for _ in range(500):
        if await waitlist_entry(bot.db, int(server.guild_id), tiny.id, int(cat)) is None:
            break
        await asyncio.sleep(0.01)
    dan = await emulator.member_join(server.guild_id, "dan")
    welcome = await join(emulator, server, dan, tiny)
    assert "Welcome" in welcome["content"]


async def test_list_and_find(bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await set_up(bot, server)
    fibro = await create_circle(emulator, bot, server, "Fibro Friends", topics="fibromyalgia")
    await create_circle(emulator, bot, server, "Migraine ES", topics="migraine", language="es")
    await create_circle(emulator, bot, server, "Anyone", topics="general")
    gus = await emulator.member_join(server.guild_id, "gus")

    listing = await slash(emulator, server, gus, "circle list", topic="fibro")
    assert [f["name"] for f in listing["embeds"][0]["fields"]] == ["Fibro Friends"]
    assert "8 seats left" in text_of(listing)

    finder = await slash(emulator, server, gus, "circle find")
    assert finder["flags"] & EPHEMERAL
    topics_menu = next(c for c in finder["components"][0]["components"])
    assert topics_menu["custom_id"].startswith("circle:findt:")
    picked = await answer(await emulator.select(gus, finder, topics_menu["custom_id"], ["fibro"]))
    names = [f["name"] for f in picked["embeds"][0]["fields"]]
    assert names == ["Fibro Friends", "Anyone"]
    assert "Why: about fibromyalgia" in text_of(picked)
    lang_menu = picked["components"][1]["components"][0]
    assert {o["value"] for o in lang_menu["options"]} == {"en", "es"}
    picked = await answer(await emulator.select(gus, picked, lang_menu["custom_id"], ["es"]))
    assert "No open circle matches those choices yet" in picked["content"]
    picked = await answer(await emulator.select(gus, picked, picked["components"][1]["components"][0]["custom_id"],
                                                ["en"]))
    card = await press(emulator, gus, picked, "Join Fibro Friends")
    assert f"Norms of Fibro Friends (version {fibro.norms_version})" in text_of(card)


async def test_welcome_post_for_new_members_lists_circles_privately(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                                    server: Server) -> None:
    await set_up(bot, server, welcome_channel_id=server.general_id)
    await create_circle(emulator, bot, server, "Fibro Friends")
    hal = await emulator.member_join(server.guild_id, "hal")
    post = await emulator.wait_for_call("POST", "/channels/{channel_id}/messages",
                                        where=lambda c: c.params["channel_id"] == server.general_id)
    assert f"Welcome, <@{hal}>!" in post.json["content"]
    assert post.json["allowed_mentions"] == {"parse": [], "users": [hal]}
    assert dms(emulator, hal) == [], "no unsolicited DM"
    message = emulator.world.messages[server.general_id][post.response["id"]]
    listing = await (await emulator.click(hal, message, label="See the circles")).reply()
    assert listing["flags"] & EPHEMERAL and "Fibro Friends" in text_of(listing)


async def test_an_archived_circle_cannot_be_joined_even_from_an_old_card(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    ivy = await emulator.member_join(server.guild_id, "ivy")
    card = await slash(emulator, server, ivy, "circle join", circle=str(circle.id))
    confirm = await slash(emulator, server, server.owner_id, "circle-admin archive", circle=str(circle.id))
    await press(emulator, server.owner_id, confirm, "Archive it")
    reply = await press(emulator, ivy, card, "I agree")
    assert "has closed and no longer takes members" in reply["content"]
    assert not emulator.find_calls("PUT", ROLE_PUT)


async def test_a_circle_in_one_server_cannot_be_seen_from_another(runner: BotRunner, emulator: DiscordEmulator,
                                                                  server: Server) -> None:
    elsewhere = emulator.build_server("Elsewhere")
    stranger = emulator.add_person(elsewhere.guild_id, "stranger")
    bot = await runner.start()
    await set_up(bot, server)
    await set_up(bot, elsewhere)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    reply = await (await emulator.slash(elsewhere.guild_id, stranger, "circle join", circle=str(circle.id))).reply()
    assert "couldn't find that circle in this server" in reply["content"]
    reply = await (await emulator.slash(elsewhere.guild_id, stranger, "circle join", circle="Fibro Friends")).reply()
    assert "couldn't find that circle in this server" in reply["content"]
    choices = await (await emulator.autocomplete(elsewhere.guild_id, stranger, "circle join", "circle",
                                                 circle="fib")).choices()
    assert choices == []
    listing = await (await emulator.slash(elsewhere.guild_id, stranger, "circle list")).reply()
    assert "no open circles yet" in listing["content"]


async def test_missing_role_permission_at_join_is_explained_and_the_place_given_back(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    jo = await emulator.member_join(server.guild_id, "jo")
    card = await slash(emulator, server, jo, "circle join", circle=str(circle.id))
    emulator.inject_fault("PUT", ROLE_PUT, 403, 50013)
    reply = await press(emulator, jo, card, "I agree")
    assert "stopped me letting you into **Fibro Friends**" in reply["content"]
    assert "Manage Roles" not in reply["content"], "the technical words go to the moderators"
    assert "nothing was recorded" not in reply["content"], "the consent log does record it"
    post = await emulator.wait_for_call("POST", "/channels/{channel_id}/messages",
                                        where=lambda c: c.params["channel_id"] == server.queue_id)
    assert "Manage Roles" in post.json["content"] and f"<@{jo}>" in post.json["content"]
    assert await members_of(bot.db, int(server.guild_id), circle.id) == []
    assert [h["event"] for h in await consent_history(bot.db, int(server.guild_id), int(jo))] == ["agreed", "undone"]


async def test_roles_decided_while_down_are_applied_after_a_restart(
        runner: BotRunner, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    bot = await runner.start()
    await set_up(bot, server, grace_days=1)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    kim = await emulator.member_join(server.guild_id, "kim")
    await join(emulator, server, kim, circle)
    ix = await emulator.slash(server.guild_id, server.owner_id, "circle-admin norms", circle=str(circle.id))
    await (await emulator.submit_modal(server.owner_id, ix, {"norms_text": "New norms, please read them."})).reply()
    await runner.stop()
    clock.advance(timedelta(days=2))  # the grace period ends while the bot is down
    await runner.start()
    await emulator.wait_until(lambda: not has_role(emulator, server, kim, circle.role_id), 5, "access paused")
    await emulator.wait_until(lambda: any("is paused" in text_of(m) for m in dms(emulator, kim)), 5, "kim is told")


async def raise_above_bot(emulator: DiscordEmulator, server: Server, role_id: int | None) -> None:
    """An organiser drags the circle's role above the bot's own role."""
    role = emulator.world.guilds[server.guild_id].roles[str(role_id)]
    role["position"] = 250
    await emulator.set_role_permissions(server.guild_id, str(role_id), int(role["permissions"]))  # echoes the update


async def test_a_circle_role_above_the_bots_is_explained_to_members_and_organisers(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    await raise_above_bot(emulator, server, circle.role_id)
    lia = await emulator.member_join(server.guild_id, "lia")
    card = await slash(emulator, server, lia, "circle join", circle=str(circle.id))
    reply = await press(emulator, lia, card, "I agree")
    assert "stopped me letting you into **Fibro Friends**" in reply["content"]
    post = await emulator.wait_for_call("POST", "/channels/{channel_id}/messages",
                                        where=lambda c: c.params["channel_id"] == server.queue_id)
    assert "the role **Fibro Friends** is above my own role" in post.json["content"]
    assert "drag my role above it in Server Settings > Roles" in post.json["content"]
    assert not emulator.find_calls("PUT", ROLE_PUT)
    assert await members_of(bot.db, int(server.guild_id), circle.id) == []

    confirm = await slash(emulator, server, server.owner_id, "circle-admin archive", circle=str(circle.id))
    refused = await press(emulator, server.owner_id, confirm, "Archive it")
    assert "is above my own role" in refused["content"] and "Nothing was changed" in refused["content"]
    listing = await slash(emulator, server, lia, "circle list")
    assert "Fibro Friends" in text_of(listing), "still open"


class Weekly:
    """A meeting-times source like the one check-ins will provide."""

    available = True

    def __init__(self, times: dict) -> None:
        self.times = times

    async def upcoming(self, db, guild_id, circle_ids, now, per_circle):
        return {cid: self.times[cid][:per_circle] for cid in circle_ids if cid in self.times}


async def test_meeting_times_plug_into_list_find_and_mine(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                          server: Server, clock: FakeClock) -> None:
    await set_up(bot, server)
    evening = await create_circle(emulator, bot, server, "Tuesday Evenings", topics="general")
    morning = await create_circle(emulator, bot, server, "Saturday Mornings", topics="general")
    tuesday = clock.now() + timedelta(days=1, hours=9)   # Tuesday 18:00 UTC
    saturday = clock.now() + timedelta(days=5, hours=-1)  # Saturday 08:00 UTC
    bot.provide(meeting_times=Weekly({evening.id: [tuesday], morning.id: [saturday]}))
    max_ = await emulator.member_join(server.guild_id, "max")

    listing = await slash(emulator, server, max_, "circle list")
    assert f"Next check-in: <t:{int(tuesday.timestamp())}:F>" in text_of(listing)

    finder = await slash(emulator, server, max_, "circle find")
    menus = [row["components"][0]["custom_id"].split(":")[1] for row in finder["components"][:4]]
    assert menus == ["findt", "findl", "findd", "findp"], "days and times are asked once schedules exist"
    days = await answer(await emulator.select(max_, finder, finder["components"][2]["components"][0]["custom_id"],
                                              ["1"]))
    assert [f["name"] for f in days["embeds"][0]["fields"]] == ["Tuesday Evenings"]
    parts = await answer(await emulator.select(max_, days, days["components"][3]["components"][0]["custom_id"],
                                               ["morning"]))
    assert "No open circle matches" in parts["content"], "Tuesday and morning: nothing fits"

    await join(emulator, server, max_, evening)
    mine = await slash(emulator, server, max_, "circle mine")
    assert f"Next check-in: <t:{int(tuesday.timestamp())}:F>" in mine["content"]


async def norms_card_for_newcomer(bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server,
                                  name: str) -> tuple[Circle, str, dict]:
    """A set-up server with one circle, and a new member looking at its norms card."""
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    member = await emulator.member_join(server.guild_id, name)
    return circle, member, await slash(emulator, server, member, "circle join", circle=str(circle.id))


async def test_closed_dms_still_get_the_welcome_and_are_told_the_copy_failed(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    circle, nia, card = await norms_card_for_newcomer(bot, emulator, server, "nia")
    emulator.world.dms_closed.add(nia)
    ticked = await press(emulator, nia, card, "☐ Also send the welcome to my DMs")
    ix = await emulator.click(nia, ticked, label="I agree")
    await emulator.wait_until(lambda: ix.record.followup_ids, 5, "the bot to say the DM copy failed")
    welcome = ix.message
    assert welcome is not None and "Welcome to **Fibro Friends**" in welcome["content"]
    assert "A copy is on its way to your DMs" in welcome["content"]
    note = await ix.followup(0)
    assert note["flags"] & EPHEMERAL
    assert "I couldn't send the copy of your welcome to your DMs" in note["content"]
    assert "direct messages from this server are closed" in note["content"]
    assert has_role(emulator, server, nia, circle.role_id), "a closed DM never undoes the join"
    assert dms(emulator, nia) == []


async def test_a_discord_outage_at_join_takes_no_seat_and_pressing_again_works(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    circle, oli, card = await norms_card_for_newcomer(bot, emulator, server, "oli")
    emulator.inject_fault("PUT", ROLE_PUT, 503, times=1)
    refused = await press(emulator, oli, card, "I agree")
    assert "Discord didn't answer properly just now" in refused["content"]
    assert "you haven't joined **Fibro Friends** yet" in refused["content"]
    assert "went wrong on our side" not in refused["content"]
    assert await members_of(bot.db, int(server.guild_id), circle.id) == []
    assert not has_role(emulator, server, oli, circle.role_id)

    welcome = await press(emulator, oli, card, "I agree")
    assert "Welcome to **Fibro Friends**" in welcome["content"]
    assert has_role(emulator, server, oli, circle.role_id)
    assert [m.user_id for m in await members_of(bot.db, int(server.guild_id), circle.id)] == [int(oli)]
    events = [h["event"] for h in await consent_history(bot.db, int(server.guild_id), int(oli))]
    assert events == ["agreed", "undone", "agreed"]


async def test_rate_limits_on_the_role_grant_are_waited_out(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                            server: Server) -> None:
    circle, pia, card = await norms_card_for_newcomer(bot, emulator, server, "pia")
    emulator.inject_fault("PUT", ROLE_PUT, 429, retry_after=0.01, times=2)
    welcome = await press(emulator, pia, card, "I agree")
    assert "Welcome to **Fibro Friends**" in welcome["content"]
    assert [c.status for c in emulator.find_calls("PUT", ROLE_PUT)] == [429, 429, 204]
    assert has_role(emulator, server, pia, circle.role_id)
    assert [h["event"] for h in await consent_history(bot.db, int(server.guild_id), int(pia))] == ["agreed"]


async def test_a_discord_outage_when_leaving_is_explained_and_the_role_still_goes(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    quin = await emulator.member_join(server.guild_id, "quin")
    await join(emulator, server, quin, circle)
    confirm = await slash(emulator, server, quin, "circle leave", circle=str(circle.id))
    emulator.inject_fault("DELETE", ROLE_PUT, 503, times=1)
    left = await press(emulator, quin, confirm, "Yes, leave")
    assert "You've left **Fibro Friends**, and your seat is free for someone else" in left["content"]
    assert "I couldn't remove your access role just now" in left["content"]
    assert "went wrong on our side" not in left["content"]
    assert await members_of(bot.db, int(server.guild_id), circle.id) == []
    await emulator.wait_until(lambda: not has_role(emulator, server, quin, circle.role_id), 5,
                              "the role removal to be retried")
