"""/help end to end for facilitators: facilitation is per circle, so /help asks the circles."""

from __future__ import annotations

from bot.client import PeerCirclesBot
from bot.emulator.events import Server
from bot.emulator.harness import BotRunner
from bot.emulator.interactions import text_of
from bot.emulator.server import DiscordEmulator
from tests.e2e.circle_helpers import create_circle, press, set_up

FACILITATORS = "For circle facilitators"


async def help_text(emulator: DiscordEmulator, server: Server, user_id: str) -> str:
    return text_of(await (await emulator.slash(server.guild_id, user_id, "help")).reply())


async def test_facilitators_see_the_facilitator_commands_and_members_do_not(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    fay = await emulator.member_join(server.guild_id, "fay")
    ann = await emulator.member_join(server.guild_id, "ann")

    before = await help_text(emulator, server, fay)
    assert FACILITATORS not in before and "`/circle-admin members`" not in before
    assert "`/circle join`" in before

    await (await emulator.slash(server.guild_id, server.owner_id, "circle-admin facilitator-add",
                                circle=str(circle.id), member=fay)).reply()
    text = await help_text(emulator, server, fay)
    assert FACILITATORS in text and "`/circle-admin members`" in text
    assert "For organisers" not in text and "For moderators" not in text, "facilitating is not organising"
    assert FACILITATORS not in await help_text(emulator, server, ann), "only the circle's facilitators"

    confirm = await (await emulator.slash(server.guild_id, server.owner_id, "circle-admin archive",
                                          circle=str(circle.id))).reply()
    await press(emulator, server.owner_id, confirm, "Archive it")
    assert FACILITATORS not in await help_text(emulator, server, fay), "an archived circle needs no facilitator"


async def test_facilitating_in_one_server_shows_nothing_in_another(
        runner: BotRunner, emulator: DiscordEmulator, server: Server) -> None:
    elsewhere = emulator.build_server("Elsewhere")
    fay = emulator.add_person(server.guild_id, "fay")
    emulator.world.add_member(elsewhere.guild_id, fay)
    bot = await runner.start()
    await set_up(bot, server)
    await set_up(bot, elsewhere)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    await (await emulator.slash(server.guild_id, server.owner_id, "circle-admin facilitator-add",
                                circle=str(circle.id), member=fay)).reply()
    assert FACILITATORS in await help_text(emulator, server, fay)
    assert FACILITATORS not in await help_text(emulator, elsewhere, fay)
