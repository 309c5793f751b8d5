"""Application commands: syncing and reading global and guild command lists."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from emulator.server import Request

if TYPE_CHECKING:
    from emulator.routes.shared import Shared
    from emulator.server import DiscordEmulator


def register(emu: DiscordEmulator, shared: Shared) -> None:
    world = shared.world
    route = emu.route

    def store_commands(scope: str | None, body: list[dict[str, Any]]) -> list[dict[str, Any]]:
        existing = {c["name"]: c for c in world.commands.get(scope, [])}
        stored = []
        for cmd in body:
            cmd = copy.deepcopy(cmd)
            old = existing.get(cmd["name"])
            cmd["id"] = old["id"] if old else world.ids.next()
            cmd["application_id"] = world.application_id
            cmd["version"] = world.ids.next()
            cmd.setdefault("type", 1)
            cmd.setdefault("description", "")
            cmd.setdefault("default_member_permissions", None)
            cmd.setdefault("nsfw", False)
            if scope is not None:
                cmd["guild_id"] = scope
            stored.append(cmd)
        world.commands[scope] = stored
        return copy.deepcopy(stored)

    @route("PUT", "/applications/{application_id}/commands")
    async def sync_global(req: Request) -> Any:
        return store_commands(None, req.json or [])

    @route("GET", "/applications/{application_id}/commands")
    async def get_global(req: Request) -> Any:
        return copy.deepcopy(world.commands.get(None, []))

    @route("PUT", "/applications/{application_id}/guilds/{guild_id}/commands")
    async def sync_guild(req: Request) -> Any:
        shared.guild_of(req)
        return store_commands(req.params["guild_id"], req.json or [])

    @route("GET", "/applications/{application_id}/guilds/{guild_id}/commands")
    async def get_guild_commands(req: Request) -> Any:
        return copy.deepcopy(world.commands.get(req.params["guild_id"], []))
