"""emulator/state.py: permissions as Discord computes them, role positions, snowflake ids."""

from __future__ import annotations

import itertools
import time

import pytest

from emulator.state import (
    ADMINISTRATOR,
    ALL_PERMISSIONS,
    DISCORD_EPOCH_MS,
    EVERYONE_DEFAULT,
    GUILD_TEXT,
    MANAGE_MESSAGES,
    PUBLIC_THREAD,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    VIEW_CHANNEL,
    Snowflakes,
    World,
)


@pytest.fixture
def world() -> World:
    return World()


def private_channel(world: World, guild_id: str, role_id: str, member_id: str, *, member_deny: int = 0) -> str:
    """A circle-style channel: hidden from @everyone, shown to a role, one member overwritten."""
    overwrites = [
        {"id": guild_id, "type": 0, "allow": "0", "deny": str(VIEW_CHANNEL)},
        {"id": role_id, "type": 0, "allow": str(VIEW_CHANNEL | SEND_MESSAGES), "deny": "0"},
    ]
    if member_deny:
        overwrites.append({"id": member_id, "type": 1, "allow": "0", "deny": str(member_deny)})
    channel = world.add_channel(guild_id, "circle", GUILD_TEXT, permission_overwrites=overwrites)
    return channel["id"]


def test_everyone_deny_role_allow_member_overwrite(world: World) -> None:
    owner = world.add_user("owner")["id"]
    guild = world.add_guild("Peer Circles", owner).id
    circle_role = world.add_role(guild, "Circle: Mornings")["id"]
    outsider = world.add_user("outsider")["id"]
    insider = world.add_user("insider")["id"]
    muted = world.add_user("muted")["id"]
    world.add_member(guild, outsider)
    world.add_member(guild, insider, role_ids=[circle_role])
    world.add_member(guild, muted, role_ids=[circle_role])
    channel = private_channel(world, guild, circle_role, muted, member_deny=SEND_MESSAGES)

    # @everyone's deny hides the channel entirely: no permissions at all.
    assert world.channel_permissions(channel, outsider) == 0
    # The role's allow brings it back.
    inside = world.channel_permissions(channel, insider)
    assert inside & VIEW_CHANNEL and inside & SEND_MESSAGES and inside & READ_MESSAGE_HISTORY
    # The member's own overwrite wins over the role's allow.
    muted_perms = world.channel_permissions(channel, muted)
    assert muted_perms & VIEW_CHANNEL
    assert not muted_perms & SEND_MESSAGES


def test_member_allow_beats_everyone_deny(world: World) -> None:
    owner = world.add_user("owner")["id"]
    guild = world.add_guild("g", owner).id
    member = world.add_user("m")["id"]
    world.add_member(guild, member)
    channel = world.add_channel(guild, "c", GUILD_TEXT, permission_overwrites=[
        {"id": guild, "type": 0, "allow": "0", "deny": str(VIEW_CHANNEL)},
        {"id": member, "type": 1, "allow": str(VIEW_CHANNEL), "deny": "0"},
    ])["id"]
    assert world.channel_permissions(channel, member) & VIEW_CHANNEL


def test_role_deny_loses_to_another_roles_allow(world: World) -> None:
    # Discord ORs the allows of all a member's roles over the ORed denies.
    owner = world.add_user("owner")["id"]
    guild = world.add_guild("g", owner).id
    quiet = world.add_role(guild, "quiet")["id"]
    speaker = world.add_role(guild, "speaker")["id"]
    member = world.add_user("m")["id"]
    world.add_member(guild, member, role_ids=[quiet, speaker])
    channel = world.add_channel(guild, "c", GUILD_TEXT, permission_overwrites=[
        {"id": quiet, "type": 0, "allow": "0", "deny": str(SEND_MESSAGES)},
        {"id": speaker, "type": 0, "allow": str(SEND_MESSAGES), "deny": "0"},
    ])["id"]
    assert world.channel_permissions(channel, member) & SEND_MESSAGES


def test_administrator_and_owner_see_everything(world: World) -> None:
    owner = world.add_user("owner")["id"]
    guild = world.add_guild("g", owner).id
    admin_role = world.add_role(guild, "admins", ADMINISTRATOR)["id"]
    circle_role = world.add_role(guild, "circle")["id"]
    admin = world.add_user("admin")["id"]
    world.add_member(guild, admin, role_ids=[admin_role])
    world.add_member(guild, owner)
    channel = private_channel(world, guild, circle_role, admin, member_deny=VIEW_CHANNEL | SEND_MESSAGES)

    assert world.base_permissions(guild, admin) == ALL_PERMISSIONS
    assert world.channel_permissions(channel, admin) == ALL_PERMISSIONS
    assert world.base_permissions(guild, owner) == ALL_PERMISSIONS
    assert world.channel_permissions(channel, owner) == ALL_PERMISSIONS


def test_base_permissions(world: World) -> None:
    owner = world.add_user("owner")["id"]
    guild = world.add_guild("g", owner).id
    mods = world.add_role(guild, "mods", MANAGE_MESSAGES)["id"]
    member = world.add_user("m")["id"]
    world.add_member(guild, member, role_ids=[mods])
    stranger = world.add_user("not in the server")["id"]
    assert world.base_permissions(guild, member) == EVERYONE_DEFAULT | MANAGE_MESSAGES
    assert world.base_permissions(guild, stranger) == 0


def test_threads_follow_their_parent_channel(world: World) -> None:
    owner = world.add_user("owner")["id"]
    guild = world.add_guild("g", owner).id
    circle_role = world.add_role(guild, "circle")["id"]
    outsider = world.add_user("outsider")["id"]
    insider = world.add_user("insider")["id"]
    world.add_member(guild, outsider)
    world.add_member(guild, insider, role_ids=[circle_role])
    parent = private_channel(world, guild, circle_role, insider)
    thread = world.add_channel(guild, "story", PUBLIC_THREAD, parent_id=parent)["id"]
    assert world.channel_permissions(thread, outsider) == 0
    assert world.channel_permissions(thread, insider) == world.channel_permissions(parent, insider)


def test_top_role_position(world: World) -> None:
    owner = world.add_user("owner")["id"]
    guild = world.add_guild("g", owner).id
    low = world.add_role(guild, "low")
    high = world.add_role(guild, "high", position=10)
    # Each new role sits just above @everyone and pushes the others up, as on Discord.
    newest = world.add_role(guild, "newest")
    assert (newest["position"], low["position"], high["position"]) == (1, 2, 11)
    member = world.add_user("m")["id"]
    world.add_member(guild, member, role_ids=[low["id"], high["id"]])
    plain = world.add_user("plain")["id"]
    world.add_member(guild, plain)
    stranger = world.add_user("stranger")["id"]
    assert world.top_role_position(guild, member) == 11
    assert world.top_role_position(guild, plain) == 0
    assert world.top_role_position(guild, stranger) == -1
    # The bot's managed role sits above roles created after it.
    assert world.top_role_position(guild, world.bot_id) > world.top_role_position(guild, plain)


def test_snowflakes_are_unique_increasing_and_decode_to_now() -> None:
    ids = Snowflakes()
    before_ms = int(time.time() * 1000)
    values = [int(ids.next()) for _ in range(10_000)]
    after_ms = int(time.time() * 1000)
    assert len(set(values)) == len(values)
    assert all(a < b for a, b in itertools.pairwise(values))
    first_ms = (values[0] >> 22) + DISCORD_EPOCH_MS
    last_ms = (values[-1] >> 22) + DISCORD_EPOCH_MS
    assert before_ms <= first_ms <= last_ms <= after_ms + 1


def test_world_ids_never_repeat_across_kinds(world: World) -> None:
    owner = world.add_user("owner")["id"]
    guild = world.add_guild("g", owner).id
    made = [owner, guild, world.application_id]
    made += [world.add_role(guild, f"r{i}")["id"] for i in range(50)]
    made += [world.add_channel(guild, f"c{i}", GUILD_TEXT)["id"] for i in range(50)]
    made += [world.add_user(f"u{i}")["id"] for i in range(50)]
    assert len(set(made)) == len(made)
