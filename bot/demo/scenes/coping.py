"""Demo scene: members share what helped them and small wins, browse and save strategies, read the
curated resources (crisis lines first), and the circle gets its weekly recap of wins."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.core.clock import parse_iso_utc
from emulator.interactions import text_of

if TYPE_CHECKING:
    from bot.demo.walkthrough import Demo


async def _press(demo: Demo, user: str, message: dict[str, Any], label: str) -> dict[str, Any]:
    ix = await demo.emulator.click(user, message, label=label)
    if await ix.response_type() == 7:
        return ix.message or {}
    return await ix.reply()


def _posts(demo: Demo, channel_id: int | None, needle: str) -> list[dict[str, Any]]:
    return [m for m in demo.emulator.world.messages.get(str(channel_id), {}).values() if needle in text_of(m)]


async def _post(demo: Demo, channel_id: int | None, needle: str) -> dict[str, Any]:
    found = await demo.emulator.wait_until(lambda: _posts(demo, channel_id, needle), 5, f"a post with {needle!r}")
    return found[-1]


async def scene(demo: Demo) -> None:
    emu, server = demo.emulator, demo.server
    gid, olive = server.guild_id, server.owner_id

    demo.heading("Coping: a circle to share what helps")
    await (await emu.slash(gid, olive, "circle-admin create", name="Pacing Pals", capacity=8, language="English",
                           description="Pacing, rest and small steps", topics="general")).reply()
    rosa, theo = await demo.person("rosa"), await demo.person("theo")
    circle_id = str(await demo.bot.db.fetchval(
        "SELECT id FROM circles WHERE guild_id = ? AND name = 'Pacing Pals'", (gid,)))
    channel = await demo.bot.db.fetchval("SELECT text_channel_id FROM circles WHERE guild_id = ? AND id = ?",
                                         (gid, int(circle_id)))
    for member in (rosa, theo):
        card = await (await emu.slash(gid, member, "circle join", circle=circle_id)).reply()
        await _press(demo, member, card, "I agree")

    demo.heading("Coping: rosa shares a strategy; theo shares one anonymously, with a link")
    ix = await emu.slash(gid, rosa, "strategy share", circle=circle_id, category="pacing")
    done = await (await emu.submit_modal(rosa, ix, {
        "coping_text": "I split chores into ten-minute pieces with a sit-down between them. The damn laundry "
                       "no longer wipes out my whole afternoon.",
        "coping_helps": "flare days, fatigue"})).reply()
    demo.show("rosa (only she sees this)", done)
    demo.show("the circle's channel", await _post(demo, channel, "pieces with a sit"))
    ix = await emu.slash(gid, theo, "strategy share", circle=circle_id, category="clinicians", anonymous=True)
    await (await emu.submit_modal(theo, ix, {
        "coping_text": "I write my three most important questions down before an appointment. This template "
                       "helped me: https://example.org/appointment-questions"})).reply()
    demo.show("the circle's channel", await _post(demo, channel, "three most important questions"))
    demo.say("The member's link shows as text (wrapped in <>), so Discord embeds no preview; the post names "
             "nobody, and the database keeps no author for it.")

    demo.heading("Coping: theo browses, says a strategy helped, and saves it")
    page = await (await emu.slash(gid, theo, "strategy browse", circle=circle_id)).reply()
    demo.show("theo", page)
    demo.show("theo, after 'This helped me too'", await _press(demo, theo, page, "2. This helped me too"))
    await _press(demo, theo, page, "2. Save")
    demo.show("theo: /strategy saved", await (await emu.slash(gid, theo, "strategy saved")).reply())

    demo.heading("Coping: words that sound like a crisis are never posted")
    ix = await emu.slash(gid, rosa, "strategy share", circle=circle_id, category="other")
    held = await (await emu.submit_modal(rosa, ix, {"coping_text": "Nothing helps any more, I want to end my life."}
                                         )).reply()
    demo.show("rosa (privately)", held)
    demo.say("The moderators got an urgent case; nothing reached the channel.")

    demo.heading("Coping: trusted resources, with the crisis lines always first")
    added = await (await emu.slash(gid, olive, "resources-admin add", title="Pain Toolkit",
                                   url="https://www.paintoolkit.org", note="Twelve practical tools")).reply()
    demo.show("olive", added)
    demo.show("rosa: /resources", await (await emu.slash(gid, rosa, "resources", circle=circle_id)).reply())

    demo.heading("Coping: a small win, celebrated, and the weekly recap")
    ix = await emu.slash(gid, rosa, "win share", circle=circle_id, name_in_recap=True)
    await (await emu.submit_modal(rosa, ix, {"coping_text": "Walked to the mailbox and back today"})).reply()
    win = await _post(demo, channel, "Walked to the mailbox")
    demo.show("the circle's channel, after theo pressed Celebrate", await _press(demo, theo, win, "🎉 Celebrate"))
    ix = await emu.slash(gid, theo, "win share", circle=circle_id)
    await (await emu.submit_modal(theo, ix, {"coping_text": "Asked my manager for a standing desk"})).reply()
    await _post(demo, channel, "standing desk")
    due = await demo.bot.db.fetchval(
        "SELECT next_fire_at FROM schedules WHERE guild_id = ? AND kind = 'coping_wins_recap'", (gid,))
    demo.clock.set(parse_iso_utc(due))
    demo.say("The clock moves on to Sunday 18:00 in the server's time zone.")
    recap = await _post(demo, channel, "This week's small wins")
    demo.show("the circle's channel (rosa chose to be named; theo did not)", recap)
