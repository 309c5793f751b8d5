"""/help end to end for facilitators: facilitation is per circle, so /help asks the circles."""

from __future__ import annotations

import re

import discord
from discord import app_commands

from bot.client import PeerCirclesBot
from bot.demo.runner import BotRunner
from cogs.help import AUDIENCES, audience_of
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DiscordEmulator
from tests.e2e.circles.helpers import create_circle, press, set_up

FACILITATORS = "For circle facilitators"
# What discord.py sends for an option nobody described.
MISSING_DESCRIPTION = "…"


async def help_text(emulator: DiscordEmulator, server: Server, user_id: str) -> str:
    return text_of(await (await emulator.slash(server.guild_id, user_id, "help")).reply())


async def test_facilitators_see_the_facilitator_commands_and_members_do_not(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    fay = await emulator.member_join(server.guild_id, "fay")
    ann = await emulator.member_join(server.guild_id, "ann")

    before = await help_text(emulator, server, fay)
    assert FACILITATORS not in before and "`/circle-facilitator members`" not in before
    assert "`/circle join`" in before

    await (await emulator.slash(server.guild_id, server.owner_id, "circle-admin facilitator-add",
                                circle=str(circle.id), member=fay)).reply()
    text = await help_text(emulator, server, fay)
    assert FACILITATORS in text and "`/circle-facilitator members`" in text
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


# Discord's limits for application commands (a longer one fails the whole sync with 50035).
NAME_RE = re.compile(r"^[-_\w]{1,32}$")
AUDIENCE_KEYS = {key for _, key, _ in AUDIENCES}


def problems_of(command: app_commands.Command | app_commands.Group) -> list[str]:
    where = f"/{command.qualified_name}"
    found = []
    if not NAME_RE.match(command.name) or command.name != command.name.lower():
        found.append(f"{where}: name must be 1-32 lower-case letters, digits, - or _")
    if not command.description.strip() or command.description == MISSING_DESCRIPTION:
        found.append(f"{where}: no description")
    if len(command.description) > 100:
        found.append(f"{where}: description over 100 characters")
    audience = command.extras.get("audience")
    if audience is not None and audience not in AUDIENCE_KEYS:
        found.append(f"{where}: unknown audience {audience!r}")
    if isinstance(command, app_commands.Command):
        for param in command.parameters:
            if not param.description.strip() or param.description == MISSING_DESCRIPTION:
                found.append(f"{where} {param.name}: no description")
            if len(param.description) > 100:
                found.append(f"{where} {param.name}: description over 100 characters")
            if not NAME_RE.match(param.display_name):
                found.append(f"{where} {param.display_name}: bad option name")
            if len(param.choices) > 25 or any(len(c.name) > 100 for c in param.choices):
                found.append(f"{where} {param.name}: over 25 choices or a choice name over 100 characters")
    return found


async def test_every_command_and_option_is_described_within_discords_limits(bot: PeerCirclesBot) -> None:
    commands = list(bot.tree.walk_commands())
    assert len(commands) > 5
    found = [problem for command in commands for problem in problems_of(command)]
    assert not found, "\n".join(found)


async def test_commands_hidden_from_members_by_discord_are_not_listed_for_members(bot: PeerCirclesBot) -> None:
    """A command with default_permissions is invisible to plain members: /help must not offer it to them."""
    wrong = []
    for command in bot.tree.walk_commands():
        if isinstance(command, app_commands.Group):
            continue
        root = command.root_parent or command
        if root.default_permissions is not None and audience_of(command) == "member":
            wrong.append(f"/{command.qualified_name}")
    assert not wrong, f"restricted in Discord but listed for every member: {wrong}"


def test_the_checks_above_catch_what_they_look_for() -> None:
    @app_commands.command(name="bad", description="Fine", extras={"audience": "admins"})
    @app_commands.describe(ok="Fine")
    async def bad(interaction: discord.Interaction, ok: str, silent: str) -> None: ...

    # Past discord.py's own checks, as a careless change could be.
    bad.name, bad.description = "Bad Name", "x" * 101
    found = "\n".join(problems_of(bad))
    for expected in ("name must be", "description over 100", "unknown audience", "silent: no description"):
        assert expected in found
