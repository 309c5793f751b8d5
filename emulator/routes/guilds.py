"""Guilds: the guild itself, its channels, roles and members."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from emulator import state as S
from emulator.routes.shared import missing_permissions, normal_overwrite, not_found
from emulator.server import Request

if TYPE_CHECKING:
    from emulator.routes.shared import Shared
    from emulator.server import DiscordEmulator


def register(emu: DiscordEmulator, shared: Shared) -> None:
    world = shared.world
    route = emu.route
    dispatch = shared.dispatch

    @route("GET", "/guilds/{guild_id}")
    async def get_guild(req: Request) -> Any:
        guild = shared.guild_of(req)
        data = copy.deepcopy(guild.data)
        data["roles"] = [copy.deepcopy(r) for r in guild.roles.values()]
        return data

    @route("GET", "/guilds/{guild_id}/channels")
    async def get_guild_channels(req: Request) -> Any:
        guild = shared.guild_of(req)
        return [copy.deepcopy(world.channels[c]) for c in guild.channel_ids
                if world.channels[c]["type"] not in S.THREAD_TYPES]

    @route("POST", "/guilds/{guild_id}/channels")
    async def create_channel(req: Request) -> Any:
        guild = shared.guild_of(req)
        shared.require_guild_perm(guild.id, S.MANAGE_CHANNELS)
        body = req.json or {}
        overwrites = body.get("permission_overwrites") or []
        if overwrites and not world.base_permissions(guild.id, world.bot_id) & S.MANAGE_ROLES:
            raise missing_permissions()
        extra = {k: copy.deepcopy(body[k]) for k in ("topic", "nsfw", "user_limit", "bitrate",
                                                      "rate_limit_per_user", "available_tags") if k in body}
        channel = world.add_channel(guild.id, body["name"], int(body.get("type") or 0), **extra)
        if body.get("parent_id"):
            channel["parent_id"] = str(body["parent_id"])
        channel["permission_overwrites"] = [normal_overwrite(o) for o in overwrites]
        await dispatch("CHANNEL_CREATE", copy.deepcopy(channel))
        return copy.deepcopy(channel)

    def role_of(guild: S.Guild, req: Request) -> dict[str, Any]:
        role = guild.roles.get(req.params["role_id"])
        if role is None:
            raise not_found(10011, "Role")
        return role

    @route("GET", "/guilds/{guild_id}/roles")
    async def get_roles(req: Request) -> Any:
        return [copy.deepcopy(r) for r in shared.guild_of(req).roles.values()]

    @route("POST", "/guilds/{guild_id}/roles")
    async def create_role(req: Request) -> Any:
        guild = shared.guild_of(req)
        shared.require_guild_perm(guild.id, S.MANAGE_ROLES)
        body = req.json or {}
        perms = int(body.get("permissions") or 0)
        if perms & ~world.base_permissions(guild.id, world.bot_id):
            raise missing_permissions()
        role = world.add_role(guild.id, body.get("name") or "new role", perms)
        for key in ("color", "hoist", "mentionable"):
            if key in body and body[key] is not None:
                role[key] = body[key]
        await dispatch("GUILD_ROLE_CREATE", {"guild_id": guild.id, "role": copy.deepcopy(role)})
        return copy.deepcopy(role)

    @route("PATCH", "/guilds/{guild_id}/roles/{role_id}")
    async def edit_role(req: Request) -> Any:
        guild = shared.guild_of(req)
        role = role_of(guild, req)
        shared.require_guild_perm(guild.id, S.MANAGE_ROLES)
        shared.require_role_below_bot(guild.id, role["id"])
        for key in ("name", "color", "hoist", "mentionable", "permissions"):
            if key in (req.json or {}):
                role[key] = str(req.json[key]) if key == "permissions" else req.json[key]
        await dispatch("GUILD_ROLE_UPDATE", {"guild_id": guild.id, "role": copy.deepcopy(role)})
        return copy.deepcopy(role)

    @route("DELETE", "/guilds/{guild_id}/roles/{role_id}")
    async def delete_role(req: Request) -> Any:
        guild = shared.guild_of(req)
        role = role_of(guild, req)
        shared.require_guild_perm(guild.id, S.MANAGE_ROLES)
        shared.require_role_below_bot(guild.id, role["id"])
        del guild.roles[role["id"]]
        for member in guild.members.values():
            if role["id"] in member["roles"]:
                member["roles"].remove(role["id"])
        await dispatch("GUILD_ROLE_DELETE", {"guild_id": guild.id, "role_id": role["id"]})
        return None

    def member_of(guild: S.Guild, req: Request) -> dict[str, Any]:
        member = guild.members.get(req.params["user_id"])
        if member is None:
            raise not_found(10007, "Member")
        return member

    async def echo_member(guild: S.Guild, member: dict[str, Any]) -> None:
        payload = copy.deepcopy(member)
        payload["guild_id"] = guild.id
        await dispatch("GUILD_MEMBER_UPDATE", payload)

    @route("GET", "/guilds/{guild_id}/members/{user_id}")
    async def get_member(req: Request) -> Any:
        guild = shared.guild_of(req)
        return copy.deepcopy(member_of(guild, req))

    @route("GET", "/guilds/{guild_id}/members")
    async def list_members(req: Request) -> Any:
        guild = shared.guild_of(req)
        limit = int(req.query.get("limit", 1))
        after = int(req.query.get("after", 0))
        members = sorted(guild.members.values(), key=lambda m: int(m["user"]["id"]))
        return [copy.deepcopy(m) for m in members if int(m["user"]["id"]) > after][:limit]

    @route("PATCH", "/guilds/{guild_id}/members/{user_id}")
    async def edit_member(req: Request) -> Any:
        guild = shared.guild_of(req)
        member = member_of(guild, req)
        body = req.json or {}
        if "roles" in body:
            shared.require_guild_perm(guild.id, S.MANAGE_ROLES)
            changed = set(map(str, body["roles"])) ^ set(member["roles"])
            for rid in changed:
                if rid not in guild.roles:
                    raise not_found(10011, "Role")
                shared.require_role_below_bot(guild.id, rid)
            member["roles"] = [str(r) for r in body["roles"]]
        if "communication_disabled_until" in body:
            shared.require_guild_perm(guild.id, S.MODERATE_MEMBERS)
            # Discord: never the owner, an administrator, or anyone whose top role is not below the bot's.
            target = member["user"]["id"]
            if (guild.data["owner_id"] == target or world.base_permissions(guild.id, target) & S.ADMINISTRATOR
                    or world.top_role_position(guild.id, target) >= world.top_role_position(guild.id, world.bot_id)):
                raise missing_permissions()
            member["communication_disabled_until"] = body["communication_disabled_until"]
        if "nick" in body:
            member["nick"] = body["nick"]
        await echo_member(guild, member)
        return copy.deepcopy(member)

    @route("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}")
    async def add_member_role(req: Request) -> Any:
        guild = shared.guild_of(req)
        member = member_of(guild, req)
        role = role_of(guild, req)
        shared.require_guild_perm(guild.id, S.MANAGE_ROLES)
        shared.require_role_below_bot(guild.id, role["id"])
        if role["id"] not in member["roles"]:
            member["roles"].append(role["id"])
            await echo_member(guild, member)
        return None

    @route("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}")
    async def remove_member_role(req: Request) -> Any:
        guild = shared.guild_of(req)
        member = member_of(guild, req)
        role = role_of(guild, req)
        shared.require_guild_perm(guild.id, S.MANAGE_ROLES)
        shared.require_role_below_bot(guild.id, role["id"])
        if role["id"] in member["roles"]:
            member["roles"].remove(role["id"])
            await echo_member(guild, member)
        return None
