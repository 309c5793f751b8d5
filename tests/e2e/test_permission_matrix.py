"""The permission matrix: every organiser, moderator or facilitator surface the bot has (slash
commands, component actions and forms, found by walking the loaded bot, so new capabilities are
covered when they merge), invoked by a plain member, is refused and changes nothing.

The emulator does not apply Discord's default_permissions, so the member reaches every command:
this tests the bot's own checks, which are the ones that count.
"""

from __future__ import annotations

from typing import Any

import pytest
from discord import AppCommandOptionType, app_commands

from bot.client import PeerCirclesBot
from bot.core.db import table_names
from bot.core.messages import custom_id
from cogs.common.components import component_actions_of
from emulator.events import MODAL_SUBMIT, Server
from emulator.server import DiscordEmulator
from tests.e2e.circles.helpers import answer, create_circle, set_up

EPHEMERAL = 1 << 6
# Text options that must look right to get past option parsing to the permission check.
PLAUSIBLE = {"circle": "{circle_id}", "language": "en", "topics": "fibromyalgia", "name": "Probe circle"}
MODAL = 9


def audience(command: app_commands.Command[Any, ..., Any] | app_commands.Group) -> str:
    node: Any = command
    while node is not None:
        if node.extras.get("audience"):
            return str(node.extras["audience"])
        node = node.parent
    return "member"


def leaf_commands(bot: PeerCirclesBot) -> list[app_commands.Command[Any, ..., Any]]:
    out: list[app_commands.Command[Any, ..., Any]] = []
    stack: list[Any] = list(bot.tree.get_commands())
    while stack:
        node = stack.pop()
        if isinstance(node, app_commands.Group):
            stack.extend(node.commands)
        elif isinstance(node, app_commands.Command):
            out.append(node)
    return sorted(out, key=lambda c: c.qualified_name)


def option_values(command: app_commands.Command[Any, ..., Any], server: Server, circle_id: int,
                  member: str) -> dict[str, Any] | None:
    """A plausible value for every option (None: the command cannot be called this way)."""
    values: dict[str, Any] = {}
    for p in command.parameters:
        if not p.required:
            continue
        if p.choices:
            values[p.name] = p.choices[0].value
        elif p.type is AppCommandOptionType.string:
            values[p.name] = PLAUSIBLE.get(p.name, "probe words").format(circle_id=circle_id)
        elif p.type in (AppCommandOptionType.integer, AppCommandOptionType.number):
            values[p.name] = int(p.min_value) if p.min_value is not None else 1
        elif p.type is AppCommandOptionType.boolean:
            values[p.name] = True
        elif p.type is AppCommandOptionType.user:
            values[p.name] = member
        elif p.type is AppCommandOptionType.channel:
            values[p.name] = server.general_id
        elif p.type is AppCommandOptionType.role:
            values[p.name] = server.oncall_role_id
        elif p.required:
            return None
    return values


async def snapshot(bot: PeerCirclesBot) -> dict[str, list[tuple[Any, ...]]]:
    tables = await table_names(bot.db.reader)
    return {t: [tuple(r) for r in await bot.db.fetchall(f"SELECT * FROM {t} ORDER BY 1")] for t in tables}


def bot_writes(emulator: DiscordEmulator, since: int) -> list[str]:
    """State-changing REST calls the bot made (answers to interactions aside)."""
    return [f"{c.method} {c.path}" for c in emulator.calls[since:]
            if c.method != "GET" and not c.path.startswith(("/interactions/", "/webhooks/"))
            and "/api/v10/interactions/" not in c.path and "/api/v10/webhooks/" not in c.path]


def bot_message(emulator: DiscordEmulator, server: Server, components: list[dict[str, Any]]) -> dict[str, Any]:
    """A message of the bot's in #general carrying ``components`` (as an old card would)."""
    world = emulator.world
    message: dict[str, Any] = {
        "id": world.ids.next(), "channel_id": server.general_id, "guild_id": server.guild_id,
        "author": dict(world.bot_user), "content": "", "timestamp": "2026-11-23T09:00:00+00:00",
        "edited_timestamp": None, "tts": False, "mention_everyone": False, "mentions": [], "mention_roles": [],
        "attachments": [], "embeds": [], "pinned": False, "type": 0, "flags": 0, "components": components,
    }
    world.messages.setdefault(server.general_id, {})[message["id"]] = message
    return message


@pytest.fixture
async def world(bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> tuple[int, str]:
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server, "Fibro Friends")
    member = await emulator.member_join(server.guild_id, "plain member")
    await emulator.set_roles(server.guild_id, member, [])
    return circle.id, member


def assert_refused(reply: dict[str, Any], what: str) -> None:
    assert reply.get("flags", 0) & EPHEMERAL, f"{what}: the refusal is private"
    text = reply.get("content") or ""
    assert "can" in text and ("Only" in text or "only" in text or "permission" in text), f"{what}: {text!r}"
    assert "went wrong" not in text, f"{what}: refused by a crash, not a check: {text!r}"


async def test_every_staff_command_refuses_a_plain_member_and_changes_nothing(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, world: tuple[int, str]) -> None:
    circle_id, member = world
    staff = [c for c in leaf_commands(bot) if audience(c) != "member"]
    assert any(c.qualified_name == "circle-admin create" for c in staff), "the walk finds the commands"
    checked = []
    for command in staff:
        options = option_values(command, server, circle_id, member)
        if options is None:
            continue
        before, calls = await snapshot(bot), len(emulator.calls)
        ix = await emulator.slash(server.guild_id, member, command.qualified_name, **options)
        assert await ix.response_type() != MODAL, f"/{command.qualified_name} opened its form for a member"
        assert_refused(await answer(ix), f"/{command.qualified_name}")
        assert await snapshot(bot) == before, f"/{command.qualified_name} changed the database"
        assert bot_writes(emulator, calls) == [], f"/{command.qualified_name} changed something on Discord"
        checked.append(command.qualified_name)
    assert len(checked) >= len(staff) - 1, f"only {checked} of {[c.qualified_name for c in staff]} were tried"


async def test_every_staff_component_action_refuses_a_plain_member_and_changes_nothing(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, world: tuple[int, str]) -> None:
    circle_id, member = world
    staff = {name: action for name, (_cog, action) in component_actions_of(bot).items()
             if action.audience != "member" and not action.modal}
    assert {"setup", "archiveok"} <= set(staff), "the walk finds the actions"
    for name in sorted(staff):
        button = {"type": 2, "style": 1, "label": name, "custom_id": custom_id(name, circle_id, 1, 1)}
        message = bot_message(emulator, server, [{"type": 1, "components": [button]}])
        before, calls = await snapshot(bot), len(emulator.calls)
        ix = await emulator.click(member, message, label=name)
        assert await ix.response_type() != MODAL, f"{name} opened a form for a member"
        assert_refused(await answer(ix), f"component {name}")
        assert await snapshot(bot) == before, f"component {name} changed the database"
        assert bot_writes(emulator, calls) == [], f"component {name} changed something on Discord"


async def test_a_new_action_without_an_audience_is_a_member_action(bot: PeerCirclesBot) -> None:
    """The one way to declare an action: a bare method name means everyone may press it; staff
    actions must say so, and the matrix above then covers them."""
    for name, (_cog, action) in component_actions_of(bot).items():
        assert action.audience in ("member", "facilitator", "moderator", "organiser"), name


async def test_every_staff_form_refuses_a_plain_member_and_changes_nothing(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, world: tuple[int, str]) -> None:
    """A form's submit carries its custom_id from the member's client: a member who never saw the
    form (or crafted the submit) is refused by the form's declared audience."""
    circle_id, member = world
    staff = sorted(name for name, (_cog, action) in component_actions_of(bot).items()
                   if action.modal and action.audience != "member")
    assert {"norms", "casenoted", "caseresolved", "screenres"} <= set(staff), "the walk finds the forms"
    for name in staff:
        data = {"custom_id": custom_id(name, circle_id, 1, 1),
                "components": [{"type": 1, "components": [{"type": 4, "custom_id": field, "value": "probe words"}]}
                               for field in ("norms", "note", "outcome", "reason", "name")]}
        before, calls = await snapshot(bot), len(emulator.calls)
        ix = await emulator._interact(MODAL_SUBMIT, server.guild_id, member, server.general_id, data)
        assert_refused(await answer(ix), f"form {name}")
        assert await snapshot(bot) == before, f"form {name} changed the database"
        assert bot_writes(emulator, calls) == [], f"form {name} changed something on Discord"


async def test_every_form_is_in_the_action_table_with_an_audience(bot: PeerCirclesBot) -> None:
    """No cog answers forms by itself (a listener matching custom_ids and checking by hand): each
    form the bot opens is an action with a declared audience, so the test above covers it."""
    forms = {name: action for name, (_cog, action) in component_actions_of(bot).items() if action.modal}
    assert {"goalsetm", "goaleditm", "goalnotem", "casereport", "copestrat", "copewin"} <= set(forms)
    for name, action in forms.items():
        assert action.audience in ("member", "facilitator", "moderator", "organiser"), name
