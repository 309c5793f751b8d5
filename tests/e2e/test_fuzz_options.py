"""Fuzzing every option of every slash command the bot registers (issue 26).

The commands are found by walking the loaded bot's app command tree (as the permission matrix
does), so a new command is fuzzed the day it merges. Each option gets hostile values by its type:
text with mentions, markdown, SQL- and format-looking strings, invisible and bidi characters, up
to Discord's 6,000 characters; integers at and past their limits (beyond 2**63 too); another
server's channels, roles and users; hand-typed text where autocomplete would offer choices. Each
command is run as a plain member with no roles and as the server owner, and for each call:

- it is answered within Discord's 3 seconds with bodies Discord accepts (checked per call here and
  again at teardown, as the ``emulator`` fixture does);
- the bot logged no error or traceback (``bot``, ``cogs``, ``discord`` and ``asyncio`` loggers);
- nobody was pinged by what the member typed (@everyone/@here, role or user mentions);
- the other server is untouched (no change on Discord, no write to its channels).

One bot and one emulator serve the whole module: they run on an event loop of their own in a
background thread, and hypothesis drives them from the (synchronous) tests, so examples are
cheap. ``derandomize=True`` keeps CI reproducible.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import re
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from discord import AppCommandOptionType, app_commands
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock
from bot.core.db import table_names
from bot.demo.runner import BotRunner
from emulator.events import Server
from emulator.interactions import APPLICATION_COMMAND, AUTOCOMPLETE, Interaction, text_of
from emulator.server import DiscordEmulator
from tests.e2e.circles.helpers import create_circle, set_up
from tests.e2e.conftest import ACK_DEADLINE_SECONDS
from tests.e2e.test_permission_matrix import PLAUSIBLE, leaf_commands

T = TypeVar("T")
Command = app_commands.Command[Any, ..., Any]
EXAMPLES = 15  # per command and person: each example runs every command once
WATCHED_LOGGERS = ("bot", "cogs", "discord", "asyncio")
MODAL, DEFERRED = 9, 5
DISCORD_STRING_MAX = 6000

# Hostile text. {role}, {user}, {channel}, {everyone} are filled with real ids of both servers.
HOSTILE_TEXT = (
    "@everyone", "@here", "hi @everyone look", "<@&{everyone}>", "<@&{role}>", "<@&{other_role}>",
    "<@{user}>", "<@!{other_user}>", "<#{other_channel}>", "@everyone <@&{role}> <@{user}>",
    "**bold** __under__ ~~gone~~ ||spoiler|| `code` ```py\nx```", "> quote\n# Heading\n[link](https://evil.example)",
    "'; DROP TABLE circles;--", "1; DELETE FROM goals", "\" OR 1=1 --", "{0}", "{}", "{name}", "{0.__class__}",
    "%s", "%(name)s", "%d%n", "$(reboot)", "\u202e\u2066evil\u2069txt", "\u200b", "\u200b\u200d\ufeff\u2060",
    " ", "\t\n\r", "\x00", "9" * 30, str(2**63), "#" + str(2**63), str(-(2**63) - 1), "-1", "0", "²", "Ⅻ",
    "١٢٣", "NaN", "inf", "1e309", "../../../../etc/passwd", "/etc/localtime", "Europe/" + "x" * 200,
    "<t:99999999999999:R>", "mon,mon,mon,xyz", "25:99", "2026-02-30", "31/31/31", "tomorrow at noon",
    "@everyone " * 600, "a" * DISCORD_STRING_MAX, "💥" * 1500, "ﷺ" * 100, "Z̴̢̛a̸l̵g̷o̶" * 50,
)
INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2060\ufeff"


@dataclass
class Recorder(logging.Handler):
    """Every ERROR record of the watched loggers, from any thread."""

    records: list[logging.LogRecord] = field(default_factory=list)

    def __post_init__(self) -> None:
        logging.Handler.__init__(self, logging.ERROR)

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def __hash__(self) -> int:
        return id(self)


@dataclass
class Fuzz:
    """The module's one bot and emulator, on their own event loop."""

    loop: asyncio.AbstractEventLoop
    emulator: DiscordEmulator
    bot: PeerCirclesBot
    server: Server
    other: Server
    member: str
    other_user: str
    errors: Recorder
    commands: list[Command]
    circle_id: int = 0
    other_rows: list[str] = field(default_factory=list)  # rows naming the other server before fuzzing

    def run(self, coro: Awaitable[T], timeout: float = 60) -> T:
        async def wrapped() -> T:
            return await coro

        return asyncio.run_coroutine_threadsafe(wrapped(), self.loop).result(timeout)

    @property
    def other_ids(self) -> set[str]:
        guild = self.emulator.world.guilds[self.other.guild_id]
        return {self.other.guild_id, *guild.channel_ids, *guild.roles}

    def fill(self, text: str) -> str:
        if "{" not in text or "}" not in text or text.startswith(("{0", "{}", "{name")):
            return text
        return text.format(everyone=self.server.guild_id, role=self.server.moderator_role_id,
                           other_role=self.other.moderator_role_id, user=self.server.owner_id,
                           other_user=self.other_user, other_channel=self.other.general_id)


@pytest.fixture(scope="module")
def fuzz(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzz]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="fuzz-bot-loop", daemon=True)
    thread.start()

    def run(coro: Awaitable[T]) -> T:
        async def wrapped() -> T:
            return await coro

        return asyncio.run_coroutine_threadsafe(wrapped(), loop).result(60)

    async def start() -> tuple[DiscordEmulator, BotRunner, PeerCirclesBot, Server, Server, str, str, int]:
        emulator = DiscordEmulator()
        await emulator.start()
        server = emulator.build_server()
        other = emulator.build_server("Somewhere Else")
        other_user = emulator.add_person(other.guild_id, "stranger")
        member = emulator.add_person(server.guild_id, "plain member", role_ids=[])
        clock = FakeClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
        runner = BotRunner(emulator, clock, Path(tmp_path_factory.mktemp("fuzz")) / "bot.sqlite3")
        bot = await runner.start()
        await set_up(bot, server)
        circle = await create_circle(emulator, bot, server, "Fibro Friends")
        await bot.outbox.drain(10)
        return emulator, runner, bot, server, other, member, other_user, circle.id

    emulator, runner, bot, server, other, member, other_user, circle_id = run(start())
    errors = Recorder()
    for name in WATCHED_LOGGERS:
        logging.getLogger(name).addHandler(errors)
    try:
        fuzz = Fuzz(loop, emulator, bot, server, other, member, other_user, errors, leaf_commands(bot))
        fuzz.circle_id = circle_id
        fuzz.other_rows = run(rows_naming(fuzz, fuzz.other_ids))
        yield fuzz
        print(f"fuzz: {len(emulator.interactions)} interactions, {len(emulator.calls)} REST calls")
    finally:
        for name in WATCHED_LOGGERS:
            logging.getLogger(name).removeHandler(errors)
        run(runner.stop())
        run(emulator.stop())
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
    # The emulator fixture's teardown checks, for the module's emulator.
    rejected = [f"{c.method} {c.template}: {c.response}" for c in emulator.spec_rejections]
    assert not rejected, "the emulator rejected bodies as Discord would:\n" + "\n".join(rejected)
    unanswered = [r.token for r in emulator.interactions.values() if not r.responded]
    assert not unanswered, f"interactions the bot never answered: {unanswered}"


async def rows_naming(fuzz: Fuzz, ids: set[str]) -> list[str]:
    """Every row of every table holding one of ``ids`` (as a number or as text)."""
    tables = await table_names(fuzz.bot.db.reader)
    found = []
    for table in tables:
        for row in await fuzz.bot.db.fetchall(f"SELECT * FROM {table}"):
            if any(str(v) in ids for v in tuple(row)):
                found.append(f"{table}: {tuple(row)!r:.200}")
    return sorted(found)


# -- hostile values by option type ------------------------------------------------------------------

def hostile_text(fuzz: Fuzz, max_length: int | None) -> st.SearchStrategy[str]:
    limit = min(max_length or DISCORD_STRING_MAX, DISCORD_STRING_MAX)
    picked = st.sampled_from(HOSTILE_TEXT).map(fuzz.fill)
    mixed = st.text(st.one_of(st.sampled_from(INVISIBLE + "@#<>&*_~`|{}%'\";\\"),
                              st.characters(exclude_categories=("Cs",))), min_size=1, max_size=40)
    joined = st.lists(st.one_of(picked, mixed), min_size=1, max_size=3).map("".join)
    return st.one_of(picked, mixed, joined).map(lambda s: s[:limit])


def hostile_int(p: app_commands.Parameter) -> st.SearchStrategy[int]:
    edges = [0, -1, 1, 2**31, 2**53, 2**53 + 1, 2**63 - 1, 2**63, 2**64, -(2**63), -(2**63) - 1, 10**30]
    for bound in (p.min_value, p.max_value):
        if bound is not None:
            edges += [int(bound) - 1, int(bound), int(bound) + 1]
    return st.one_of(st.sampled_from(sorted(set(edges))), st.integers(-(2**70), 2**70))


def max_length(p: app_commands.Parameter) -> int | None:
    """A string option's max_length (discord.py keeps it as max_value)."""
    return int(p.max_value) if p.max_value is not None else None


def option_value(fuzz: Fuzz, p: app_commands.Parameter) -> st.SearchStrategy[Any]:
    server, other, world = fuzz.server, fuzz.other, fuzz.emulator.world
    if p.choices:  # Discord only ever sends one of the choices
        return st.sampled_from([c.value for c in p.choices])
    kind = p.type
    if kind is AppCommandOptionType.string:
        # Sometimes a value that gets past parsing, so the other options' hostile values go deeper.
        plausible = PLAUSIBLE.get(p.name, "").format(circle_id=fuzz.circle_id)
        hostile = hostile_text(fuzz, max_length(p))
        return st.one_of(hostile, st.just(plausible)) if plausible else hostile
    if kind is AppCommandOptionType.integer:
        return hostile_int(p)
    if kind is AppCommandOptionType.number:
        return st.one_of(hostile_int(p).map(float), st.floats(allow_nan=False, allow_infinity=False))
    if kind is AppCommandOptionType.boolean:
        return st.booleans()
    users = [fuzz.member, server.owner_id, world.bot_id, fuzz.other_user, other.owner_id]
    roles = [server.guild_id, server.moderator_role_id, server.organiser_role_id,
             world.guilds[server.guild_id].members[world.bot_id]["roles"][0],
             other.moderator_role_id, other.guild_id]
    if kind is AppCommandOptionType.user:
        return st.sampled_from(users)
    if kind is AppCommandOptionType.role:
        return st.sampled_from(roles)
    if kind is AppCommandOptionType.mentionable:
        return st.sampled_from(users + roles)
    if kind is AppCommandOptionType.channel:
        types = {t.value for t in p.channel_types} or None
        ids = [*world.guilds[server.guild_id].channel_ids, *world.guilds[other.guild_id].channel_ids]
        # Discord only sends channels of the option's types.
        fitting = [c for c in ids if types is None or world.channels[c]["type"] in types]
        return st.sampled_from(fitting)
    raise AssertionError(f"/{p.command.qualified_name} {p.display_name}: no hostile values for {kind}")


def command_options(fuzz: Fuzz, command: Command) -> st.SearchStrategy[dict[str, Any]]:
    """Every required option, and each optional one or not, with hostile values."""
    required = {p.display_name: option_value(fuzz, p) for p in command.parameters if p.required}
    optional = {p.display_name: option_value(fuzz, p) for p in command.parameters if not p.required}
    return st.fixed_dictionaries(required, optional=optional)  # type: ignore[arg-type]


# -- sending an interaction (with ids Discord's own resolver would not offer) ----------------------------

async def interact(fuzz: Fuzz, user: str, path: str, values: dict[str, Any],
                   focused: str | None = None) -> Interaction:
    """``emulator.slash``/``autocomplete``, except that a role of another server may be given (the
    emulator's resolver only looks in the command's server)."""
    emulator, world = fuzz.emulator, fuzz.emulator.world
    here = world.guilds[fuzz.server.guild_id].roles
    foreign = {k: v for k, v in values.items() if isinstance(v, str) and v not in here
               and any(v in g.roles for g in world.guilds.values())}
    stand_in = {k: (fuzz.server.moderator_role_id if k in foreign else v) for k, v in values.items()}
    data = emulator._command_data(fuzz.server.guild_id, path, stand_in, focused=focused)
    if foreign:
        leaf = data["options"]
        while leaf and leaf[0]["type"] in (1, 2):
            leaf = leaf[0]["options"]
        roles = data["resolved"].setdefault("roles", {})
        for option in leaf:
            if option["name"] in foreign:
                rid = foreign[option["name"]]
                option["value"] = rid
                owner = next(g for g in world.guilds.values() if rid in g.roles)
                roles[rid] = copy.deepcopy(owner.roles[rid])
    kind = AUTOCOMPLETE if focused is not None else APPLICATION_COMMAND
    return await emulator._interact(kind, fuzz.server.guild_id, user, None, data)


# -- what must hold after every call -----------------------------------------------------------------------

def message_bodies(call: Any) -> list[dict[str, Any]]:
    body = call.json if isinstance(call.json, dict) else None
    if body is None or call.method == "GET":
        return []
    if call.template.endswith("/callback"):
        return [body["data"]] if body.get("type") in (4, 7) and isinstance(body.get("data"), dict) else []
    if call.template.endswith("/threads") and isinstance(body.get("message"), dict):
        return [body["message"]]
    if "/messages" in call.template or call.template.startswith("/webhooks/"):
        return [body]
    return []


def pings(body: dict[str, Any], typed_user_ids: set[str]) -> list[str]:
    """Who Discord would notify for ``body``'s content, of the mentions a member typed."""
    content = body.get("content") or ""
    allowed = body.get("allowed_mentions")
    parse = set(allowed.get("parse") or []) if allowed is not None else {"everyone", "roles", "users"}
    roles = set(allowed.get("roles") or []) if allowed is not None else set()
    users = set(allowed.get("users") or []) if allowed is not None else set()
    found = []
    if ("@everyone" in content or "@here" in content) and "everyone" in parse:
        found.append("@everyone/@here")
    found += [f"role {rid}" for rid in re.findall(r"<@&(\d+)>", content) if "roles" in parse or rid in roles]
    found += [f"user {uid}" for uid in re.findall(r"<@!?(\d+)>", content)
              if uid in typed_user_ids and ("users" in parse or uid in users)]
    return found


def other_server_state(fuzz: Fuzz) -> Any:
    world, gid = fuzz.emulator.world, fuzz.other.guild_id
    guild = world.guilds[gid]
    return copy.deepcopy((guild.data, guild.roles, guild.members, guild.channel_ids, guild.scheduled_events,
                          {c: world.channels[c] for c in guild.channel_ids},
                          {c: world.messages.get(c, {}) for c in guild.channel_ids}))


async def finished(ix: Interaction) -> str:
    """The text the person finally sees (a deferred answer waits for its edit or follow-up)."""
    kind = await ix.response_type()
    if kind == MODAL or ix.record.type == AUTOCOMPLETE:
        return ""
    return text_of(await ix.reply())


def check_call(fuzz: Fuzz, what: str, call: Callable[[], Awaitable[Interaction]],
               typed: dict[str, Any]) -> Interaction:
    emulator = fuzz.emulator
    calls, errors, rejections = len(emulator.calls), len(fuzz.errors.records), len(emulator.spec_rejections)
    before = other_server_state(fuzz)

    async def go() -> tuple[Interaction, str]:
        ix = await call()
        text = await finished(ix)
        await fuzz.bot.outbox.drain(10)  # posts the command queued (announcements, DMs) are sent too
        return ix, text

    ix, text = fuzz.run(go())
    record = ix.record
    assert record.answer_seconds is not None and record.answer_seconds <= ACK_DEADLINE_SECONDS, \
        f"{what}: answered after {record.answer_seconds}s"
    rejected = [f"{c.method} {c.template}: {c.response}" for c in emulator.spec_rejections[rejections:]]
    assert not rejected, f"{what}: Discord would refuse:\n" + "\n".join(rejected)
    logged = [f"{r.name}: {r.getMessage()}" for r in fuzz.errors.records[errors:]]
    assert not logged, f"{what}: the bot logged errors:\n" + "\n".join(logged)
    assert "went wrong" not in text, f"{what}: {text!r}"
    typed_ids = {uid for v in typed.values() if isinstance(v, str) for uid in re.findall(r"<@!?(\d+)>", v)}
    made = emulator.calls[calls:]
    pinged = [f"{c.method} {c.template}: {p}" for c in made for b in message_bodies(c) for p in pings(b, typed_ids)]
    assert not pinged, f"{what}: member text pinged people:\n" + "\n".join(pinged)
    elsewhere = fuzz.other_ids
    touched = [f"{c.method} {c.path}" for c in made
               if c.method != "GET" and set(c.params.values()) & elsewhere]
    assert not touched, f"{what}: the bot acted on the other server: {touched}"
    assert other_server_state(fuzz) == before, f"{what}: the other server changed"
    return ix


# -- the tests -----------------------------------------------------------------------------------------------

FUZZ_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def test_the_walk_finds_every_command_and_option(fuzz: Fuzz) -> None:
    names = {c.qualified_name for c in fuzz.commands}
    assert {"circle-admin create", "checkin-admin schedule", "case timeout", "goal set", "help"} <= names
    synced = {c["name"] for cmds in fuzz.emulator.world.commands.values() for c in cmds if c.get("type", 1) == 1}
    assert {n.split()[0] for n in names} == synced, "every synced slash command is walked"
    for command in fuzz.commands:
        for p in command.parameters:
            option_value(fuzz, p)  # every option type has hostile values


@pytest.mark.parametrize("who", ["member", "owner"])
@FUZZ_SETTINGS
@given(data=st.data())
def test_every_command_option_survives_hostile_values(fuzz: Fuzz, who: str, data: st.DataObject) -> None:
    user = fuzz.member if who == "member" else fuzz.server.owner_id
    for command in fuzz.commands:
        values = data.draw(command_options(fuzz, command), label=f"/{command.qualified_name}")
        path = command.qualified_name

        def call(path: str = path, values: dict[str, Any] = values) -> Awaitable[Interaction]:
            return interact(fuzz, user, path, values)

        check_call(fuzz, f"/{path} as {who} with {values!r:.300}", call, values)


@FUZZ_SETTINGS
@given(data=st.data())
def test_autocomplete_answers_hand_typed_hostile_text(fuzz: Fuzz, data: st.DataObject) -> None:
    for command in fuzz.commands:
        for p in command.parameters:
            if not p.autocomplete:
                continue
            hand_typed = (hostile_text(fuzz, max_length(p)) if p.type is AppCommandOptionType.string
                          else option_value(fuzz, p))
            typed = data.draw(hand_typed, label=f"/{command.qualified_name} {p.display_name}")
            path, name = command.qualified_name, p.display_name
            values = {name: typed if p.type is AppCommandOptionType.string else str(typed)}

            def call(path: str = path, name: str = name, values: dict[str, Any] = values) -> Awaitable[Interaction]:
                return interact(fuzz, fuzz.member, path, values, focused=name)

            ix = check_call(fuzz, f"autocomplete /{path} {name}={typed!r:.200}", call, values)
            choices = ix.record.choices or []
            assert all(1 <= len(c["name"]) <= 100 for c in choices), choices


def test_the_other_server_has_nothing_new_in_the_database(fuzz: Fuzz) -> None:
    """Runs last: no row names the other server, its channels or its roles but those it had before
    the fuzzing (the bot is a member there too: its own schedules and settings)."""
    assert fuzz.run(rows_naming(fuzz, fuzz.other_ids)) == fuzz.other_rows
