"""Demo scene: a member sees, exports and erases what the bot keeps about them; an organiser
reads the server's settings and the bot's status."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.demo.walkthrough import Demo



async def scene(demo: Demo) -> None:
    emu, server = demo.emulator, demo.server
    gid, olive = server.guild_id, server.owner_id
    ana = await demo.person("ana")  # joined Fibro Friends in the circles scene

    demo.heading("Privacy: a member asks what the bot keeps about them")
    demo.show("ana", await (await emu.slash(gid, ana, "privacy show")).reply())

    demo.heading("Privacy: a member takes their data with them")
    ix = await emu.slash(gid, ana, "privacy export")
    message = await ix.followup(0)
    demo.show("ana", message)
    calls = emu.find_calls("POST", "/webhooks/{application_id}/{webhook_token}",
                           where=lambda c: c.params["webhook_token"] == ix.record.token)
    document = json.loads(next(f["data"] for c in calls for f in c.files))
    demo.say(f"The file {message['attachments'][0]['filename']} holds: {', '.join(sorted(document['data']))}.")

    demo.heading("Privacy: a member erases everything about them (asked twice)")
    # A reach-out first: its private thread is titled with her display name until she erases.
    await (await emu.slash(gid, ana, "reach-out", what="a hard week, can we talk")).reply()
    before = {cid for cid, c in emu.world.channels.items() if c.get("type") in (11, 12)
              and c.get("name", "").endswith("(ana)")}
    demo.say(f"ana reached out; the moderators' thread is titled: "
             f"{', '.join(repr(emu.world.channels[c]['name']) for c in sorted(before)) or '(none)'}.")
    first = await (await emu.slash(gid, ana, "privacy delete")).reply()
    demo.show("ana", first)
    second = await demo.answer(await emu.click(ana, first, label="Continue"))
    demo.show("ana", second)
    done = await demo.answer(await emu.click(ana, second, label="Delete everything about me"))
    demo.show("ana", done)
    demo.say(f"After the erasure the thread is titled: "
             f"{', '.join(repr(emu.world.channels[c]['name']) for c in sorted(before)) or '(none)'}.")
    demo.show("ana, afterwards", await (await emu.slash(gid, ana, "privacy show")).reply())

    demo.heading("Privacy: an organiser's settings and the bot's status")
    await (await emu.slash(gid, olive, "settings change", setting="retention_attendance_days", days=60)).reply()
    demo.show("olive", await (await emu.slash(gid, olive, "settings show")).reply())
    status = await (await emu.slash(gid, olive, "status")).followup(0)
    demo.show("olive (/status, counts only)", status)
