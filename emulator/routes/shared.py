"""What the REST resources share: Discord's error answers, permission checks, and creating and echoing messages."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from emulator import state as S
from emulator.server import DiscordError, Request

if TYPE_CHECKING:
    from emulator.server import DiscordEmulator

EPHEMERAL = 1 << 6
LOADING = 1 << 7


def not_found(code: int, what: str) -> DiscordError:
    return DiscordError(404, code, f"Unknown {what}")


def missing_permissions() -> DiscordError:
    return DiscordError(403, 50013, "Missing Permissions")


def normal_overwrite(o: dict[str, Any]) -> dict[str, Any]:
    """Overwrites as Discord stores them: string ids and bit sets, whatever the request sent."""
    return {"id": str(o["id"]), "type": int(o.get("type", 0)), "allow": str(o.get("allow", 0) or 0),
            "deny": str(o.get("deny", 0) or 0)}


class Shared:
    """The helpers more than one resource's routes use, bound to one emulator's world and gateway."""

    def __init__(self, emu: DiscordEmulator) -> None:
        self.emu = emu
        self.world = emu.world
        self.dispatch = emu.gateway.dispatch

    # -- lookups -----------------------------------------------------------------------------

    def guild_of(self, req: Request) -> S.Guild:
        guild = self.world.guilds.get(req.params["guild_id"])
        if guild is None:
            raise not_found(10004, "Guild")
        return guild

    def channel_of(self, req: Request) -> dict[str, Any]:
        channel = self.world.channels.get(req.params["channel_id"])
        if channel is None:
            raise not_found(10003, "Channel")
        return channel

    def message_of(self, req: Request) -> dict[str, Any]:
        channel = self.channel_of(req)
        message = self.world.messages.get(channel["id"], {}).get(req.params["message_id"])
        # Ephemeral messages exist only for the interaction's webhook: channel routes don't know them.
        if message is None or int(message.get("flags") or 0) & EPHEMERAL:
            raise not_found(10008, "Message")
        return message

    # -- permission checks -------------------------------------------------------------------

    def require_guild_perm(self, guild_id: str, perm: int) -> None:
        if not self.world.base_permissions(guild_id, self.world.bot_id) & perm:
            raise missing_permissions()

    def require_channel_perm(self, channel_id: str, perm: int) -> None:
        world = self.world
        if world.channels[channel_id].get("guild_id") is None:
            return
        perms = world.channel_permissions(channel_id, world.bot_id)
        if not perms & S.VIEW_CHANNEL:
            raise DiscordError(403, 50001, "Missing Access")
        if perms & perm != perm:
            raise missing_permissions()

    def require_role_below_bot(self, guild_id: str, role_id: str) -> None:
        world = self.world
        guild = world.guilds[guild_id]
        if guild.data["owner_id"] == world.bot_id:
            return
        if guild.roles[role_id]["position"] >= world.top_role_position(guild_id, world.bot_id):
            raise missing_permissions()

    # -- messages ----------------------------------------------------------------------------

    def attachment(self, upload: dict[str, Any]) -> dict[str, Any]:
        """An uploaded file as a message attachment; its bytes are kept in ``world.uploads``."""
        world = self.world
        attachment_id = world.ids.next()
        world.uploads[attachment_id] = upload.get("data") or b""
        return {"id": attachment_id, "filename": upload.get("filename") or "file", "size": upload["size"],
                "url": f"https://cdn.invalid/attachments/{attachment_id}", "proxy_url": "https://cdn.invalid/x"}

    def new_message(self, channel_id: str, body: dict[str, Any], *, author: dict[str, Any] | None = None,
                    flags: int = 0, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        world = self.world
        channel = world.channels[channel_id]
        mentions = body.get("allowed_mentions")
        content = body.get("content") or ""
        everyone_allowed = mentions is None or "everyone" in (mentions.get("parse") or [])
        message: dict[str, Any] = {
            "id": world.ids.next(), "channel_id": channel_id, "author": dict(author or world.bot_user),
            "content": content, "timestamp": S.iso(), "edited_timestamp": None, "tts": bool(body.get("tts")),
            "mention_everyone": everyone_allowed and ("@everyone" in content or "@here" in content),
            "mentions": [], "mention_roles": [],
            "attachments": [self.attachment(f) for f in body.get("_files", [])],
            "embeds": copy.deepcopy(body.get("embeds") or []), "pinned": False, "type": 0,
            "flags": flags | int(body.get("flags") or 0), "components": copy.deepcopy(body.get("components") or []),
        }
        if channel.get("guild_id"):
            message["guild_id"] = channel["guild_id"]
        if body.get("nonce") is not None:
            message["nonce"] = body["nonce"]
        if extra:
            message.update(extra)
        world.messages.setdefault(channel_id, {})[message["id"]] = message
        channel["last_message_id"] = message["id"]
        return message

    async def echo_create(self, message: dict[str, Any]) -> None:
        if message["flags"] & EPHEMERAL:
            return
        world = self.world
        payload = copy.deepcopy(message)
        guild_id = payload.get("guild_id")
        if guild_id and payload["author"]["id"] in world.guilds[guild_id].members:
            member = world.member_payload(guild_id, payload["author"]["id"])
            member.pop("user", None)
            payload["member"] = member
        await self.dispatch("MESSAGE_CREATE", payload)

    async def echo_delete(self, message: dict[str, Any]) -> None:
        if message["flags"] & EPHEMERAL:
            return
        payload = {"id": message["id"], "channel_id": message["channel_id"]}
        if message.get("guild_id"):
            payload["guild_id"] = message["guild_id"]
        await self.dispatch("MESSAGE_DELETE", payload)

    def edit_message(self, message: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        for key in ("content", "embeds", "components", "flags", "attachments"):
            if key in body and body[key] is not None:
                message[key] = copy.deepcopy(body[key])
        message["flags"] = int(message.get("flags") or 0) & ~LOADING
        message["edited_timestamp"] = S.iso()
        return message
