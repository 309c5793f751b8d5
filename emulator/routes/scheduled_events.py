"""Scheduled events: listing, creating, editing and deleting a guild's events and their users."""

from __future__ import annotations

import copy
from datetime import datetime
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

    def event_of(guild: S.Guild, req: Request) -> dict[str, Any]:
        event = guild.scheduled_events.get(req.params["event_id"])
        if event is None:
            raise not_found(10070, "Guild Scheduled Event")
        return event

    @route("GET", "/guilds/{guild_id}/scheduled-events")
    async def list_events(req: Request) -> Any:
        return [copy.deepcopy(e) for e in shared.guild_of(req).scheduled_events.values()]

    @route("POST", "/guilds/{guild_id}/scheduled-events")
    async def create_event(req: Request) -> Any:
        guild = shared.guild_of(req)
        body = req.json or {}
        channel_id = str(body["channel_id"]) if body.get("channel_id") is not None else None
        if channel_id is not None:
            if channel_id not in world.channels:
                raise not_found(10003, "Channel")
            shared.require_channel_perm(channel_id, S.MANAGE_EVENTS)
        else:
            shared.require_guild_perm(guild.id, S.MANAGE_EVENTS)
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
        return copy.deepcopy(event_of(shared.guild_of(req), req))

    @route("PATCH", "/guilds/{guild_id}/scheduled-events/{event_id}")
    async def edit_event(req: Request) -> Any:
        guild = shared.guild_of(req)
        event = event_of(guild, req)
        shared.require_guild_perm(guild.id, S.MANAGE_EVENTS)
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
        guild = shared.guild_of(req)
        event = event_of(guild, req)
        shared.require_guild_perm(guild.id, S.MANAGE_EVENTS)
        del guild.scheduled_events[event["id"]]
        await dispatch("GUILD_SCHEDULED_EVENT_DELETE", copy.deepcopy(event))
        return None

    @route("GET", "/guilds/{guild_id}/scheduled-events/{event_id}/users")
    async def event_users(req: Request) -> Any:
        guild = shared.guild_of(req)
        event = event_of(guild, req)
        return [{"guild_scheduled_event_id": event["id"], "user": dict(world.users[u])}
                for u in guild.event_users.get(event["id"], []) if u in world.users]
