"""The foundation end to end: connect and sync, /help, the error handler, surviving Discord faults."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import sys
from pathlib import Path

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock
from bot.core.errors import UserFacingError
from bot.core.guild_settings import GuildSettings, save_settings
from bot.core.messages import custom_id
from bot.demo.runner import BotRunner
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DEFAULT_TOKEN, DiscordEmulator

EPHEMERAL = 1 << 6
SYNC_GLOBAL = ("PUT", "/applications/{application_id}/commands")
REPO_ROOT = Path(__file__).resolve().parents[3]


class Probe(commands.Cog):
    """Commands that exist only in these tests, one per audience, and two that fail."""

    @app_commands.command(name="probe-member", description="A member command")
    async def member(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("ok", ephemeral=True)

    @app_commands.command(name="probe-mod", description="A moderator command", extras={"audience": "moderator"})
    async def moderator(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("ok", ephemeral=True)

    @app_commands.command(name="probe-org", description="An organiser command", extras={"audience": "organiser"})
    async def organiser(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("ok", ephemeral=True)

    @app_commands.command(name="probe-crash", description="Always fails")
    @app_commands.describe(secret="Text that must never reach the logs")
    async def crash(self, interaction: discord.Interaction, secret: str) -> None:
        try:
            int(secret)  # fails with the member's text in the exception's message
        except ValueError as exc:
            raise RuntimeError(f"could not read {secret}") from exc

    @app_commands.command(name="probe-crash-after-saving", description="Fails after a commit")
    async def crash_after_saving(self, interaction: discord.Interaction) -> None:
        bot = interaction.client
        assert isinstance(bot, PeerCirclesBot)
        await bot.db.execute("INSERT INTO bot_meta (key, value) VALUES ('probe', 'saved')")
        raise RuntimeError("after the commit")

    @app_commands.command(name="probe-refuse", description="Refuses politely")
    async def refuse(self, interaction: discord.Interaction) -> None:
        raise UserFacingError("That circle is full. You can join its waitlist.")

    @app_commands.command(name="probe-modal", description="Opens a modal whose title is too long for Discord")
    async def modal(self, interaction: discord.Interaction) -> None:
        modal = discord.ui.Modal(title="x" * 40)
        modal.title = "x" * 46  # past discord.py's own check, as a careless change could be
        modal.add_item(discord.ui.TextInput(label="Anything"))
        await interaction.response.send_modal(modal)


class BrokenListener(commands.Cog):
    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        raise ValueError(f"cannot handle {message.content}")


async def test_a_failing_listener_is_logged_without_the_members_words(
    bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    await bot.add_cog(BrokenListener())
    caplog.set_level(logging.INFO)
    await emulator.send_message(server.general_id, server.owner_id, "my private words")
    await emulator.wait_until(lambda: "event handler failed" in caplog.text, what="the listener's failure logged")
    assert "event=on_message" in caplog.text and "ValueError" in caplog.text
    assert "my private words" not in caplog.text
    reply = await (await emulator.slash(server.guild_id, server.owner_id, "help")).reply()
    assert "Peer Circles" in text_of(reply), "the bot carries on"


async def add_probe(bot: PeerCirclesBot) -> None:
    await bot.add_cog(Probe())
    await bot.sync_commands()


async def test_connects_and_syncs_its_commands(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                               server: Server) -> None:
    assert bot.is_ready()
    assert [g.id for g in bot.guilds] == [int(server.guild_id)]
    sync = emulator.find_calls(*SYNC_GLOBAL)
    assert len(sync) == 1 and sync[0].status == 200
    names = {c["name"]: c for c in emulator.world.commands[None]}
    assert "help" in names and names["help"]["description"]


async def test_sync_is_skipped_when_the_command_tree_is_unchanged(runner: BotRunner,
                                                                   emulator: DiscordEmulator) -> None:
    bot = await runner.start()
    assert len(emulator.find_calls(*SYNC_GLOBAL)) == 1
    bot = await runner.restart()
    assert len(emulator.find_calls(*SYNC_GLOBAL)) == 1, "an unchanged tree is not synced again"
    assert not bot.synced_commands
    await add_probe(bot)
    assert len(emulator.find_calls(*SYNC_GLOBAL)) == 2, "a changed tree is synced"


async def test_dev_guild_sync_goes_to_that_guild_only(emulator: DiscordEmulator, server: Server,
                                                      clock: FakeClock, tmp_path) -> None:
    runner = BotRunner(emulator, clock, tmp_path / "dev.sqlite3", discord={"dev_guild_id": int(server.guild_id)})
    try:
        await runner.start()
        calls = emulator.find_calls("PUT", "/applications/{application_id}/guilds/{guild_id}/commands")
        assert [c.params["guild_id"] for c in calls] == [server.guild_id]
        assert not emulator.find_calls(*SYNC_GLOBAL)
        assert "help" in {c["name"] for c in emulator.world.commands[server.guild_id]}
    finally:
        await runner.stop()


@pytest.mark.parametrize(
    ("who", "visible", "hidden"),
    [
        ("member", ["probe-member"], ["probe-mod", "probe-org", "for moderators", "for organisers"]),
        ("moderator", ["probe-member", "probe-mod", "for moderators"], ["probe-org", "for organisers"]),
        ("organiser", ["probe-member", "probe-mod", "probe-org", "for organisers"], []),
        ("owner", ["probe-member", "probe-mod", "probe-org"], []),
    ],
)
async def test_help_shows_only_what_the_member_may_use(
    runner: BotRunner, emulator: DiscordEmulator, server: Server, who: str, visible: list[str], hidden: list[str]
) -> None:
    roles = {"member": [], "moderator": [server.moderator_role_id], "organiser": [server.organiser_role_id]}
    user_id = server.owner_id if who == "owner" else emulator.add_person(server.guild_id, who, roles[who])
    bot = await runner.start()
    await save_settings(bot.db, bot.clock, GuildSettings(
        guild_id=int(server.guild_id), organiser_role_id=int(server.organiser_role_id),
        moderator_role_id=int(server.moderator_role_id), setup_done=True,
    ))
    await add_probe(bot)
    reply = await (await emulator.slash(server.guild_id, user_id, "help")).reply()
    assert reply["flags"] & EPHEMERAL
    assert "/support" in text_of(reply) and "`/probe-member`" not in text_of(reply), "a short start first"
    # The probes belong to no area: /help offers them under "More", checked again at the pick.
    text = text_of(await (await emulator.select(user_id, reply, custom_id("help"), ["other"])).reply())
    def shown(word: str) -> bool:
        return (f"`/{word}`" if word.startswith("probe") else word) in text

    for word in visible:
        assert shown(word)
    for word in hidden:
        assert not shown(word)


async def test_help_before_setup_says_how_to_start(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                   server: Server) -> None:
    member = await emulator.member_join(server.guild_id, "newcomer")
    text = text_of(await (await emulator.slash(server.guild_id, member, "help")).reply())
    assert "hasn't been set up yet" in text and "/setup" in text


async def test_a_failing_command_gets_an_ephemeral_error_with_an_id(
    bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    await add_probe(bot)
    caplog.set_level(logging.INFO)
    reply = await (await emulator.slash(server.guild_id, server.owner_id, "probe-crash",
                                        secret="my private words")).reply()
    assert reply["flags"] & EPHEMERAL
    match = re.search(r"error id \*\*([0-9A-F]{8})\*\*", reply["content"])
    assert match, reply["content"]
    assert "nothing was changed" in reply["content"]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert match.group(1) in logged and "probe-crash" in logged and "RuntimeError" in logged
    assert "ValueError" in logged and "test_foundation.py" in logged, "the traceback says where it failed"
    assert "my private words" not in caplog.text, "exception messages can carry what members typed"


async def test_a_failure_after_a_commit_never_says_nothing_was_changed(
    bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server
) -> None:
    await add_probe(bot)
    reply = await (await emulator.slash(server.guild_id, server.owner_id, "probe-crash-after-saving")).reply()
    assert await bot.db.fetchval("SELECT value FROM bot_meta WHERE key = 'probe'") == "saved"
    assert "nothing was changed" not in reply["content"]
    assert "after some of it was already saved" in reply["content"]
    assert re.search(r"error id \*\*[0-9A-F]{8}\*\*", reply["content"])


async def test_a_refusal_is_shown_as_written_without_an_error_id(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                                 server: Server) -> None:
    await add_probe(bot)
    reply = await (await emulator.slash(server.guild_id, server.owner_id, "probe-refuse")).reply()
    assert reply["content"] == "That circle is full. You can join its waitlist."
    assert reply["flags"] & EPHEMERAL


async def test_the_emulator_rejects_what_discord_would(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                       server: Server) -> None:
    if emulator.validator is None:
        pytest.skip("../shared/discord-api-spec not found: spec validation is skipped")
    await add_probe(bot)
    ix = await emulator.slash(server.guild_id, server.owner_id, "probe-modal")
    reply = await ix.reply()
    rejected = emulator.spec_rejections
    assert len(rejected) == 1 and rejected[0].status == 400
    assert rejected[0].response["code"] == 50035
    assert "title" in str(rejected[0].response["errors"])
    assert "error id" in reply["content"], "the member is told something went wrong"
    emulator.spec_rejections.clear()


async def test_the_bot_resumes_after_a_dropped_websocket(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                         server: Server) -> None:
    session = emulator.gateway.session
    assert session is not None
    await emulator.gateway.drop()
    # A member joins while the bot is disconnected; the RESUME replays it.
    newcomer = await emulator.member_join(server.guild_id, "late-arrival")
    await emulator.wait_until(lambda: session.resumes == 1, 10, "the bot to resume its session")
    await emulator.wait_until(lambda: bot.get_guild(int(server.guild_id)).get_member(int(newcomer)), 5,
                              "the replayed member join")
    reply = await (await emulator.slash(server.guild_id, newcomer, "help")).reply()
    assert "Peer Circles" in text_of(reply)
    assert emulator.gateway.connections == 2


async def test_a_server_error_on_a_route_is_retried(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                    server: Server) -> None:
    emulator.inject_fault("POST", "/interactions/{interaction_id}/{interaction_token}/callback", 500, times=1)
    reply = await (await emulator.slash(server.guild_id, server.owner_id, "help")).reply(timeout=10)
    assert "Peer Circles" in text_of(reply)
    callbacks = emulator.find_calls("POST", "/interactions/{interaction_id}/{interaction_token}/callback")
    assert [c.status for c in callbacks] == [500, 200]


async def start_cli_bot(tmp_path, emulator: DiscordEmulator, token: str) -> asyncio.subprocess.Process:
    """`python -m bot run --config config.toml`, the config pointing at the emulator, as a newcomer would."""
    config = tmp_path / "config.toml"
    config.write_text(
        f'[discord]\napi_base_url = "{emulator.api_base_url}"\ngateway_url = "{emulator.gateway_url}"\n'
        '[database]\npath = "bot.sqlite3"\n'
    )
    env = {**os.environ, "DISCORD_TOKEN": token, "PYTHONPATH": str(REPO_ROOT)}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(config), cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


async def test_python_m_bot_run_pointed_at_a_compatible_server_syncs_and_answers_help(
    emulator: DiscordEmulator, server: Server, tmp_path
) -> None:
    proc = await start_cli_bot(tmp_path, emulator, DEFAULT_TOKEN)
    try:
        sync = await emulator.wait_for_call(*SYNC_GLOBAL, timeout=30)
        assert sync.status == 200 and "help" in {c["name"] for c in emulator.world.commands[None]}
        await emulator.wait_until(lambda: emulator.gateway.session and emulator.gateway.session.identified.is_set(),
                                  15, "the bot to identify on the gateway")
        reply = await (await emulator.slash(server.guild_id, server.owner_id, "help")).reply(timeout=15)
        assert reply["flags"] & EPHEMERAL and "Peer Circles" in text_of(reply)
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGINT)
        _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()
    assert b"Traceback" not in err
    assert (tmp_path / "bot.sqlite3").exists(), "database.path is taken from the config file's folder"


async def test_python_m_bot_run_with_a_token_the_server_refuses_exits_1_with_a_clear_error(
    emulator: DiscordEmulator, server: Server, tmp_path
) -> None:
    proc = await start_cli_bot(tmp_path, emulator, "not-the-token")
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 1
    lines = err.decode().strip().splitlines()
    assert lines[-1] == "error: Discord rejected the token in DISCORD_TOKEN (check it in the developer portal)"
    assert "Traceback" not in err.decode() and "not-the-token" not in err.decode()
    assert not emulator.find_calls(*SYNC_GLOBAL)
