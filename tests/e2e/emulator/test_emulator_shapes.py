"""The emulator answers in Discord's own shapes (checked against the OpenAPI spec's schemas)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from bot.client import PeerCirclesBot
from emulator.events import Server
from emulator.server import DEFAULT_TOKEN, DiscordEmulator


@pytest.fixture
async def http(emulator: DiscordEmulator) -> Any:
    async with aiohttp.ClientSession(headers={"Authorization": f"Bot {DEFAULT_TOKEN}"}) as session:

        async def call(method: str, path: str, body: Any = None) -> tuple[int, Any]:
            async with session.request(method, emulator.api_base_url + path, json=body) as resp:
                data = await resp.json() if resp.status != 204 else None
                return resp.status, data

        yield call


def assert_shape(emulator: DiscordEmulator, schema: str, obj: Any) -> None:
    if emulator.validator is None:
        pytest.skip("../shared/discord-api-spec not found: shape checks are skipped")
    issues = emulator.validator.validate_schema(schema, obj)
    assert not issues, f"{schema}: {issues[:3]}"


async def test_rest_answers_match_discords_schemas(emulator: DiscordEmulator, server: Server, http: Any) -> None:
    status, channel = await http("POST", f"/guilds/{server.guild_id}/channels", {"name": "circle-a", "type": 0})
    assert status == 200
    assert_shape(emulator, "GuildChannelResponse", channel)
    status, role = await http("POST", f"/guilds/{server.guild_id}/roles", {"name": "Circle A"})
    assert status == 200
    assert_shape(emulator, "GuildRoleResponse", role)
    status, message = await http("POST", f"/channels/{channel['id']}/messages", {"content": "hello"})
    assert status == 200
    assert_shape(emulator, "MessageResponse", message)
    status, dm = await http("POST", "/users/@me/channels", {"recipient_id": server.owner_id})
    assert status == 200
    assert_shape(emulator, "PrivateChannelResponse", dm)
    status, member = await http("GET", f"/guilds/{server.guild_id}/members/{server.owner_id}")
    assert_shape(emulator, "GuildMemberResponse", member)
    status, user = await http("GET", "/users/@me")
    assert_shape(emulator, "UserResponse", user)
    start = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    status, event = await http("POST", f"/guilds/{server.guild_id}/scheduled-events", {
        "name": "Check-in", "channel_id": server.lounge_voice_id, "entity_type": 2, "privacy_level": 2,
        "scheduled_start_time": start,
    })
    assert status == 200
    assert_shape(emulator, "VoiceScheduledEventResponse", event)
    status, thread = await http("POST", f"/channels/{channel['id']}/threads", {"name": "a story", "type": 11})
    assert status == 200
    assert_shape(emulator, "ThreadResponse", thread)
    status, commands = await http("PUT", f"/applications/{emulator.world.application_id}/commands",
                                  [{"name": "help", "description": "Help", "type": 1}])
    assert status == 200
    assert_shape(emulator, "ApplicationCommandResponse", commands[0])


async def test_errors_use_discords_shape(emulator: DiscordEmulator, server: Server, http: Any) -> None:
    status, body = await http("GET", "/channels/1")
    assert (status, body["code"]) == (404, 10003)
    status, body = await http("POST", f"/channels/{server.general_id}/messages", {})
    assert (status, body["code"]) == (400, 50006)
    emulator.world.dms_closed.add(server.owner_id)
    _, dm = await http("POST", "/users/@me/channels", {"recipient_id": server.owner_id})
    status, body = await http("POST", f"/channels/{dm['id']}/messages", {"content": "hi"})
    assert (status, body["code"]) == (403, 50007)


async def test_bodies_discord_would_reject_get_400_50035(emulator: DiscordEmulator, server: Server,
                                                         http: Any) -> None:
    if emulator.validator is None:
        pytest.skip("../shared/discord-api-spec not found: spec validation is skipped")
    status, body = await http("POST", f"/channels/{server.general_id}/messages", {"content": "x" * 2001})
    assert status == 400 and body["code"] == 50035 and "content" in body["errors"]
    status, body = await http("POST", f"/channels/{server.general_id}/messages",
                              {"embeds": [{"title": "t" * 257}]})
    assert status == 400 and body["code"] == 50035
    assert len(emulator.spec_rejections) == 2
    emulator.spec_rejections.clear()


async def test_rate_limits_answer_429_with_retry_after(emulator: DiscordEmulator, server: Server,
                                                       http: Any) -> None:
    emulator.ratelimits.enabled = True
    statuses = [(await http("POST", f"/channels/{server.general_id}/messages", {"content": "hi"}))[0]
                for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    last = emulator.calls[-1]
    assert last.response["retry_after"] > 0 and last.response["global"] is False
    assert emulator.ratelimits.route_429s == 1


async def test_missing_token_is_401(emulator: DiscordEmulator) -> None:
    async with aiohttp.ClientSession() as session, session.get(emulator.api_base_url + "/users/@me") as resp:
        assert resp.status == 401


async def test_enforce_nonce_returns_the_first_message_within_a_few_minutes(
    emulator: DiscordEmulator, server: Server, http: Any
) -> None:
    body = {"content": "reminder", "nonce": "1234", "enforce_nonce": True}
    _, first = await http("POST", f"/channels/{server.general_id}/messages", body)
    _, again = await http("POST", f"/channels/{server.general_id}/messages", body)
    assert again["id"] == first["id"]
    assert len(emulator.world.messages[server.general_id]) == 1
    _, plain = await http("POST", f"/channels/{server.general_id}/messages", {**body, "enforce_nonce": False})
    assert plain["id"] != first["id"]


async def interaction_for(emulator: DiscordEmulator, server: Server, http: Any, kind: str) -> Any:
    """An interaction injected with no bot connected: the test answers it over REST itself."""
    await http("PUT", f"/applications/{emulator.world.application_id}/commands", [
        {"name": "pick", "description": "Pick", "type": 1,
         "options": [{"name": "what", "description": "What", "type": 3, "autocomplete": True}]}])
    if kind == "autocomplete":
        return await emulator.autocomplete(server.guild_id, server.owner_id, "pick", "what", what="a")
    return await emulator.slash(server.guild_id, server.owner_id, "pick", what="a")


def callback_path(ix: Any) -> str:
    return f"/interactions/{ix.id}/{ix.record.token}/callback"


async def test_callback_types_are_checked_against_the_interaction_type(
    emulator: DiscordEmulator, server: Server, http: Any
) -> None:
    ix = await interaction_for(emulator, server, http, "autocomplete")
    status, body = await http("POST", callback_path(ix), {"type": 4, "data": {"content": "not choices"}})
    assert (status, body["code"]) == (400, 50035) and "type" in body["errors"]
    assert not ix.record.responded, "a refused answer acknowledges nothing"
    status, _ = await http("POST", callback_path(ix), {"type": 8, "data": {"choices": []}})
    assert status == 200
    command = await interaction_for(emulator, server, http, "command")
    for wrong in (1, 6, 7, 8):
        status, body = await http("POST", callback_path(command), {"type": wrong, "data": {}})
        assert status == 400, wrong
    status, _ = await http("POST", callback_path(command), {"type": 4, "data": {"content": "ok"}})
    assert status == 200


async def test_interaction_answers_fail_as_on_discord(emulator: DiscordEmulator, server: Server, http: Any) -> None:
    ix = await interaction_for(emulator, server, http, "command")
    status, body = await http("POST", f"/interactions/{ix.id}/tok.unknown/callback", {"type": 4, "data": {}})
    assert (status, body["code"]) == (404, 10062)
    status, body = await http("POST", callback_path(ix), {"type": 4, "data": {"content": "hi", "flags": 64}})
    assert status == 200
    status, body = await http("POST", callback_path(ix), {"type": 4, "data": {"content": "again"}})
    assert (status, body["code"]) == (400, 40060)


async def test_ephemeral_messages_are_out_of_reach_of_channel_routes(
    emulator: DiscordEmulator, server: Server, http: Any
) -> None:
    ix = await interaction_for(emulator, server, http, "command")
    _, answer = await http("POST", callback_path(ix), {"type": 4, "data": {"content": "just you", "flags": 64}})
    mid = answer["interaction"]["response_message_id"]
    channel = ix.record.channel_id
    for method, body in (("GET", None), ("PATCH", {"content": "edited"}), ("DELETE", None)):
        status, error = await http(method, f"/channels/{channel}/messages/{mid}", body)
        assert (status, error["code"]) == (404, 10008), method
    _, listed = await http("GET", f"/channels/{channel}/messages")
    assert mid not in {m["id"] for m in listed}
    status, edited = await http("PATCH", f"/webhooks/{emulator.world.application_id}/{ix.record.token}"
                                "/messages/@original", {"content": "edited"})
    assert status == 200 and edited["content"] == "edited", "the interaction's webhook still reaches it"


async def test_a_429_carries_the_headers_discord_sends(emulator: DiscordEmulator, server: Server) -> None:
    emulator.ratelimits.enabled = True
    emulator.ratelimits.route_limits["POST /channels/{channel_id}/messages"] = (1, 5.0)
    url = f"{emulator.api_base_url}/channels/{server.general_id}/messages"
    async with aiohttp.ClientSession(headers={"Authorization": f"Bot {DEFAULT_TOKEN}"}) as session:
        async with session.post(url, json={"content": "one"}) as ok:
            assert ok.status == 200
            assert ok.headers["X-RateLimit-Limit"] == "1" and ok.headers["X-RateLimit-Remaining"] == "0"
            assert "X-RateLimit-Bucket" in ok.headers and float(ok.headers["X-RateLimit-Reset-After"]) > 0
        async with session.post(url, json={"content": "two"}) as limited:
            assert limited.status == 429
            # Without Via, discord.py takes a 429 for a Cloudflare ban.
            assert limited.headers["Via"] and float(limited.headers["Retry-After"]) > 0
            assert limited.headers["X-RateLimit-Scope"] == "user"
            assert (await limited.json())["retry_after"] > 0


async def test_the_real_client_waits_out_rate_limits_and_loses_nothing(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                                       server: Server) -> None:
    emulator.ratelimits.enabled = True
    emulator.ratelimits.route_limits["POST /channels/{channel_id}/messages"] = (2, 0.3)
    channel = bot.get_channel(int(server.general_id))
    sent = await asyncio.gather(*(channel.send(f"notice {i}") for i in range(5)))
    assert len({m.id for m in sent}) == 5
    stored = [m["content"] for m in emulator.world.messages[server.general_id].values()]
    assert sorted(stored) == [f"notice {i}" for i in range(5)]
    assert all(c.status in (200, 429) for c in emulator.find_calls("POST", "/channels/{channel_id}/messages"))
