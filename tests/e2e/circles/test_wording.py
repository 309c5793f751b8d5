"""The words members read (issue 17): promises the bot keeps, true statements, warmth, clarity."""

from __future__ import annotations

import re
from typing import Any

from discord import AppCommandType, app_commands

from bot.circles.channels import VIEW_CHANNEL
from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock
from emulator.events import Server
from emulator.interactions import find_component, iter_components, text_of
from emulator.server import DiscordEmulator
from tests.e2e.circles.helpers import create_circle, dms, has_role, join, press, set_up
from tests.e2e.circles.test_circles import raise_above_bot, slash
from tests.e2e.goals.helpers import pings_to, set_goal, tick

CHANNEL_POST = "/channels/{channel_id}/messages"
# A command named in member-facing text: "/word" or "/word sub", after a space, a bracket or a line start.
NAMED_COMMAND = re.compile(r"(?:^|(?<=[\s(]))/([a-z][a-z-]*)(?: ([a-z][a-z-]*))?")


def commands_named(text: str, tree: app_commands.CommandTree) -> set[str]:
    """Every slash command the text names, checked against the commands the bot registered."""
    leaves = {c.qualified_name for c in tree.walk_commands() if not isinstance(c, app_commands.Group)}
    named: set[str] = set()
    for first, second in NAMED_COMMAND.findall(text):
        if second and f"{first} {second}" in leaves:
            named.add(f"{first} {second}")
        else:
            assert first in leaves, f"/{first} {second} is named to members but is not a command"
            named.add(first)
    return named


def embed_texts(message: dict[str, Any]) -> list[str]:
    return [f"{e.get('description', '')}" for e in message.get("embeds") or []]


# -- promises -------------------------------------------------------------------------------------------

async def test_norms_crisis_card_and_help_name_only_doors_that_exist(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    ann = await emulator.member_join(server.guild_id, "ann")
    card = await slash(emulator, server, ann, "circle join", circle=str(circle.id))
    norms, crisis = embed_texts(card)
    named = commands_named(norms, bot.tree) | commands_named(crisis, bot.tree)
    assert {"support", "reach-out", "story share", "checkin upcoming", "circle leave"} <= named
    assert "support" in commands_named(crisis, bot.tree) and "reach-out" in commands_named(crisis, bot.tree)
    menus = {c.name for c in bot.tree.get_commands(type=AppCommandType.message)}
    assert "Report to moderators" in norms and "Report to moderators" in menus

    shown = await slash(emulator, server, ann, "help")
    embed = shown["embeds"][0]
    assert "/support" in embed["footer"]["text"]
    commands_named(embed["footer"]["text"], bot.tree)
    assert {"reach-out", "story share", "checkin upcoming"} <= commands_named(embed["description"], bot.tree)


# -- truth ----------------------------------------------------------------------------------------------

async def test_agreeing_again_says_nothing_new_was_recorded_when_nothing_was(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    ann = await emulator.member_join(server.guild_id, "ann")
    card = await slash(emulator, server, ann, "circle join", circle=str(circle.id))
    await press(emulator, ann, dict(card), "I agree")
    await raise_above_bot(emulator, server, circle.role_id)
    again = await press(emulator, ann, card, "I agree")  # the same card, pressed again later
    assert "You're already in **Fibro Friends** and your seat is kept" in again["content"]
    assert "recorded" not in again["content"]


async def test_leaving_when_nobody_waits_does_not_promise_the_seat_to_someone_waiting(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    ann = await emulator.member_join(server.guild_id, "ann")
    await join(emulator, server, ann, circle)
    confirm = await slash(emulator, server, ann, "circle leave", circle=str(circle.id))
    left = await press(emulator, ann, confirm, "Yes, leave")
    for text in (confirm["content"], left["content"]):
        assert "waiting" not in text and "recorded" not in text
    assert "your seat is free for someone else" in left["content"]


async def test_organiser_is_not_told_paused_members_keep_access(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    await set_up(bot, server, grace_days=1)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    ann = await emulator.member_join(server.guild_id, "ann")
    await join(emulator, server, ann, circle)

    async def edit_norms(text: str) -> str:
        ix = await emulator.slash(server.guild_id, server.owner_id, "circle-admin norms", circle=str(circle.id))
        return (await (await emulator.submit_modal(server.owner_id, ix, {"norms_text": text})).reply())["content"]

    first = await edit_norms("Version two: be gentle with each other.")
    assert "1 member(s) were asked privately" in first and "keep access" in first
    await tick(bot, clock, days=2)
    await emulator.wait_until(lambda: not has_role(emulator, server, ann, circle.role_id), 5, "access paused")
    second = await edit_norms("Version three: be gentle, keep confidences.")
    assert "keep access" not in second and "<t:" not in second
    assert "1 member(s) whose access is already paused were sent the new norms" in second


async def test_setup_shows_the_region_as_not_chosen_until_the_organiser_chooses_it(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    gid, owner = server.guild_id, server.owner_id
    page = await slash(emulator, server, owner, "setup")
    region = next(f for f in page["embeds"][0]["fields"] if f["name"] == "Crisis resources")
    assert region["value"] == "not chosen yet"
    for select, value in (("organiser", server.organiser_role_id), ("moderator", server.moderator_role_id)):
        page = await (await emulator.select(owner, page, f"circle:setup:{select}", [value])).reply()
    page = await (await emulator.click(owner, page, label="Next")).reply()
    page = await (await emulator.select(owner, page, "circle:setup:queue", [server.queue_id])).reply()
    page = await (await emulator.select(owner, page, "circle:setup:category", [server.category_id])).reply()
    page = await (await emulator.click(owner, page, label="Next")).reply()
    assert not any(o.get("default") for o in find_component(page, custom_id="circle:setup:region")["options"])
    early = await (await emulator.click(owner, page, label="Finish setup")).reply()
    assert "choose the crisis resources region first" in early["content"] and "page 3 of 3" in early["content"]
    page = await (await emulator.select(owner, early, "circle:setup:region", ["us"])).reply()
    region = next(f for f in page["embeds"][0]["fields"] if f["name"] == "Crisis resources")
    assert region["value"] != "not chosen yet" and "United States" in region["value"]
    done = await (await emulator.click(owner, page, label="Finish setup")).reply()
    assert "Setup is finished" in done["content"], gid


# -- warmth and privacy ---------------------------------------------------------------------------------

async def test_norms_updates_lead_with_reassurance_not_deadlines(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    await set_up(bot, server, grace_days=1)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    ann = await emulator.member_join(server.guild_id, "ann")
    await join(emulator, server, ann, circle)
    ix = await emulator.slash(server.guild_id, server.owner_id, "circle-admin norms", circle=str(circle.id))
    await (await emulator.submit_modal(server.owner_id, ix, {"norms_text": "Version two: be gentle."})).reply()
    await emulator.wait_until(lambda: dms(emulator, ann), 5, "the request")
    request = dms(emulator, ann)[-1]["content"]
    assert "There's no rush on a hard week" in request and "Your seat is kept" in request
    assert "your access pauses" not in request
    await tick(bot, clock, days=2)
    await emulator.wait_until(lambda: len(dms(emulator, ann)) == 2, 5, "the paused notice")
    paused = dms(emulator, ann)[-1]["content"].split("\n", 1)[1]
    assert paused.startswith("Your seat in **Fibro Friends** is kept.")
    assert "without your agreement" not in paused
    mine = await slash(emulator, server, ann, "circle mine")
    assert "Your seat is kept" in mine["content"] and "Access is paused until" not in mine["content"]
    listing = await slash(emulator, server, server.owner_id, "circle-facilitator members", circle=str(circle.id))
    assert "has not agreed" not in text_of(listing) and "seat kept" in text_of(listing)


async def test_a_blocked_role_grant_is_told_kindly_and_the_moderators_get_the_details(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    await raise_above_bot(emulator, server, circle.role_id)
    lia = await emulator.member_join(server.guild_id, "lia")
    reply = await join(emulator, server, lia, circle)
    assert "It isn't anything you did, and nothing is lost" in reply["content"]
    assert "Server Settings" not in reply["content"] and "organiser know" not in reply["content"]
    post = await emulator.wait_for_call("POST", CHANNEL_POST, where=lambda c: c.params["channel_id"] == server.queue_id)
    assert "is above my own role" in post.json["content"] and post.json["allowed_mentions"]["parse"] == []


async def test_the_finder_says_its_answers_are_private_and_passing_on_is_not_danger(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Tiny", capacity=2)
    finder = await slash(emulator, server, server.owner_id, "circle find")
    topics = find_component(finder, custom_id=next(
        c["custom_id"] for c in iter_components(finder["components"]) if c.get("custom_id", "").startswith(
            "circle:findt")))
    assert "private" in topics["placeholder"] and "not saved" in topics["placeholder"]
    assert "private to you and the bot doesn't save them" in text_of(finder)

    ann, bea, cat = [await emulator.member_join(server.guild_id, n) for n in ("ann", "bea", "cat")]
    for person in (ann, bea):
        await join(emulator, server, person, circle)
    await press(emulator, cat, await slash(emulator, server, cat, "circle join", circle=str(circle.id)),
                "Join the waitlist")
    await press(emulator, ann, await slash(emulator, server, ann, "circle leave", circle="Tiny"), "Yes, leave")
    await emulator.wait_until(lambda: dms(emulator, cat), 5, "cat's offer")
    offer = dms(emulator, cat)[-1]
    assert find_component(offer, label="Pass it on")["style"] == 2, "a kind act is not styled as danger"


# -- clarity --------------------------------------------------------------------------------------------

async def test_circle_notices_and_goal_pings_name_the_server_they_come_from(
        runner, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    bot = await runner.start()
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    ann = await emulator.member_join(server.guild_id, "ann")
    await join(emulator, server, ann, circle)
    ix = await emulator.slash(server.guild_id, server.owner_id, "circle-admin norms", circle=str(circle.id))
    await (await emulator.submit_modal(server.owner_id, ix, {"norms_text": "Version two: be gentle."})).reply()
    await emulator.wait_until(lambda: dms(emulator, ann), 5, "the request")
    notice = dms(emulator, ann)[-1]["content"]
    assert notice.startswith("-# From **Pain Peers**\n") and "**Fibro Friends**" in notice

    await set_goal(emulator, server, ann)
    await tick(bot, clock, hours=10, minutes=30)  # 19:30 UTC, the member's default zone
    ping = pings_to(emulator, ann)[-1]
    assert ping["content"].startswith("-# From **Pain Peers**")


async def test_organisers_are_told_who_sees_a_new_circles_channels(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await set_up(bot, server)
    ix = await emulator.slash(server.guild_id, server.owner_id, "circle-admin create", name="Fibro Friends",
                              description="A gentle weekly circle", topics="fibromyalgia", language="en", capacity=8)
    reply = await ix.reply()
    assert "organisers don't see them unless they also moderate or facilitate" in reply["content"]
    circle_channel = next(c for c in emulator.world.channels.values() if c.get("name") == "fibro-friends")
    organiser = [o for o in circle_channel["permission_overwrites"] if o["id"] == server.organiser_role_id]
    assert not organiser or not int(organiser[0]["allow"]) & VIEW_CHANNEL, "what the reply says is what happens"
