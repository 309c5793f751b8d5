"""Users and the application: the bot's own user, its application, DM channels, user lookups and
the gateway's address (GET /gateway, /gateway/bot with the recommended shard count)."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from emulator import state as S
from emulator.routes.shared import not_found
from emulator.server import Request

if TYPE_CHECKING:
    from emulator.routes.shared import Shared
    from emulator.server import DiscordEmulator


def register(emu: DiscordEmulator, shared: Shared) -> None:
    world = shared.world
    route = emu.route

    @route("GET", "/users/@me")
    async def get_me(req: Request) -> Any:
        return dict(world.bot_user)

    @route("GET", "/gateway")
    async def get_gateway(req: Request) -> Any:
        return {"url": emu.gateway_url}

    @route("GET", "/gateway/bot")
    async def get_bot_gateway(req: Request) -> Any:
        # The shard count Discord recommends (one per 2,500 servers; a test sets the emulator's), and
        # a start budget that never runs out (no test waits out Discord's daily identify limit).
        return {"url": emu.gateway_url, "shards": emu.options.shard_count,
                "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}}

    @route("GET", "/oauth2/applications/@me")
    async def get_application(req: Request) -> Any:
        return copy.deepcopy(world.application)

    @route("GET", "/applications/@me")
    async def get_application2(req: Request) -> Any:
        return copy.deepcopy(world.application)

    @route("POST", "/users/@me/channels")
    async def open_dm(req: Request) -> Any:
        uid = str(req.json.get("recipient_id"))
        if uid not in world.users:
            raise not_found(10013, "User")
        cid = world.dm_channels.get(uid)
        if cid is None:
            channel = world.add_channel(None, None, S.DM, recipients=[dict(world.users[uid])], last_message_id=None)
            cid = world.dm_channels[uid] = channel["id"]
        return copy.deepcopy(world.channels[cid])

    @route("GET", "/users/{user_id}")
    async def get_user(req: Request) -> Any:
        user = world.users.get(req.params["user_id"])
        if user is None:
            raise not_found(10013, "User")
        return dict(user)
