"""REST v10 handlers: users, commands, interactions, channels, messages, threads, guilds, events.

Each handler changes the world as Discord would, answers with the stored object and echoes the
gateway event Discord sends (the client's cache is updated by those events, not by REST answers).
Permission checks follow Discord's rules closely enough to produce its 403 / 50013 answers.
"""

from __future__ import annotations

import copy
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from emulator import state as S
from emulator.interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    InteractionRecord,
)
from emulator.server import DiscordError, Request

if TYPE_CHECKING:
    from emulator.server import DiscordEmulator

EPHEMERAL = 1 << 6
# How long Discord remembers a message nonce for enforce_nonce ("the past few minutes").
NONCE_MEMORY_SECONDS = 300
LOADING = 1 << 7
# Which callback types Discord accepts for each interaction type (4/5 message, 6/7 update, 8 choices, 9 modal).
CALLBACK_TYPES_ALLOWED: dict[int, tuple[int, ...]] = {
    APPLICATION_COMMAND: (4, 5, 9),
    MESSAGE_COMPONENT: (4, 5, 6, 7, 9),
    AUTOCOMPLETE: (8,),
    MODAL_SUBMIT: (4, 5, 6, 7),
}


def not_found(code: int, what: str) -> DiscordError:
    return DiscordError(404, code, f"Unknown {what}")


def missing_permissions() -> DiscordError:
    return DiscordError(403, 50013, "Missing Permissions")


def normal_overwrite(o: dict[str, Any]) -> dict[str, Any]:
    """Overwrites as Discord stores them: string ids and bit sets, whatever the request sent."""
    return {"id": str(o["id"]), "type": int(o.get("type", 0)), "allow": str(o.get("allow", 0) or 0),
            "deny": str(o.get("deny", 0) or 0)}


def register_routes(emu: DiscordEmulator) -> None:
    world = emu.world
    route = emu.route
    dispatch = emu.gateway.dispatch

    def guild_of(req: Request) -> S.Guild:
        guild = world.guilds.get(req.params["guild_id"])
        if guild is None:
            raise not_found(10004, "Guild")
        return guild

    def channel_of(req: Request) -> dict[str, Any]:
        channel = world.channels.get(req.params["channel_id"])
        if channel is None:
            raise not_found(10003, "Channel")
        return channel

    def require_guild_perm(guild_id: str, perm: int) -> None:
        if not world.base_permissions(guild_id, world.bot_id) & perm:
            raise missing_permissions()

    def require_channel_perm(channel_id: str, perm: int) -> None:
        if world.channels[channel_id].get("guild_id") is None:
            return
        perms = world.channel_permissions(channel_id, world.bot_id)
        if not perms & S.VIEW_CHANNEL:
            raise DiscordError(403, 50001, "Missing Access")
        if perms & perm != perm:
            raise missing_permissions()

    def require_role_below_bot(guild_id: str, role_id: str) -> None:
        guild = world.guilds[guild_id]
        if guild.data["owner_id"] == world.bot_id:
            return
        if guild.roles[role_id]["position"] >= world.top_role_position(guild_id, world.bot_id):
            raise missing_permissions()

    # -- users and application -------------------------------------------------------------

    @route("GET", "/users/@me")
    async def get_me(req: Request) -> Any:
        return dict(world.bot_user)

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

    # -- application commands ----------------------------------------------------------------

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
        guild_of(req)
        return store_commands(req.params["guild_id"], req.json or [])

    @route("GET", "/applications/{application_id}/guilds/{guild_id}/commands")
    async def get_guild_commands(req: Request) -> Any:
        return copy.deepcopy(world.commands.get(req.params["guild_id"], []))

    # -- interactions --------------------------------------------------------------------------

    def interaction(req: Request, key: str = "webhook_token") -> InteractionRecord:
        record = emu.interactions.get(req.params[key])
        if record is None:
            # Discord: an unknown callback token is an unknown interaction, a webhook one an unknown webhook.
            raise not_found(10062, "interaction") if key == "interaction_token" else not_found(10015, "Webhook")
        return record

    def attachment(upload: dict[str, Any]) -> dict[str, Any]:
        """An uploaded file as a message attachment; its bytes are kept in ``world.uploads``."""
        attachment_id = world.ids.next()
        world.uploads[attachment_id] = upload.get("data") or b""
        return {"id": attachment_id, "filename": upload.get("filename") or "file", "size": upload["size"],
                "url": f"https://cdn.invalid/attachments/{attachment_id}", "proxy_url": "https://cdn.invalid/x"}

    def new_message(channel_id: str, body: dict[str, Any], *, author: dict[str, Any] | None = None,
                    flags: int = 0, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        channel = world.channels[channel_id]
        mentions = body.get("allowed_mentions")
        content = body.get("content") or ""
        everyone_allowed = mentions is None or "everyone" in (mentions.get("parse") or [])
        message: dict[str, Any] = {
            "id": world.ids.next(), "channel_id": channel_id, "author": dict(author or world.bot_user),
            "content": content, "timestamp": S.iso(), "edited_timestamp": None, "tts": bool(body.get("tts")),
            "mention_everyone": everyone_allowed and ("@everyone" in content or "@here" in content),
            "mentions": [], "mention_roles": [], "attachments": [attachment(f) for f in body.get("_files", [])],
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

    async def echo_create(message: dict[str, Any]) -> None:
        if message["flags"] & EPHEMERAL:
            return
        payload = copy.deepcopy(message)
        guild_id = payload.get("guild_id")
        if guild_id and payload["author"]["id"] in world.guilds[guild_id].members:
            member = world.member_payload(guild_id, payload["author"]["id"])
            member.pop("user", None)
            payload["member"] = member
        await dispatch("MESSAGE_CREATE", payload)

    async def echo_delete(message: dict[str, Any]) -> None:
        if message["flags"] & EPHEMERAL:
            return
        payload = {"id": message["id"], "channel_id": message["channel_id"]}
        if message.get("guild_id"):
            payload["guild_id"] = message["guild_id"]
        await dispatch("MESSAGE_DELETE", payload)

    def edit_message(message: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        for key in ("content", "embeds", "components", "flags", "attachments"):
            if key in body and body[key] is not None:
                message[key] = copy.deepcopy(body[key])
        message["flags"] = int(message.get("flags") or 0) & ~LOADING
        message["edited_timestamp"] = S.iso()
        return message

    @route("POST", "/interactions/{interaction_id}/{interaction_token}/callback", webhook=True)
    async def callback(req: Request) -> Any:
        record = interaction(req, "interaction_token")
        if record.responded:
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        body = req.json or {}
        kind = body.get("type")
        if kind not in CALLBACK_TYPES_ALLOWED.get(record.type, ()):
            # e.g. a message answer to autocomplete, or a modal answering a modal: Discord refuses.
            raise DiscordError(400, 50035, "Invalid Form Body", {"errors": {"type": {"_errors": [
                {"code": "INTERACTION_CALLBACK_TYPE_INVALID",
                 "message": f"Callback type {kind} is not valid for interaction type {record.type}."}]}}})
        data = body.get("data") or {}
        record.responded = True
        record.responded_at = time.monotonic()
        record.response_type = kind
        resource: dict[str, Any] | None = None
        message_id = None
        ephemeral = bool(int(data.get("flags") or 0) & EPHEMERAL)
        if kind in (4, 5):
            flags = LOADING if kind == 5 else 0
            message = new_message(record.channel_id, data, flags=flags, extra={
                "interaction_metadata": {"id": record.id, "type": record.type, "user": record.user,
                                         "authorizing_integration_owners": {}},
                "application_id": world.application_id, "webhook_id": world.application_id,
            })
            record.original_id = message["id"]
            message_id = message["id"]
            resource = {"type": kind, "message": copy.deepcopy(message)}
            await echo_create(message)
        elif kind in (6, 7):
            if record.message_id is None or record.message_channel_id is None:
                raise DiscordError(400, 50035, "Invalid Form Body")
            message = world.messages[record.message_channel_id][record.message_id]
            if kind == 7:
                edit_message(message, data)
                await dispatch("MESSAGE_UPDATE", copy.deepcopy(message)) if not message["flags"] & EPHEMERAL \
                    else None
            record.original_id = message["id"]
            message_id = message["id"]
            if kind == 7:
                resource = {"type": kind, "message": copy.deepcopy(message)}
        elif kind == 8:
            record.choices = data.get("choices", [])
        elif kind == 9:
            record.modal = copy.deepcopy(data)
        answer: dict[str, Any] = {"interaction": {
            "id": record.id, "type": record.type, "response_message_id": message_id,
            "response_message_loading": kind == 5, "response_message_ephemeral": ephemeral,
        }}
        if resource is not None:
            answer["resource"] = resource
        return answer

    def webhook_message(req: Request, record: InteractionRecord) -> dict[str, Any]:
        mid = req.params.get("message_id", "@original")
        if mid == "@original":
            if record.original_id is None:
                raise not_found(10008, "Message")
            mid = record.original_id
        for channel_id in (record.channel_id, record.message_channel_id):
            if channel_id and mid in world.messages.get(channel_id, {}):
                return world.messages[channel_id][mid]
        raise not_found(10008, "Message")

    @route("GET", "/webhooks/{application_id}/{webhook_token}/messages/@original", webhook=True)
    async def get_original(req: Request) -> Any:
        return copy.deepcopy(webhook_message(req, interaction(req)))

    @route("PATCH", "/webhooks/{application_id}/{webhook_token}/messages/@original", webhook=True)
    async def edit_original(req: Request) -> Any:
        record = interaction(req)
        message = edit_message(webhook_message(req, record), req.json or {})
        record.edits += 1
        if not message["flags"] & EPHEMERAL:
            await dispatch("MESSAGE_UPDATE", copy.deepcopy(message))
        return copy.deepcopy(message)

    @route("DELETE", "/webhooks/{application_id}/{webhook_token}/messages/@original", webhook=True)
    async def delete_original(req: Request) -> Any:
        message = webhook_message(req, interaction(req))
        world.messages[message["channel_id"]].pop(message["id"], None)
        message["deleted"] = True
        await echo_delete(message)
        return None

    @route("POST", "/webhooks/{application_id}/{webhook_token}", webhook=True)
    async def followup(req: Request) -> Any:
        record = interaction(req)
        if not record.responded:
            raise DiscordError(400, 10062, "Unknown interaction")
        body = req.json or {}
        message = new_message(record.channel_id, {**body, "_files": req.files},
                              extra={"webhook_id": world.application_id, "application_id": world.application_id})
        record.followup_ids.append(message["id"])
        await echo_create(message)
        return copy.deepcopy(message)

    @route("GET", "/webhooks/{application_id}/{webhook_token}/messages/{message_id}", webhook=True)
    async def get_followup(req: Request) -> Any:
        return copy.deepcopy(webhook_message(req, interaction(req)))

    @route("PATCH", "/webhooks/{application_id}/{webhook_token}/messages/{message_id}", webhook=True)
    async def edit_followup(req: Request) -> Any:
        message = edit_message(webhook_message(req, interaction(req)), req.json or {})
        if not message["flags"] & EPHEMERAL:
            await dispatch("MESSAGE_UPDATE", copy.deepcopy(message))
        return copy.deepcopy(message)

    @route("DELETE", "/webhooks/{application_id}/{webhook_token}/messages/{message_id}", webhook=True)
    async def delete_followup(req: Request) -> Any:
        message = webhook_message(req, interaction(req))
        world.messages[message["channel_id"]].pop(message["id"], None)
        await echo_delete(message)
        return None

    # -- channels and messages -----------------------------------------------------------------

    @route("GET", "/channels/{channel_id}")
    async def get_channel(req: Request) -> Any:
        return copy.deepcopy(channel_of(req))

    @route("PATCH", "/channels/{channel_id}")
    async def edit_channel(req: Request) -> Any:
        channel = channel_of(req)
        body = req.json or {}
        if channel["type"] in S.THREAD_TYPES:
            require_channel_perm(channel["parent_id"], S.MANAGE_THREADS)
            meta = channel.setdefault("thread_metadata", {})
            for key in ("archived", "locked", "auto_archive_duration", "invitable"):
                if key in body:
                    meta[key] = body[key]
            if "name" in body:
                channel["name"] = body["name"]
        else:
            require_channel_perm(channel["id"], S.MANAGE_CHANNELS)
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
        channel = channel_of(req)
        if channel.get("guild_id"):
            require_channel_perm(channel["id"], S.MANAGE_CHANNELS)
            world.guilds[channel["guild_id"]].channel_ids.remove(channel["id"])
        del world.channels[channel["id"]]
        event = "THREAD_DELETE" if channel["type"] in S.THREAD_TYPES else "CHANNEL_DELETE"
        await dispatch(event, copy.deepcopy(channel))
        return copy.deepcopy(channel)

    @route("PUT", "/channels/{channel_id}/permissions/{overwrite_id}")
    async def put_overwrite(req: Request) -> Any:
        channel = channel_of(req)
        require_channel_perm(channel["id"], S.MANAGE_ROLES)
        body = req.json or {}
        oid = req.params["overwrite_id"]
        overwrites = [o for o in channel["permission_overwrites"] if o["id"] != oid]
        overwrites.append(normal_overwrite({**body, "id": oid}))
        channel["permission_overwrites"] = overwrites
        await dispatch("CHANNEL_UPDATE", copy.deepcopy(channel))
        return None

    @route("DELETE", "/channels/{channel_id}/permissions/{overwrite_id}")
    async def delete_overwrite(req: Request) -> Any:
        channel = channel_of(req)
        require_channel_perm(channel["id"], S.MANAGE_ROLES)
        channel["permission_overwrites"] = [o for o in channel["permission_overwrites"]
                                            if o["id"] != req.params["overwrite_id"]]
        await dispatch("CHANNEL_UPDATE", copy.deepcopy(channel))
        return None

    @route("GET", "/channels/{channel_id}/messages")
    async def list_messages(req: Request) -> Any:
        channel = channel_of(req)
        require_channel_perm(channel["id"], S.READ_MESSAGE_HISTORY)
        limit = int(req.query.get("limit", 50))
        messages = sorted((m for m in world.messages.get(channel["id"], {}).values()
                           if not int(m.get("flags") or 0) & EPHEMERAL), key=lambda m: int(m["id"]), reverse=True)
        return copy.deepcopy(messages[:limit])

    @route("POST", "/channels/{channel_id}/messages")
    async def send_message(req: Request) -> Any:
        channel = channel_of(req)
        if channel["type"] == S.DM:
            recipient = channel["recipients"][0]["id"]
            if recipient in world.dms_closed or world.users[recipient].get("bot"):
                raise DiscordError(403, 50007, "Cannot send messages to this user")
        elif channel["type"] in S.THREAD_TYPES:
            if channel.get("thread_metadata", {}).get("locked"):
                raise missing_permissions()
            require_channel_perm(channel["id"], S.SEND_MESSAGES_IN_THREADS)
        else:
            if channel["type"] in (S.GUILD_CATEGORY, S.GUILD_FORUM):
                raise DiscordError(400, 50008, "Cannot send messages in a non-text channel")
            require_channel_perm(channel["id"], S.SEND_MESSAGES)
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
        message = new_message(channel["id"], body)
        if body.get("nonce") is not None:
            world.nonces[nonce_key] = (message["id"], emu.now())
        await echo_create(message)
        return copy.deepcopy(message)

    def message_of(req: Request) -> dict[str, Any]:
        channel = channel_of(req)
        message = world.messages.get(channel["id"], {}).get(req.params["message_id"])
        # Ephemeral messages exist only for the interaction's webhook: channel routes don't know them.
        if message is None or int(message.get("flags") or 0) & EPHEMERAL:
            raise not_found(10008, "Message")
        return message

    @route("GET", "/channels/{channel_id}/messages/{message_id}")
    async def get_message(req: Request) -> Any:
        return copy.deepcopy(message_of(req))

    @route("PATCH", "/channels/{channel_id}/messages/{message_id}")
    async def patch_message(req: Request) -> Any:
        message = message_of(req)
        if message["author"]["id"] != world.bot_id:
            raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
        edit_message(message, req.json or {})
        await dispatch("MESSAGE_UPDATE", copy.deepcopy(message))
        return copy.deepcopy(message)

    @route("DELETE", "/channels/{channel_id}/messages/{message_id}")
    async def delete_message(req: Request) -> Any:
        message = message_of(req)
        if message["author"]["id"] != world.bot_id:
            require_channel_perm(message["channel_id"], S.MANAGE_MESSAGES)
        del world.messages[message["channel_id"]][message["id"]]
        await echo_delete(message)
        return None

    @route("POST", "/channels/{channel_id}/typing")
    async def typing(req: Request) -> Any:
        channel_of(req)
        return None

    # -- threads -----------------------------------------------------------------------------

    async def create_thread(parent: dict[str, Any], name: str, type_: int, body: dict[str, Any],
                            starter: str | None = None) -> dict[str, Any]:
        thread = world.add_channel(parent["guild_id"], name, type_, parent_id=parent["id"],
                                   owner_id=world.bot_id, member_count=1, message_count=0,
                                   total_message_sent=0, applied_tags=body.get("applied_tags", []),
                                   thread_metadata={"archived": False, "locked": False,
                                                    "auto_archive_duration": body.get("auto_archive_duration", 4320),
                                                    "archive_timestamp": S.iso(),
                                                    "invitable": body.get("invitable", True)})
        thread.pop("permission_overwrites", None)
        world.thread_members[thread["id"]] = {world.bot_id}
        payload = copy.deepcopy(thread)
        payload["newly_created"] = True
        await dispatch("THREAD_CREATE", payload)
        return thread

    @route("POST", "/channels/{channel_id}/threads")
    async def start_thread(req: Request) -> Any:
        parent = channel_of(req)
        body = req.json or {}
        if parent["type"] == S.GUILD_FORUM:
            require_channel_perm(parent["id"], S.SEND_MESSAGES)
            thread = await create_thread(parent, body["name"], S.PUBLIC_THREAD, body)
            message = new_message(thread["id"], {**(body.get("message") or {}), "_files": req.files})
            message["id"] = thread["id"]  # a forum post's starter message shares the thread's id
            world.messages[thread["id"]] = {message["id"]: message}
            await echo_create(message)
            return {**copy.deepcopy(thread), "message": copy.deepcopy(message)}
        type_ = int(body.get("type") or S.PRIVATE_THREAD)
        need = S.CREATE_PRIVATE_THREADS if type_ == S.PRIVATE_THREAD else S.CREATE_PUBLIC_THREADS
        require_channel_perm(parent["id"], need)
        return copy.deepcopy(await create_thread(parent, body["name"], type_, body))

    @route("POST", "/channels/{channel_id}/messages/{message_id}/threads")
    async def start_thread_from_message(req: Request) -> Any:
        message = message_of(req)
        parent = world.channels[message["channel_id"]]
        require_channel_perm(parent["id"], S.CREATE_PUBLIC_THREADS)
        body = req.json or {}
        thread = await create_thread(parent, body["name"], S.PUBLIC_THREAD, body, starter=message["id"])
        message["thread"] = copy.deepcopy(thread)
        return copy.deepcopy(thread)

    @route("PUT", "/channels/{channel_id}/thread-members/{user_id}")
    async def add_thread_member(req: Request) -> Any:
        thread = channel_of(req)
        if thread["type"] not in S.THREAD_TYPES:
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        uid = req.params["user_id"]
        if uid not in world.guilds[thread["guild_id"]].members:
            raise not_found(10007, "Member")
        members = world.thread_members.setdefault(thread["id"], set())
        if uid not in members:
            members.add(uid)
            await echo_thread_members(thread, added=(uid,))
        return None

    @route("DELETE", "/channels/{channel_id}/thread-members/{user_id}")
    async def remove_thread_member(req: Request) -> Any:
        thread = channel_of(req)
        members = world.thread_members.setdefault(thread["id"], set())
        uid = req.params["user_id"]
        if uid in members:
            members.discard(uid)
            await echo_thread_members(thread, removed=(uid,))
        return None

    async def echo_thread_members(thread: dict[str, Any], added: tuple[str, ...] = (),
                                  removed: tuple[str, ...] = ()) -> None:
        guild_id = thread["guild_id"]
        members = world.thread_members[thread["id"]]
        thread["member_count"] = len(members)
        await dispatch("THREAD_MEMBERS_UPDATE", {
            "id": thread["id"], "guild_id": guild_id, "member_count": len(members),
            "added_members": [{"id": thread["id"], "user_id": uid, "join_timestamp": S.iso(), "flags": 0,
                               "member": world.member_payload(guild_id, uid)} for uid in added],
            "removed_member_ids": list(removed),
        })

    # -- guilds, channels, roles, members ----------------------------------------------------------

    @route("GET", "/guilds/{guild_id}")
    async def get_guild(req: Request) -> Any:
        guild = guild_of(req)
        data = copy.deepcopy(guild.data)
        data["roles"] = [copy.deepcopy(r) for r in guild.roles.values()]
        return data

    @route("GET", "/guilds/{guild_id}/channels")
    async def get_guild_channels(req: Request) -> Any:
        guild = guild_of(req)
        return [copy.deepcopy(world.channels[c]) for c in guild.channel_ids
                if world.channels[c]["type"] not in S.THREAD_TYPES]

    @route("POST", "/guilds/{guild_id}/channels")
    async def create_channel(req: Request) -> Any:
        guild = guild_of(req)
        require_guild_perm(guild.id, S.MANAGE_CHANNELS)
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
        return [copy.deepcopy(r) for r in guild_of(req).roles.values()]

    @route("POST", "/guilds/{guild_id}/roles")
    async def create_role(req: Request) -> Any:
        guild = guild_of(req)
        require_guild_perm(guild.id, S.MANAGE_ROLES)
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
        guild = guild_of(req)
        role = role_of(guild, req)
        require_guild_perm(guild.id, S.MANAGE_ROLES)
        require_role_below_bot(guild.id, role["id"])
        for key in ("name", "color", "hoist", "mentionable", "permissions"):
            if key in (req.json or {}):
                role[key] = str(req.json[key]) if key == "permissions" else req.json[key]
        await dispatch("GUILD_ROLE_UPDATE", {"guild_id": guild.id, "role": copy.deepcopy(role)})
        return copy.deepcopy(role)

    @route("DELETE", "/guilds/{guild_id}/roles/{role_id}")
    async def delete_role(req: Request) -> Any:
        guild = guild_of(req)
        role = role_of(guild, req)
        require_guild_perm(guild.id, S.MANAGE_ROLES)
        require_role_below_bot(guild.id, role["id"])
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
        guild = guild_of(req)
        return copy.deepcopy(member_of(guild, req))

    @route("GET", "/guilds/{guild_id}/members")
    async def list_members(req: Request) -> Any:
        guild = guild_of(req)
        limit = int(req.query.get("limit", 1))
        after = int(req.query.get("after", 0))
        members = sorted(guild.members.values(), key=lambda m: int(m["user"]["id"]))
        return [copy.deepcopy(m) for m in members if int(m["user"]["id"]) > after][:limit]

    @route("PATCH", "/guilds/{guild_id}/members/{user_id}")
    async def edit_member(req: Request) -> Any:
        guild = guild_of(req)
        member = member_of(guild, req)
        body = req.json or {}
        if "roles" in body:
            require_guild_perm(guild.id, S.MANAGE_ROLES)
            changed = set(map(str, body["roles"])) ^ set(member["roles"])
            for rid in changed:
                if rid not in guild.roles:
                    raise not_found(10011, "Role")
                require_role_below_bot(guild.id, rid)
            member["roles"] = [str(r) for r in body["roles"]]
        if "communication_disabled_until" in body:
            require_guild_perm(guild.id, S.MODERATE_MEMBERS)
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
        guild = guild_of(req)
        member = member_of(guild, req)
        role = role_of(guild, req)
        require_guild_perm(guild.id, S.MANAGE_ROLES)
        require_role_below_bot(guild.id, role["id"])
        if role["id"] not in member["roles"]:
            member["roles"].append(role["id"])
            await echo_member(guild, member)
        return None

    @route("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}")
    async def remove_member_role(req: Request) -> Any:
        guild = guild_of(req)
        member = member_of(guild, req)
        role = role_of(guild, req)
        require_guild_perm(guild.id, S.MANAGE_ROLES)
        require_role_below_bot(guild.id, role["id"])
        if role["id"] in member["roles"]:
            member["roles"].remove(role["id"])
            await echo_member(guild, member)
        return None

    # -- scheduled events ----------------------------------------------------------------------

    def event_of(guild: S.Guild, req: Request) -> dict[str, Any]:
        event = guild.scheduled_events.get(req.params["event_id"])
        if event is None:
            raise not_found(10070, "Guild Scheduled Event")
        return event

    @route("GET", "/guilds/{guild_id}/scheduled-events")
    async def list_events(req: Request) -> Any:
        return [copy.deepcopy(e) for e in guild_of(req).scheduled_events.values()]

    @route("POST", "/guilds/{guild_id}/scheduled-events")
    async def create_event(req: Request) -> Any:
        guild = guild_of(req)
        body = req.json or {}
        channel_id = str(body["channel_id"]) if body.get("channel_id") is not None else None
        if channel_id is not None:
            if channel_id not in world.channels:
                raise not_found(10003, "Channel")
            require_channel_perm(channel_id, S.MANAGE_EVENTS)
        else:
            require_guild_perm(guild.id, S.MANAGE_EVENTS)
        start = datetime.fromisoformat(body["scheduled_start_time"])
        if start < emu.now():
            raise DiscordError(400, 50035, "Invalid Form Body", {"errors": {"scheduled_start_time": {
                "_errors": [{"code": "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST",
                             "message": "Cannot schedule event in the past."}]}}})
        event = {
            "id": world.ids.next(), "guild_id": guild.id, "channel_id": channel_id, "creator_id": world.bot_id,
            "creator": dict(world.bot_user), "name": body["name"], "description": body.get("description"),
            "scheduled_start_time": body["scheduled_start_time"],
            "scheduled_end_time": body.get("scheduled_end_time"), "privacy_level": body.get("privacy_level", 2),
            "status": 1, "entity_type": body["entity_type"], "entity_id": None,
            "entity_metadata": body.get("entity_metadata"), "user_count": 0, "image": None,
            "recurrence_rule": body.get("recurrence_rule"), "guild_scheduled_event_exceptions": [],
        }
        guild.scheduled_events[event["id"]] = event
        await dispatch("GUILD_SCHEDULED_EVENT_CREATE", copy.deepcopy(event))
        return copy.deepcopy(event)

    @route("GET", "/guilds/{guild_id}/scheduled-events/{event_id}")
    async def get_event(req: Request) -> Any:
        return copy.deepcopy(event_of(guild_of(req), req))

    @route("PATCH", "/guilds/{guild_id}/scheduled-events/{event_id}")
    async def edit_event(req: Request) -> Any:
        guild = guild_of(req)
        event = event_of(guild, req)
        require_guild_perm(guild.id, S.MANAGE_EVENTS)
        body = req.json or {}
        if "status" in body:
            # Discord's transitions: scheduled -> active|canceled, active -> completed.
            allowed = {1: {2, 4}, 2: {3}}.get(event["status"], set())
            if int(body["status"]) not in allowed:
                raise DiscordError(400, 180000, "Cannot update event status")
        for key in ("name", "description", "scheduled_start_time", "scheduled_end_time", "status",
                    "channel_id", "entity_type", "entity_metadata", "privacy_level"):
            if key in body:
                event[key] = str(body[key]) if key == "channel_id" and body[key] is not None else body[key]
        await dispatch("GUILD_SCHEDULED_EVENT_UPDATE", copy.deepcopy(event))
        return copy.deepcopy(event)

    @route("DELETE", "/guilds/{guild_id}/scheduled-events/{event_id}")
    async def delete_event(req: Request) -> Any:
        guild = guild_of(req)
        event = event_of(guild, req)
        require_guild_perm(guild.id, S.MANAGE_EVENTS)
        del guild.scheduled_events[event["id"]]
        await dispatch("GUILD_SCHEDULED_EVENT_DELETE", copy.deepcopy(event))
        return None

    @route("GET", "/guilds/{guild_id}/scheduled-events/{event_id}/users")
    async def event_users(req: Request) -> Any:
        guild = guild_of(req)
        event = event_of(guild, req)
        return [{"guild_scheduled_event_id": event["id"], "user": dict(world.users[u])}
                for u in guild.event_users.get(event["id"], []) if u in world.users]
