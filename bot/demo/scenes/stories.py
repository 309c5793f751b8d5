"""Demo scene: an anonymous story, from the form and its preview to the post, support, the
author's anonymous reply, a status check and a retraction with the receipt."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bot.circles.records import resolve_circle
from bot.circles.settings import get_circle_settings, save_circle_settings

if TYPE_CHECKING:
    from bot.demo.walkthrough import Demo

STORY = ("Three years of nerve pain and today I walked to the end of the road and back. I cried a bit,"
         " but it was a good cry. Text me on 07700 900123 if you want to walk together, I'm at 14 Elm Street"
         " and I work at Tesco in Leeds.")


async def scene(demo: Demo) -> None:
    emu, server, bot = demo.emulator, demo.server, demo.bot
    gid, olive = server.guild_id, server.owner_id

    demo.heading("Stories: a circle with a stories forum")
    circles = await get_circle_settings(bot.db, int(gid))
    await save_circle_settings(bot.db, bot.clock, replace(circles, stories_mode="forum"))
    created = await (await emu.slash(gid, olive, "circle-admin create", name="Nerve Pain Circle",
                                     description="Sharing what helps with nerve pain", topics="nerve",
                                     language="English", capacity=8)).reply()
    demo.show("olive", created)
    circle = await resolve_circle(bot.db, int(gid), "Nerve Pain Circle")
    rae, tom = await demo.person("rae"), await demo.person("tom")
    for who in (rae, tom):
        card = await (await emu.slash(gid, who, "circle join", circle=str(circle.id))).reply()
        await demo.answer(await emu.click(who, card, label="I agree"))

    demo.heading("Stories: rae writes a story and sees exactly how it will appear")
    form = await emu.slash(gid, rae, "story share", circle=str(circle.id))
    preview = await (await emu.submit_modal(rae, form, {"story": STORY, "title": "End of the road"})).reply()
    demo.show("rae (only rae sees this)", preview)
    edit = await emu.click(rae, preview, label="Edit")
    preview = await demo.answer(await emu.submit_modal(rae, edit, {"story": STORY.split(" Text me")[0]}))
    demo.say("rae pressed Edit and removed the phone number, the street address and the workplace;"
             " the warning is gone.")
    receipt = await demo.answer(await emu.click(rae, preview, label="Post"))
    demo.show("rae, after Post", receipt)
    code = receipt["content"].split("`")[1]
    demo.say("The story appears 1-10 minutes later, at random, so its time does not point to rae. Ten minutes pass.")
    demo.clock.advance(minutes=11)

    forum = str(circle.stories_channel_id)

    def thread() -> dict[str, Any] | None:
        return next((c for c in emu.world.channels.values() if c.get("parent_id") == forum), None)

    post_thread = await emu.wait_until(thread, 5, "the story's forum post")
    # The post exists a moment before the bot records it as published: wait for that record, as a
    # member's button press a second later would.
    for _ in range(500):
        if await bot.db.fetchval("SELECT state FROM stories WHERE guild_id = ?", (int(gid),)) == "published":
            break
        await asyncio.sleep(0.01)
    post = emu.world.messages[post_thread["id"]][post_thread["id"]]
    demo.show(f"everyone in the circle (forum post '{post_thread['name']}')", post)

    demo.heading("Stories: support, and the author replies anonymously")
    thanks = await demo.answer(await emu.click(tom, post, label="Sending support"))
    demo.show("tom, after pressing Sending support", thanks)
    await emu.send_message(post_thread["id"], tom, "Walking to the end of the road is huge. Well done.")
    demo.say("Only the author can reply as Story author: the post's 'Reply as the author' button opens a form"
             " for them (anyone else is told, privately, to reply under their own name).")
    form = await emu.click(rae, post, label="Reply as the author")
    demo.show("rae, after pressing Reply as the author (a form opens)", {"content": (await form.modal())["title"]})
    sent = await (await emu.submit_modal(rae, form, {"reply": "Thank you, Tom-or-whoever-you-are. It really was."})
                  ).reply()
    demo.show("rae", sent)
    await bot.outbox.drain()
    replies = [m for m in emu.world.messages[post_thread["id"]].values()
               if m["author"]["id"] == emu.world.bot_id and m["id"] != post_thread["id"]
               and not int(m.get("flags") or 0) & 64]
    if replies:
        demo.show("everyone in the thread", replies[-1])
    status = await (await emu.slash(gid, rae, "story status", receipt=code)).reply()
    demo.show("rae, checking with the receipt", status)

    demo.heading("Stories: retracting with the receipt")
    gone = await (await emu.slash(gid, rae, "story retract", receipt=code)).reply()
    demo.show("rae", gone)
    demo.say("The forum post and its thread are deleted, and so is every row about the story. The database"
             " never held rae's id for it: only a one-way key, and a fingerprint of the receipt.")
    assert thread() is None
