"""Channels and messages: channel edits, overwrites and deletion; sending, listing, editing and deleting messages."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from emulator import state as S
from emulator.routes.shared import EPHEMERAL, missing_permissions, normal_overwrite
from emulator.server import DiscordError, Request

if TYPE_CHECKING:
    from emulator.routes.shared import Shared
    from emulator.server import DiscordEmulator

# How long Discord remembers a message nonce for enforce_nonce ("the past few minutes").
NONCE_MEMORY_SECONDS = 300


def register(emu: DiscordEmulator, shared: Shared) -> None:
    world = shared.world
    route = emu.route
    dispatch = shared.dispatch

    @route("GET", "/channels/{channel_id}")
    async def get_channel(req: Request) -> Any:
        return copy.deepcopy(shared.channel_of(req))

    @route("PATCH", "/channels/{channel_id}")
    async def edit_channel(req: Request) -> Any:
        channel = shared.channel_of(req)
        body = req.json or {}
        if channel["type"] in S.THREAD_TYPES:
            shared.require_channel_perm(channel["parent_id"], S.MANAGE_THREADS)
            meta = channel.setdefault("thread_metadata", {})
            for key in ("archived", "locked", "auto_archive_duration", "invitable"):
                if key in body:
                    meta[key] = body[key]
            if "name" in body:
                channel["name"] = body["name"]
        else:
            shared.require_channel_perm(channel["id"], S.MANAGE_CHANNELS)
            for key in ("name", "topic", "parent_id", "position", "nsfw", "user_limit", "bitrate",
                        "rate_limit_per_user", "permission_overwrites"):
                if key in body:
                    channel[key] = copy.deepcopy(body[key])
            channel["permission_overwrites"] = [normal_overwrite(o) for o in channel.get("permission_overwrites", [])]
        event = "THREAD_UPDATE" if channel["type"] in S.THREAD_TYPES else "CHANNEL_UPDATE"
        await dispatch(event, copy.deepcopy(channel))
        return copy.deepcopy(channel)

    @route("DELETE", "/channels/{channel_id}")
    async def delete_channel(req: Request) -> Any:
        channel = shared.channel_of(req)
        if channel.get("guild_id"):
            shared.require_channel_perm(channel["id"], S.MANAGE_CHANNELS)
            world.guilds[channel["guild_id"]].channel_ids.remove(channel["id"])
        del world.channels[channel["id"]]
        event = "THREAD_DELETE" if channel["type"] in S.THREAD_TYPES else "CHANNEL_DELETE"
        await dispatch(event, copy.deepcopy(channel))
        return copy.deepcopy(channel)

    @route("PUT", "/channels/{channel_id}/permissions/{overwrite_id}")
    async def put_overwrite(req: Request) -> Any:
        channel = shared.channel_of(req)
        shared.require_channel_perm(channel["id"], S.MANAGE_ROLES)
        body = req.json or {}
        oid = req.params["overwrite_id"]
        overwrites = [o for o in channel["permission_overwrites"] if o["id"] != oid]
        overwrites.append(normal_overwrite({**body, "id": oid}))
        channel["permission_overwrites"] = overwrites
        await dispatch("CHANNEL_UPDATE", copy.deepcopy(channel))
        return None

    @route("DELETE", "/channels/{channel_id}/permissions/{overwrite_id}")
    async def delete_overwrite(req: Request) -> Any:
        channel = shared.channel_of(req)
        shared.require_channel_perm(channel["id"], S.MANAGE_ROLES)
        channel["permission_overwrites"] = [o for o in channel["permission_overwrites"]
                                            if o["id"] != req.params["overwrite_id"]]
        await dispatch("CHANNEL_UPDATE", copy.deepcopy(channel))
        return None

    @route("GET", "/channels/{channel_id}/messages")
    async def list_messages(req: Request) -> Any:
        channel = shared.channel_of(req)
        shared.require_channel_perm(channel["id"], S.READ_MESSAGE_HISTORY)
        limit = int(req.query.get("limit", 50))
        messages = sorted((m for m in world.messages.get(channel["id"], {}).values()
                           if not int(m.get("flags") or 0) & EPHEMERAL), key=lambda m: int(m["id"]), reverse=True)
        return copy.deepcopy(messages[:limit])

    @route("POST", "/channels/{channel_id}/messages")
    async def send_message(req: Request) -> Any:
        channel = shared.channel_of(req)
        if channel["type"] == S.DM:
            recipient = channel["recipients"][0]["id"]
            if recipient in world.dms_closed or world.users[recipient].get("bot"):
                raise DiscordError(403, 50007, "Cannot send messages to this user")
        elif channel["type"] in S.THREAD_TYPES:
            if channel.get("thread_metadata", {}).get("locked"):
                raise missing_permissions()
            shared.require_channel_perm(channel["id"], S.SEND_MESSAGES_IN_THREADS)
        else:
            if channel["type"] in (S.GUILD_CATEGORY, S.GUILD_FORUM):
                raise DiscordError(400, 50008, "Cannot send messages in a non-text channel")
            shared.require_channel_perm(channel["id"], S.SEND_MESSAGES)
        body = dict(req.json or {})
        if not (body.get("content") or body.get("embeds") or body.get("components") or req.files
                or body.get("sticker_ids")):
            raise DiscordError(400, 50006, "Cannot send an empty message")
        body["_files"] = req.files
        nonce_key = (channel["id"], str(body.get("nonce")))
        if body.get("enforce_nonce") and body.get("nonce") is not None:
            # Discord: the same author and nonce within a few minutes returns the first message.
            seen = world.nonces.get(nonce_key)
            if seen is not None and (emu.now() - seen[1]).total_seconds() < NONCE_MEMORY_SECONDS:
                existing = world.messages.get(channel["id"], {}).get(seen[0])
                if existing is not None:
                    return copy.deepcopy(existing)
        message = shared.new_message(channel["id"], body)
        if body.get("nonce") is not None:
            world.nonces[nonce_key] = (message["id"], emu.now())
        await shared.echo_create(message)
        return copy.deepcopy(message)

    @route("GET", "/channels/{channel_id}/messages/{message_id}")
    async def get_message(req: Request) -> Any:
        return copy.deepcopy(shared.message_of(req))

    @route("PATCH", "/channels/{channel_id}/messages/{message_id}")
    async def patch_message(req: Request) -> Any:
        message = shared.message_of(req)
        if message["author"]["id"] != world.bot_id:
            raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
        shared.edit_message(message, req.json or {})
        await dispatch("MESSAGE_UPDATE", copy.deepcopy(message))
        return copy.deepcopy(message)

    @route("DELETE", "/channels/{channel_id}/messages/{message_id}")
    async def delete_message(req: Request) -> Any:
        message = shared.message_of(req)
        if message["author"]["id"] != world.bot_id:
            shared.require_channel_perm(message["channel_id"], S.MANAGE_MESSAGES)
        del world.messages[message["channel_id"]][message["id"]]
        await shared.echo_delete(message)
        return None

    @route("POST", "/channels/{channel_id}/typing")
    async def typing(req: Request) -> Any:
        shared.channel_of(req)
        return None
