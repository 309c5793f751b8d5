"""Demo scene: a small goal with a gentle nudge, answered on a hard day with the minimum, a private
note, the progress picture, and a flare break that pauses everything and welcomes back."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from bot.core.clock import parse_iso_utc
from emulator.interactions import text_of

if TYPE_CHECKING:
    from bot.demo.walkthrough import Demo


def _pings(demo: Demo, user: str) -> list[dict[str, Any]]:
    world = demo.emulator.world
    channel = world.dm_channels.get(user)
    return [m for m in world.messages.get(channel, {}).values() if "Goal check-in" in text_of(m)] if channel else []


async def scene(demo: Demo) -> None:
    emu, gid, bot = demo.emulator, demo.server.guild_id, demo.bot
    demo.heading("Goals: small, kind, pacing-friendly")
    jo = await demo.person("jo")
    demo.say("Jo lives in Berlin and sets a time zone (autocomplete offers matching zones) and quiet hours.")
    choices = await (await emu.autocomplete(gid, jo, "me timezone", "zone", zone="berl")).choices()
    await (await emu.slash(gid, jo, "me timezone", zone=choices[0]["value"])).reply()
    demo.show("jo", await (await emu.slash(gid, jo, "me quiet-hours", start="10pm", end="8am")).reply())
    demo.say("Jo runs /goal set (cadence and time typed as '7:30pm'), then writes the goal in the modal.")
    ix = await emu.slash(gid, jo, "goal set", cadence="daily", time="7:30pm")
    sub = await emu.submit_modal(jo, ix, {"goal": "walk 10 minutes", "minimum": "walk to the door and back"})
    demo.show("jo", await sub.reply())
    when = await bot.db.fetchval("SELECT next_fire_at FROM schedules WHERE kind = 'goal_ping' AND owner_id ="
                                 " (SELECT MAX(id) FROM goals WHERE guild_id = ?)", (int(gid),))
    demo.clock.set(parse_iso_utc(when))
    await bot.scheduler.run_due()
    await bot.outbox.drain()
    await emu.wait_until(lambda: _pings(demo, jo), 5, "jo's goal ping")
    ping = _pings(demo, jo)[-1]
    demo.say("At 19:30 Berlin time the nudge arrives privately, with buttons.")
    demo.show("jo", ping)
    demo.say("It's a hard day: Jo presses 'Did the minimum', which counts fully.")
    await emu.click(jo, ping, label="Did the minimum")
    await emu.wait_until(lambda: "counts fully" in text_of(ping), 5, "the answer recorded")
    demo.show("jo", ping)
    note = await emu.click(jo, ping, label="Add a note")
    demo.show("jo", await (await emu.submit_modal(jo, note, {"note": "knees sore, went anyway"})).reply())
    progress = await emu.slash(gid, jo, "goal progress")
    shown = await progress.followup(0)
    demo.show("jo", shown)
    attachment = shown["attachments"][0]
    demo.say(f"(with a picture: {attachment['filename']}, {attachment['size']} bytes, one coloured cell a day)")
    demo.say("A flare comes. Jo pauses every ping and reminder for 3 days; nothing piles up.")
    demo.show("jo", await (await emu.slash(gid, jo, "flare start")).reply())
    demo.show("jo", await (await emu.slash(gid, jo, "flare end")).reply())

    demo.heading("Goals: a member who leaves the server gets no more pings")
    pings_before = len(_pings(demo, jo))
    await emu.member_leave(gid, jo)
    goal_id = await bot.db.fetchval("SELECT MAX(id) FROM goals WHERE guild_id = ?", (int(gid),))

    async def paused() -> bool:
        return await bot.db.fetchval("SELECT status FROM goals WHERE guild_id = ? AND id = ?",
                                     (int(gid), goal_id)) == "paused"

    for _ in range(100):  # the bot handles the leave event as it reads it from the gateway
        if await paused():
            break
        await asyncio.sleep(0.05)
    else:
        raise RuntimeError("the bot did not pause the goal of a member who left")
    demo.clock.advance(days=3)
    await bot.scheduler.run_due()
    await bot.outbox.drain()
    demo.say(f"Jo left the server: the goal is paused (reason 'left', kept for a return), partnerships and"
             f" the weekly recap end. Three days later Jo has had {len(_pings(demo, jo)) - pings_before}"
             " new pings.")
