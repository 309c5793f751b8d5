"""Demo scenes: an anonymous story, from the form and its preview to the post, support, the
author's anonymous reply, a status check and a retraction with the receipt; and a story Discord
refuses (a missing permission), the moderators' notice and the author's status, then a moderator's
retry once the permission is back."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bot.circles.records import resolve_circle
from bot.circles.settings import get_circle_settings, save_circle_settings
from emulator import state as S
from emulator.interactions import text_of

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


REFUSED_STORY = ("Mornings are the hardest: an hour before my hands will close round a cup. Today I warmed them"
                 " under the tap first and it helped a little.")


def _queue_notices(demo: Demo) -> list[dict[str, Any]]:
    queue = demo.emulator.world.messages.get(demo.server.queue_id, {})
    return [m for m in queue.values() if "couldn't be published" in text_of(m)]


async def _bot_may_make_threads(demo: Demo, channel_id: int, allowed: bool) -> None:
    """An organiser changes the bot's Create Public Threads, on its role and in the stories channel."""
    emu, gid = demo.emulator, demo.server.guild_id
    role = str(emu.world.guilds[gid].members[emu.world.bot_id]["roles"][0])
    await emu.set_role_permissions(gid, role, S.BOT_DEFAULT if allowed else S.BOT_DEFAULT & ~S.CREATE_PUBLIC_THREADS)
    for overwrite in emu.world.channels[str(channel_id)].get("permission_overwrites", []):
        if overwrite["id"] == emu.world.bot_id:
            allow, deny = int(overwrite["allow"]), int(overwrite.get("deny", 0))
            if allowed:
                allow, deny = allow | S.CREATE_PUBLIC_THREADS, deny & ~S.CREATE_PUBLIC_THREADS
            else:
                allow, deny = allow & ~S.CREATE_PUBLIC_THREADS, deny | S.CREATE_PUBLIC_THREADS
            overwrite["allow"], overwrite["deny"] = str(allow), str(deny)


async def refused_scene(demo: Demo) -> None:
    emu, server, bot = demo.emulator, demo.server, demo.bot
    gid, olive = server.guild_id, server.owner_id

    demo.heading("Stories: Discord refuses a story; a moderator fixes the permission and retries")
    circles = await get_circle_settings(bot.db, int(gid))
    await save_circle_settings(bot.db, bot.clock, replace(circles, stories_mode="threads"))
    await (await emu.slash(gid, olive, "circle-admin create", name="Morning Stiffness Circle",
                           description="Slow starts, shared", topics="arthritis", language="English",
                           capacity=8)).reply()
    circle = await resolve_circle(bot.db, int(gid), "Morning Stiffness Circle")
    assert circle.stories_channel_id
    await save_circle_settings(bot.db, bot.clock, circles)  # later circles get a forum again
    sol = await demo.person("sol")
    card = await (await emu.slash(gid, sol, "circle join", circle=str(circle.id))).reply()
    await demo.answer(await emu.click(sol, card, label="I agree"))
    await _bot_may_make_threads(demo, circle.stories_channel_id, allowed=False)
    demo.say("This circle's stories go in a text channel, each post with its own thread. An organiser tidying"
             " permissions has taken Create Public Threads away from the bot there, by mistake.")

    form = await emu.slash(gid, sol, "story share", circle=str(circle.id))
    preview = await (await emu.submit_modal(sol, form, {"story": REFUSED_STORY})).reply()
    receipt = await demo.answer(await emu.click(sol, preview, label="Post"))
    code = receipt["content"].split("`")[1]
    before = len(_queue_notices(demo))
    demo.clock.advance(minutes=11)
    await emu.wait_until(lambda: len(_queue_notices(demo)) > before, 10, "the moderators' notice")
    notice = _queue_notices(demo)[-1]
    demo.show("#mod-queue", notice)
    channel = emu.world.messages.get(str(circle.stories_channel_id), {})
    demo.say(f"Messages left in the stories channel: {len(channel)} (the half-made post was deleted).")
    status = await (await emu.slash(gid, sol, "story status", receipt=code)).reply()
    demo.show("sol, checking with the receipt", status)

    demo.heading("Stories: the permission is back; a moderator retries and it is posted once")
    await _bot_may_make_threads(demo, circle.stories_channel_id, allowed=True)
    mo = await demo.person("mo")
    await emu.set_roles(gid, mo, [server.moderator_role_id])
    number = re.search(r"retry story:(\d+)", text_of(notice))
    assert number is not None
    retried = await (await emu.slash(gid, mo, "story-admin retry", story=int(number.group(1)))).reply()
    demo.show("mo", retried)
    for _ in range(500):
        if await bot.db.fetchval("SELECT state FROM stories WHERE guild_id = ? AND circle_id = ?",
                                 (int(gid), circle.id)) == "published":
            break
        await asyncio.sleep(0.01)
    posts = list(emu.world.messages.get(str(circle.stories_channel_id), {}).values())
    demo.say(f"Posts in the stories channel now: {len(posts)}, with its thread.")
    if posts:
        demo.show("everyone in the circle", posts[-1])
    status = await (await emu.slash(gid, sol, "story status", receipt=code)).reply()
    demo.show("sol", status)
