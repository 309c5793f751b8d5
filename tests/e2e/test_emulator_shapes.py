"""The emulator answers in Discord's own shapes (checked against the OpenAPI spec's schemas)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from bot.emulator.events import Server
from bot.emulator.server import DEFAULT_TOKEN, DiscordEmulator


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
