"""Threads: starting threads and forum posts, and adding and removing thread members."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from emulator import state as S
from emulator.routes.shared import not_found
from emulator.server import DiscordError, Request

if TYPE_CHECKING:
    from emulator.routes.shared import Shared
    from emulator.server import DiscordEmulator


def register(emu: DiscordEmulator, shared: Shared) -> None:
    world = shared.world
    route = emu.route
    dispatch = shared.dispatch

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
        parent = shared.channel_of(req)
        body = req.json or {}
        if parent["type"] == S.GUILD_FORUM:
            shared.require_channel_perm(parent["id"], S.SEND_MESSAGES)
            thread = await create_thread(parent, body["name"], S.PUBLIC_THREAD, body)
            message = shared.new_message(thread["id"], {**(body.get("message") or {}), "_files": req.files})
            message["id"] = thread["id"]  # a forum post's starter message shares the thread's id
            world.messages[thread["id"]] = {message["id"]: message}
            await shared.echo_create(message)
            return {**copy.deepcopy(thread), "message": copy.deepcopy(message)}
        type_ = int(body.get("type") or S.PRIVATE_THREAD)
        need = S.CREATE_PRIVATE_THREADS if type_ == S.PRIVATE_THREAD else S.CREATE_PUBLIC_THREADS
        shared.require_channel_perm(parent["id"], need)
        return copy.deepcopy(await create_thread(parent, body["name"], type_, body))

    @route("POST", "/channels/{channel_id}/messages/{message_id}/threads")
    async def start_thread_from_message(req: Request) -> Any:
        message = shared.message_of(req)
        parent = world.channels[message["channel_id"]]
        shared.require_channel_perm(parent["id"], S.CREATE_PUBLIC_THREADS)
        body = req.json or {}
        thread = await create_thread(parent, body["name"], S.PUBLIC_THREAD, body, starter=message["id"])
        message["thread"] = copy.deepcopy(thread)
        return copy.deepcopy(thread)

    @route("PUT", "/channels/{channel_id}/thread-members/{user_id}")
    async def add_thread_member(req: Request) -> Any:
        thread = shared.channel_of(req)
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
        thread = shared.channel_of(req)
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
