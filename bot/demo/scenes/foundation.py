"""Demo scene: the bot connects, syncs its commands and answers /help; it survives a dropped link."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.demo.walkthrough import Demo


async def scene(demo: Demo) -> None:
    emu, server = demo.emulator, demo.server
    demo.heading("Connecting")
    commands = sum(len(c) for c in emu.world.commands.values())
    demo.say(f"The bot connected to the emulated Discord and registered {commands} slash commands.")

    demo.heading("/help for a member and for the server owner")
    sam = await demo.person("sam")
    reply = await (await emu.slash(server.guild_id, sam, "help")).reply()
    demo.show("sam, a member (only sam sees this)", reply)
    reply = await (await emu.slash(server.guild_id, server.owner_id, "help")).reply()
    demo.show("olive, the server owner", reply)

    demo.heading("A dropped connection")
    before = emu.gateway.session.resumes if emu.gateway.session else 0
    await emu.gateway.drop()
    await emu.wait_until(lambda: emu.gateway.session and emu.gateway.session.resumes > before, 10,
                         "the bot to resume")
    reply = await (await emu.slash(server.guild_id, sam, "help")).reply()
    demo.say("The emulator dropped the bot's gateway connection; the bot resumed its session and "
             f"still answers /help ({len(reply.get('embeds', []))} embed).")
