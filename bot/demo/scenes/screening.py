"""Demo scene: an organiser blocks a word, tries a sentence, and adds a local line to the crisis card."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.demo.walkthrough import Demo


async def scene(demo: Demo) -> None:
    emu, server = demo.emulator, demo.server
    gid, olive = server.guild_id, server.owner_id

    demo.heading("Screening: an organiser adds a word and tries a sentence")
    blocked = await (await emu.slash(gid, olive, "screening word-block", word="flare juice")).reply()
    demo.show("olive", blocked)
    preview = await (await emu.slash(gid, olive, "screening try",
                                     text="The rectal exam was fine, but my flare juice is crap today")).reply()
    demo.show("olive (a preview: nothing is stored or logged)", preview)
    demo.say("Medical words pass; the server's blocked phrase and the default list's word are censored.")

    demo.heading("Screening: a warning sign without a single crisis word")
    veiled = await (await emu.slash(gid, olive, "screening try", text=(
        "Dropped my cat's things round at my sister's, she'll have her for good now. "
        "Thank you all for everything this year x"))).reply()
    demo.show("olive", veiled)
    demo.say("Giving a pet away for good and thanking everyone reads as a farewell: the contextual encoder, "
             "which the rules and the fast model called in, decides crisis. In a circle channel this sends the "
             "member the crisis card privately and pages the moderators.")

    demo.heading("Screening: a local crisis line on the server's crisis card")
    ix = await emu.slash(gid, olive, "screening resource-add", language="English")
    added = await (await emu.submit_modal(olive, ix, {
        "name": "Riverside Night Line", "phone": "+44 20 7946 0000", "hours": "8pm to 8am every night",
    })).reply()
    demo.show("olive, after filling in the modal", added)
    card = await (await emu.slash(gid, olive, "screening resources")).reply()
    demo.show("olive: the card members get", card)
