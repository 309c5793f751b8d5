"""Several bot processes by shard range (issue 28): the emulator routes each server's events to
its shard's connection, each real discord.py client serves only its own servers, and DM features
(which reach shard 0's process) find a member's server held by another process in the database."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import discord
import pytest

from bot.client import PeerCirclesBot, ShardedPeerCirclesBot, point_at
from bot.core import anonymity
from bot.core.anonymity import AnonymityKeyError
from bot.core.clock import FakeClock
from bot.demo.runner import BotRunner, emulator_config
from bot.members import servers as member_servers
from emulator import state as S
from emulator.events import Server
from emulator.gateway import shard_of
from emulator.interactions import find_component, text_of
from emulator.server import DEFAULT_TOKEN, DiscordEmulator
from tests.e2e.cases.helpers import CRISIS, ready, wait_cases
from tests.e2e.cases.test_dm_relays_and_floods import bot_dms, dm_channel, thread_texts

COUNT = 4


@pytest.fixture
def servers(emulator: DiscordEmulator) -> list[Server]:
    """One server on each of the four shards, server i on shard i."""
    return [emulator.build_server(f"Peers {i}", shard=(i, COUNT)) for i in range(COUNT)]


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    """The anonymity key both processes share, made once beforehand (as `python -m bot init-key`)."""
    path = tmp_path / "secrets" / "anonymity-key"
    anonymity.load_key(path, env={})
    return path


def shard_runner(emulator: DiscordEmulator, clock: FakeClock, tmp_path: Path, shards: str,
                 key_file: Path) -> BotRunner:
    # Both processes on one database and one key, as the compose file runs them.
    return BotRunner(emulator, clock, tmp_path / "bot.sqlite3", bot={"shards": shards, "shard_count": COUNT},
                     privacy={"key_file": str(key_file)})


@pytest.fixture
async def two_processes(emulator: DiscordEmulator, servers: list[Server], clock: FakeClock, tmp_path: Path,
                        key_file: Path) -> AsyncIterator[tuple[PeerCirclesBot, PeerCirclesBot]]:
    low = shard_runner(emulator, clock, tmp_path, "0-1", key_file)
    high = shard_runner(emulator, clock, tmp_path, "2-3", key_file)
    try:
        yield await low.start(), await high.start()
    finally:
        await low.stop()
        await high.stop()


def interactions_seen(bot: PeerCirclesBot) -> list[discord.Interaction]:
    seen: list[discord.Interaction] = []

    async def note(interaction: discord.Interaction) -> None:
        seen.append(interaction)

    bot.add_listener(note, "on_interaction")
    return seen


async def test_each_process_holds_only_the_servers_on_its_shards(
        emulator: DiscordEmulator, servers: list[Server], two_processes: tuple[PeerCirclesBot, PeerCirclesBot]) -> None:
    low, high = two_processes
    assert isinstance(low, ShardedPeerCirclesBot) and low.shard_ids == [0, 1] and low.shard_count == COUNT
    assert sorted(low.shards) == [0, 1] and sorted(high.shards) == [2, 3]
    assert {str(g.id) for g in low.guilds} == {servers[0].guild_id, servers[1].guild_id}
    assert {str(g.id) for g in high.guilds} == {servers[2].guild_id, servers[3].guild_id}
    # One gateway connection per shard, each identified with its [shard_id, shard_count].
    assert sorted(s.shard for s in emulator.gateway.sessions.values()) == [(i, COUNT) for i in range(COUNT)]
    # A member joining a server on shard 3 reaches the high process only.
    joined = await emulator.member_join(servers[3].guild_id, "new-member")
    guild = high.get_guild(int(servers[3].guild_id))
    assert guild is not None
    await emulator.wait_until(lambda: guild.get_member(int(joined)) is not None, what="GUILD_MEMBER_ADD")
    assert low.get_guild(int(servers[3].guild_id)) is None


async def test_a_slash_command_is_answered_by_the_process_holding_its_server(
        emulator: DiscordEmulator, servers: list[Server], two_processes: tuple[PeerCirclesBot, PeerCirclesBot]) -> None:
    low, high = two_processes
    seen_low, seen_high = interactions_seen(low), interactions_seen(high)
    answer = await (await emulator.slash(servers[2].guild_id, servers[2].owner_id, "help")).reply()
    assert answer["content"] or answer.get("embeds"), "the member got the help page"
    assert [str(i.guild_id) for i in seen_high] == [servers[2].guild_id] and seen_low == []
    answer = await (await emulator.slash(servers[1].guild_id, servers[1].owner_id, "help")).reply()
    assert answer["content"] or answer.get("embeds")
    assert [str(i.guild_id) for i in seen_low] == [servers[1].guild_id] and len(seen_high) == 1
    # A DM carries no server: Discord sends it on shard 0, so the low process answers it.
    await (await emulator.slash(None, servers[3].owner_id, "help")).reply()
    assert len(seen_low) == 2 and seen_low[-1].guild_id is None and len(seen_high) == 1


async def test_a_process_with_a_shard_range_and_no_shared_key_refuses_to_start(
        emulator: DiscordEmulator, servers: list[Server], clock: FakeClock, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(anonymity.ENV_VAR, raising=False)
    missing = tmp_path / "nowhere" / "anonymity-key"
    runner = shard_runner(emulator, clock, tmp_path, "2-3", missing)
    try:
        with pytest.raises(discord.ext.commands.ExtensionFailed) as failed:
            await runner.start()
    finally:
        await runner.stop()
    assert isinstance(failed.value.original, AnonymityKeyError)
    assert 'bot.shards = "2-3" of bot.shard_count = 4' in str(failed.value.original)
    assert not missing.exists(), "the process made no key of its own"


async def test_unsharded_bot_is_one_connection_with_every_server(
        emulator: DiscordEmulator, servers: list[Server], server: Server, runner: BotRunner) -> None:
    bot = await runner.start()
    assert type(bot) is PeerCirclesBot and bot.shard_count is None
    assert {str(g.id) for g in bot.guilds} == {s.guild_id for s in [*servers, server]}
    assert [s.shard for s in emulator.gateway.sessions.values()] == [(0, 1)]


# -- the emulator's side -----------------------------------------------------------------------------


async def test_get_gateway_bot_recommends_the_shard_count_in_discords_shape(emulator: DiscordEmulator,
                                                                            tmp_path: Path) -> None:
    emulator.options.shard_count = 4
    async with aiohttp.ClientSession(headers={"Authorization": f"Bot {DEFAULT_TOKEN}"}) as http, \
            http.get(emulator.api_base_url + "/gateway/bot") as resp:
        assert resp.status == 200
        body = await resp.json()
    assert body["shards"] == 4 and body["url"] == emulator.gateway_url
    assert body["session_start_limit"]["max_concurrency"] == 1
    if emulator.validator is None:
        pytest.skip("../shared/discord-api-spec not found: the shape check is skipped")
    assert emulator.validator.validate_schema("GatewayBotResponse", body) == []
    # discord.py's own reading of it (what AutoShardedBot uses when no shard_count is configured).
    point_at(emulator_config(emulator, tmp_path / "unused.sqlite3"))
    client = discord.Client(intents=discord.Intents.none())
    try:
        await client.login(DEFAULT_TOKEN)
        count, url, limits = await client.http.get_bot_gateway()
    finally:
        await client.close()
    assert (count, url, limits["remaining"]) == (4, emulator.gateway_url, 1000)


async def identify(emulator: DiscordEmulator, shard: Any) -> tuple[int | None, list[dict[str, Any]]]:
    """A raw gateway client: IDENTIFY with ``shard``; the close code (or None) and dispatches read."""
    frames: list[dict[str, Any]] = []
    async with aiohttp.ClientSession() as http, http.ws_connect(emulator.gateway_url) as ws:
        await ws.receive_json()  # HELLO
        payload: dict[str, Any] = {"token": DEFAULT_TOKEN, "intents": 0, "properties": {}}
        if shard is not None:
            payload["shard"] = shard
        await ws.send_json({"op": 2, "d": payload})
        while True:
            try:
                msg = await asyncio.wait_for(ws.receive(), timeout=0.5)
            except TimeoutError:
                return None, frames
            if msg.type != aiohttp.WSMsgType.TEXT:
                return ws.close_code, frames
            frames.append(json.loads(msg.data))


async def test_identify_with_a_shard_gets_that_shards_servers_only(
        emulator: DiscordEmulator, servers: list[Server]) -> None:
    code, frames = await identify(emulator, [1, COUNT])
    assert code is None
    ready = frames[0]["d"]
    assert frames[0]["t"] == "READY" and ready["shard"] == [1, COUNT]
    assert [g["id"] for g in ready["guilds"]] == [servers[1].guild_id]
    assert [f["d"]["id"] for f in frames if f["t"] == "GUILD_CREATE"] == [servers[1].guild_id]
    assert all(shard_of(s.guild_id, COUNT) == i for i, s in enumerate(servers))
    # No shard field: Discord's [0, 1], every server.
    _, frames = await identify(emulator, None)
    assert frames[0]["d"]["shard"] == [0, 1] and len(frames[0]["d"]["guilds"]) == COUNT


@pytest.mark.parametrize("shard", [[4, 4], [-1, 4], [0, 0], "0", [0, 1, 2], [True, 2]])
async def test_a_shard_outside_its_count_is_closed_with_4010(emulator: DiscordEmulator, shard: Any) -> None:
    code, frames = await identify(emulator, shard)
    assert code == 4010 and frames == []


# -- DM features for a server another process holds ----------------------------------------------------


async def until(check: Any, what: str, within: float = 5.0) -> None:
    """Wait for a database condition another process's listener writes (no event announces it)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await check():
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.01)


async def test_a_member_whose_server_another_process_holds_is_answered_in_dms(
        emulator: DiscordEmulator, servers: list[Server], two_processes: tuple[PeerCirclesBot, PeerCirclesBot]) -> None:
    low, high = two_processes
    far = servers[2]  # shard 2: the high process's; DMs reach shard 0, the low process
    mod = await ready(high, emulator, far)
    ann = await emulator.member_join(far.guild_id, "ann")
    await until(lambda: member_servers.is_member(low.db, int(far.guild_id), int(ann)), "ann's server recorded")
    assert low.get_guild(int(far.guild_id)) is None, "the DM's process does not hold ann's server"
    seen_low, seen_high = interactions_seen(low), interactions_seen(high)

    card = await (await emulator.slash(None, ann, "support")).reply()
    assert card["embeds"][0]["title"].endswith("(Peers 2)"), "the card names ann's server"
    answer = text_of(await (await emulator.click(ann, card, label="Talk to a moderator now")).reply())
    assert "The moderators of **Peers 2** have your message" in answer
    assert len(seen_low) == 2 and seen_high == [], "both DM interactions were the low process's"
    [case] = await wait_cases(low, far, 1)
    assert case.subject_user_id == int(ann)
    [thread] = [c for c in emulator.world.channels.values()
                if c.get("parent_id") == far.queue_id and c.get("type") == S.PUBLIC_THREAD]
    assert case.thread_id == int(thread["id"]), "the relay thread was made over REST in the far server"

    # Ann's DMs reach the thread; the moderator's answer there (the high process's) reaches ann.
    await emulator.send_message(dm_channel(emulator, ann), ann, "could someone talk with me")
    await emulator.wait_until(lambda: "could someone talk with me" in thread_texts(emulator, case.thread_id), 5,
                              "ann's DM in the relay thread")
    await emulator.send_message(thread["id"], mod, "I'm here, take your time")
    await emulator.wait_until(lambda: any("take your time" in text_of(m) for m in bot_dms(emulator, ann)), 5,
                              "the moderator's reply in ann's DMs")


async def test_a_crisis_dm_opens_the_case_in_a_server_another_process_holds(
        emulator: DiscordEmulator, servers: list[Server], two_processes: tuple[PeerCirclesBot, PeerCirclesBot]) -> None:
    low, high = two_processes
    far = servers[3]
    await ready(high, emulator, far)
    cal = await emulator.member_join(far.guild_id, "cal")
    await until(lambda: member_servers.is_member(low.db, int(far.guild_id), int(cal)), "cal's server recorded")
    await emulator.send_message(dm_channel(emulator, cal), cal, CRISIS)
    await emulator.wait_until(lambda: bot_dms(emulator, cal), 5, "the crisis card")
    [case] = await wait_cases(low, far, 1)
    assert (case.kind, case.urgency, case.subject_user_id) == ("crisis", "urgent", int(cal))
    assert find_component(bot_dms(emulator, cal)[0], label="Talk to a moderator now")

    # After cal leaves, the DM process no longer finds the server (the high process recorded it).
    await emulator.member_leave(far.guild_id, cal)
    await until(lambda: _not(member_servers.is_member(low.db, int(far.guild_id), int(cal))), "cal's leaving")
    card = await (await emulator.slash(None, cal, "support")).reply()
    assert not card.get("components"), "no server's moderators offered any more"


async def _not(check: Any) -> bool:
    return not await check


# -- rows another process enqueued -------------------------------------------------------------------


async def test_rows_another_process_enqueued_are_sent_within_a_third_of_a_lease_naming_their_server(
        emulator: DiscordEmulator, servers: list[Server], clock: FakeClock, tmp_path: Path,
        two_processes: tuple[PeerCirclesBot, PeerCirclesBot]) -> None:
    """A fan-out one process enqueued wakes only that process's worker; the others look for due rows
    at each heartbeat, so they help send it (and send it when that process died before claiming).
    Any process sends any row: a DM from a server another process holds still names its server."""
    from benchmarks._fleet import outside_outbox
    from bot.core.db import Database
    from bot.delivery.outbox import nonce_for

    low, high = two_processes
    near, far = servers[1], servers[2]  # the low process's, the high one's
    for bot, server in ((low, near), (high, far)):
        await until(lambda s=server, b=bot: _named(b, s), f"{server.guild_id}'s name recorded")
    ann, ben = emulator.add_person(near.guild_id, "ann"), emulator.add_person(far.guild_id, "ben")
    # A third party on the same database: its enqueue wakes neither process's worker.
    async with Database(tmp_path / "bot.sqlite3") as db:
        outside = outside_outbox(db, clock)
        async with db.transaction() as conn:
            for member, server in ((ann, near), (ben, far)):
                await outside.enqueue(conn, key=f"elsewhere:{member}", kind="goal_ping",
                                      guild_id=int(server.guild_id), target_kind="dm", target_id=int(member),
                                      payload={"content": "A gentle nudge."})
    await asyncio.sleep(0.2)
    assert not bot_dms(emulator, ann) and not bot_dms(emulator, ben), "no worker was woken by the enqueue"
    clock.advance(low.leases.duration / 3)
    await emulator.wait_until(lambda: bot_dms(emulator, ann) and bot_dms(emulator, ben), 5,
                              "the DMs, sent at the next heartbeat")
    # One process claimed both (up to 16 rows a claim): one DM's server is the other process's.
    for member, name in ((ann, "Peers 1"), (ben, "Peers 2")):
        [dm] = bot_dms(emulator, member)
        assert dm.get("nonce") == nonce_for(f"elsewhere:{member}")
        assert text_of(dm).startswith(f"-# From **{name}**"), "the DM names the server it comes from"


async def _named(bot: PeerCirclesBot, server: Server) -> bool:
    return await member_servers.server_name(bot.db, int(server.guild_id)) is not None
