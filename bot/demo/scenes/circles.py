"""Demo scenes: setting up, creating a circle, finding and joining it with consent to its norms,
the waitlist, and asking members to agree again when the norms change."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from emulator.interactions import text_of

if TYPE_CHECKING:
    from bot.demo.walkthrough import Demo



async def _press(demo: Demo, user: str, message: dict[str, Any], label: str) -> dict[str, Any]:
    return await demo.answer(await demo.emulator.click(user, message, label=label))


def _dms(demo: Demo, user: str) -> list[dict[str, Any]]:
    world = demo.emulator.world
    channel = world.dm_channels.get(user)
    return list(world.messages.get(channel, {}).values()) if channel else []


async def _dm_containing(demo: Demo, user: str, needle: str) -> dict[str, Any]:
    return await demo.emulator.wait_until(
        lambda: next((m for m in reversed(_dms(demo, user)) if needle in text_of(m)), None), 5, f"a DM with {needle!r}")


async def scene(demo: Demo) -> None:
    emu, server = demo.emulator, demo.server
    gid, olive = server.guild_id, server.owner_id

    demo.heading("Circles: /setup with select menus")
    page = await (await emu.slash(gid, olive, "setup")).reply()
    page = await (await emu.select(olive, page, "circle:setup:organiser", [server.organiser_role_id])).reply()
    page = await (await emu.select(olive, page, "circle:setup:moderator", [server.moderator_role_id])).reply()
    page = await (await emu.select(olive, page, "circle:setup:oncall", [server.oncall_role_id])).reply()
    page = await _press(demo, olive, page, "Next")
    page = await (await emu.select(olive, page, "circle:setup:queue", [server.queue_id])).reply()
    page = await (await emu.select(olive, page, "circle:setup:category", [server.category_id])).reply()
    page = await _press(demo, olive, page, "Next")
    page = await (await emu.select(olive, page, "circle:setup:region", ["gb"])).reply()
    done = await _press(demo, olive, page, "Finish setup")
    demo.show("olive, the server owner, after picking roles and channels from menus", done)

    demo.heading("Circles: an organiser creates a circle")
    created = await (await emu.slash(gid, olive, "circle-admin create", name="Fibro Friends",
                                     description="A gentle weekly circle for people living with fibromyalgia",
                                     topics="fibromyalgia, general", language="English", capacity=2)).reply()
    demo.show("olive", created)
    demo.say("The bot made a role and private text and voice channels, visible only to the circle, its "
             "facilitators, moderators and the bot.")

    demo.heading("Circles: finding a circle and agreeing to its norms")
    sam = await demo.person("sam")
    finder = await (await emu.slash(gid, sam, "circle find")).reply()
    topics = finder["components"][0]["components"][0]["custom_id"]
    matches = await demo.answer(await emu.select(sam, finder, topics, ["fibro"]))
    demo.show("sam, after choosing 'Fibromyalgia'", matches)
    card = await _press(demo, sam, matches, "Join Fibro Friends")
    demo.show("sam (the norms card)", card)
    welcome = await _press(demo, sam, card, "I agree")
    demo.show("sam", welcome)

    ana = await demo.person("ana")
    card = await (await emu.slash(gid, ana, "circle join", circle="Fibro Friends")).reply()
    await _press(demo, ana, card, "I agree")
    ben = await demo.person("ben")
    full = await (await emu.slash(gid, ben, "circle join", circle="Fibro Friends")).reply()
    demo.show("ben, when the circle is full", full)
    demo.show("ben", await _press(demo, ben, full, "Join the waitlist"))

    demo.heading("Circles: a seat frees and is offered privately for 48 hours")
    confirm = await (await emu.slash(gid, sam, "circle leave", circle="Fibro Friends")).reply()
    demo.show("sam", await _press(demo, sam, confirm, "Yes, leave"))
    offer = await _dm_containing(demo, ben, "held for you")
    demo.show("ben, in a DM", offer)
    demo.show("ben", await _press(demo, ben, offer, "I agree, take the seat"))

    demo.heading("Circles: changed norms are agreed to again, or access pauses")
    ix = await emu.slash(gid, olive, "circle-admin norms", circle="Fibro Friends")
    saved = await (await emu.submit_modal(olive, ix, {
        "norms_text": "What is shared here stays here. We share lived experience, not medical advice. "
                      "No comparing pain. Use CW: before heavy topics."})).reply()
    demo.show("olive, after saving the norms modal", saved)
    request = await _dm_containing(demo, ana, "have been updated")
    demo.show("ana, in a DM", request)
    await _press(demo, ben, await _dm_containing(demo, ben, "have been updated"), "I agree")
    demo.clock.advance(timedelta(days=8))
    demo.say("Eight days later (the clock is moved): ana has not agreed, so her access pauses and she is told why; "
             "ben agreed and keeps his.")
    paused = await _dm_containing(demo, ana, "is paused")
    demo.show("ana, in a DM", paused)
    card = await _press(demo, ana, paused, "Read the norms")
    demo.show("ana", await _press(demo, ana, card, "I agree"))
    demo.show("ben, /circle mine", await (await emu.slash(gid, ben, "circle mine")).reply())


circles_scene = scene
