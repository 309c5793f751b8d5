"""/help end to end for facilitators: facilitation is per circle, so /help asks the circles."""

from __future__ import annotations

import re
from typing import Any

import discord
from discord import app_commands

from bot.client import PeerCirclesBot
from bot.core.messages import custom_id
from bot.demo.runner import BotRunner
from cogs.help import AREAS, AUDIENCES, EMBED_LIMIT, OTHER_AREA, START_HERE, area_of, audience_of
from emulator.events import Server
from emulator.interactions import find_component, text_of
from emulator.server import DiscordEmulator
from tests.e2e.circles.helpers import answer, create_circle, press, set_up

FACILITATORS = "Start here (facilitator)"
# What discord.py sends for an option nobody described.
MISSING_DESCRIPTION = "…"


async def help_reply(emulator: DiscordEmulator, server: Server, user_id: str) -> dict[str, Any]:
    return await (await emulator.slash(server.guild_id, user_id, "help")).reply()


async def help_text(emulator: DiscordEmulator, server: Server, user_id: str) -> str:
    return text_of(await help_reply(emulator, server, user_id))


async def pick(emulator: DiscordEmulator, user_id: str, message: dict[str, Any], area: str) -> dict[str, Any]:
    """The person picks an area in /help's menu; the same (ephemeral) message now shows it."""
    ix = await emulator.select(user_id, message, custom_id("help"), [area])
    assert await ix.response_type() == 7, "an update of the same message"
    return await answer(ix)


def embed_size(message: dict[str, Any]) -> int:
    total = 0
    for embed in message.get("embeds") or []:
        total += len(embed.get("title") or "") + len(embed.get("description") or "")
        total += len((embed.get("footer") or {}).get("text") or "")
        for f in embed.get("fields") or []:
            assert len(f["value"]) <= 1024 and len(f["name"]) <= 256
            total += len(f["name"]) + len(f["value"])
        assert len(embed.get("fields") or []) <= 25
    return total


STAFF_ONLY = ("`/case ", "`/case-admin", "`/circle-admin", "`/checkin-admin", "`/checkin-facilitator",
              "`/story-admin", "`/screening", "`/setup`", "`/status`", "`/settings", "`/resources-admin",
              "`/strategy pin`")


async def test_a_member_starts_with_a_short_start_here_and_picks_an_area(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await set_up(bot, server)
    sam = await emulator.member_join(server.guild_id, "sam")
    first = await help_reply(emulator, server, sam)
    text = text_of(first)
    description = first["embeds"][0]["description"]
    assert description.startswith("**In crisis"), "the crisis line comes first"
    assert "Start here (member)" in text and "`/circle find`" in text and "`/story share`" in text
    assert text.count("`/") <= 5, "a short start, not a wall of commands"
    assert not [s for s in STAFF_ONLY if s in text]
    menu = find_component(first, custom_id=custom_id("help"))
    labels = [o["label"] for o in menu["options"]]
    assert {"Circles", "Check-ins", "Stories", "Goals", "Support", "Privacy and you"} <= set(labels)
    assert "Server set-up" not in labels, "no area of staff commands for a member"
    assert len(labels) <= 25

    stories = await pick(emulator, sam, first, "stories")
    shown = text_of(stories)
    assert "`/story share`" in shown and "`/story retract`" in shown and "`/story status`" in shown
    assert "`/goal set`" not in shown and "`/story-admin" not in shown
    assert stories["embeds"][0]["description"].startswith("**In crisis")
    for key, _, _, _ in AREAS:
        if key != "server":
            seen = text_of(await pick(emulator, sam, first, key))
            assert not [s for s in STAFF_ONLY if s in seen], key
    with_default = find_component(stories, custom_id=custom_id("help"))
    assert [o["value"] for o in with_default["options"] if o.get("default")] == ["stories"]


async def test_a_moderator_sees_moderator_items(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                server: Server) -> None:
    await set_up(bot, server)
    mo = await emulator.member_join(server.guild_id, "mo")
    await emulator.set_roles(server.guild_id, mo, [server.moderator_role_id])
    first = await help_reply(emulator, server, mo)
    text = text_of(first)
    assert "Start here (moderator)" in text and "`/case list`" in text
    assert "`/setup`" not in text and "`/circle-admin" not in text
    support = text_of(await pick(emulator, mo, first, "support"))
    assert "Support: for moderators" in support and "`/case claim`" in support and "`/support`" in support
    assert "`/case-admin settings`" not in support, "organisers only"
    stories = text_of(await pick(emulator, mo, first, "stories"))
    assert "`/story-admin remove`" in stories


async def test_every_area_fits_discords_limits_for_an_organiser(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    await set_up(bot, server)
    first = await help_reply(emulator, server, server.owner_id)
    assert "Start here (organiser)" in text_of(first) and embed_size(first) <= EMBED_LIMIT
    options = find_component(first, custom_id=custom_id("help"))["options"]
    assert OTHER_AREA[0] not in [o["value"] for o in options], "every command belongs to an area"
    seen = ""
    for option in options:
        shown = await pick(emulator, server.owner_id, first, option["value"])
        assert embed_size(shown) <= EMBED_LIMIT, option["value"]
        seen += text_of(shown)
    for command in bot.tree.walk_commands():
        if isinstance(command, app_commands.Command) and command.qualified_name != "help":
            assert f"`/{command.qualified_name}`" in seen, command.qualified_name


async def test_start_here_names_real_commands_for_their_role(bot: PeerCirclesBot) -> None:
    by_name = {c.qualified_name: c for c in bot.tree.walk_commands() if isinstance(c, app_commands.Command)}
    levels = {key: level for level, key, _ in AUDIENCES}
    for role, names in START_HERE.items():
        assert 3 <= len(names) <= 5
        for name in names:
            assert name in by_name, name
            assert levels[audience_of(by_name[name])] <= role, f"{name} is beyond {role}"
            assert area_of(by_name[name]) != OTHER_AREA[0], name


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
    assert "Start here (organiser)" not in text and "`/case list`" not in text, "facilitating is not organising"
    assert FACILITATORS not in await help_text(emulator, server, ann), "only the circle's facilitators"
    circles = text_of(await pick(emulator, fay, await help_reply(emulator, server, fay), "circles"))
    assert "Circles: for circle facilitators" in circles and "`/circle-admin create`" not in circles


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
