"""What tests and the demo do *as people*: build a server, join, chat, click, submit, talk in voice.

Each method changes the world and sends the gateway event Discord would; interactions return an
``Interaction`` handle to await the bot's answer on.
"""

from __future__ import annotations

import copy
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from emulator import state as S
from emulator.interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    Interaction,
    InteractionRecord,
    find_component,
    iter_components,
)

if TYPE_CHECKING:
    from emulator.gateway import Gateway

OPTION_SUB_COMMAND, OPTION_GROUP = 1, 2
OPTION_USER, OPTION_CHANNEL, OPTION_ROLE, OPTION_MENTIONABLE = 6, 7, 8, 9


@dataclass
class Server:
    """A ready-made test server: ids of its people, roles and channels."""

    guild_id: str
    owner_id: str
    organiser_role_id: str
    moderator_role_id: str
    oncall_role_id: str
    general_id: str
    queue_id: str
    category_id: str
    lounge_voice_id: str
    stories_forum_id: str


class EventsMixin:
    """Mixed into DiscordEmulator."""

    world: S.World
    interactions: dict[str, InteractionRecord]
    gateway: Gateway

    # -- building the world ------------------------------------------------------------------------

    def build_server(self, name: str = "Pain Peers", shard: tuple[int, int] | None = None) -> Server:
        """A server like the README's: owner, organiser/moderator/on-call roles, channels, a forum;
        ``shard`` ``(shard_id, shard_count)`` puts it on that gateway shard."""
        world = self.world
        owner = world.add_user("olive-owner")
        guild = world.add_guild(name, owner["id"], shard)
        world.add_member(guild.id, owner["id"])
        organiser = world.add_role(guild.id, "Organisers", S.EVERYONE_DEFAULT)
        moderator = world.add_role(guild.id, "Moderators", S.EVERYONE_DEFAULT)
        oncall = world.add_role(guild.id, "On call", S.EVERYONE_DEFAULT)
        general = world.add_channel(guild.id, "general", S.GUILD_TEXT)
        queue = world.add_channel(guild.id, "mod-queue", S.GUILD_TEXT)
        category = world.add_channel(guild.id, "Circles", S.GUILD_CATEGORY)
        lounge = world.add_channel(guild.id, "Lounge", S.GUILD_VOICE)
        forum = world.add_channel(guild.id, "stories", S.GUILD_FORUM)
        return Server(guild.id, owner["id"], organiser["id"], moderator["id"], oncall["id"], general["id"],
                      queue["id"], category["id"], lounge["id"], forum["id"])

    def add_person(self, guild_id: str, name: str, role_ids: list[str] | None = None) -> str:
        """A member present before the bot connects (no event sent); returns the user id."""
        user = self.world.add_user(name)
        self.world.add_member(guild_id, user["id"], role_ids)
        return str(user["id"])

    # -- member events -----------------------------------------------------------------------------

    async def member_join(self, guild_id: str, name: str) -> str:
        user = self.world.add_user(name)
        member = self.world.add_member(guild_id, user["id"])
        await self.gateway.dispatch("GUILD_MEMBER_ADD", {**copy.deepcopy(member), "guild_id": guild_id})
        return str(user["id"])

    async def member_leave(self, guild_id: str, user_id: str) -> None:
        guild = self.world.guilds[guild_id]
        guild.members.pop(user_id, None)
        guild.voice_states.pop(user_id, None)
        await self.gateway.dispatch("GUILD_MEMBER_REMOVE", {"guild_id": guild_id,
                                                            "user": dict(self.world.users[user_id])})

    # -- the bot removed from and added back to a guild ----------------------------------------------

    async def remove_bot(self, guild_id: str) -> None:
        """An admin kicks the bot: it stops being a member and gets GUILD_DELETE (not unavailable)."""
        guild = self.world.guilds[guild_id]
        guild.members.pop(self.world.bot_id, None)
        await self.gateway.dispatch("GUILD_DELETE", {"id": guild_id})

    async def add_bot(self, guild_id: str) -> None:
        """The bot is invited again: it becomes a member (with its managed role) and gets GUILD_CREATE."""
        guild = self.world.guilds[guild_id]
        managed = [rid for rid, role in guild.roles.items() if role.get("managed")]
        self.world.add_member(guild_id, self.world.bot_id, role_ids=managed[:1])
        payload = self.world.guild_create_payload(guild_id)
        # A guild just joined comes without "unavailable" (false means an outage ended).
        payload.pop("unavailable", None)
        await self.gateway.dispatch("GUILD_CREATE", payload)

    async def set_roles(self, guild_id: str, user_id: str, role_ids: list[str]) -> None:
        member = self.world.guilds[guild_id].members[user_id]
        member["roles"] = list(role_ids)
        await self.gateway.dispatch("GUILD_MEMBER_UPDATE", {**copy.deepcopy(member), "guild_id": guild_id})

    async def set_role_permissions(self, guild_id: str, role_id: str, permissions: int) -> None:
        role = self.world.guilds[guild_id].roles[role_id]
        role["permissions"] = str(permissions)
        await self.gateway.dispatch("GUILD_ROLE_UPDATE", {"guild_id": guild_id, "role": copy.deepcopy(role)})

    async def move_role(self, guild_id: str, role_id: str, position: int) -> None:
        """Drag a role to ``position`` in the server's role list (e.g. above the bot's role)."""
        role = self.world.guilds[guild_id].roles[role_id]
        role["position"] = position
        await self.gateway.dispatch("GUILD_ROLE_UPDATE", {"guild_id": guild_id, "role": copy.deepcopy(role)})

    async def send_message(self, channel_id: str, user_id: str, content: str) -> dict[str, Any]:
        """A member writes in a channel (the bot sees MESSAGE_CREATE)."""
        world = self.world
        channel = world.channels[channel_id]
        message: dict[str, Any] = {
            "id": world.ids.next(), "channel_id": channel_id, "author": dict(world.users[user_id]),
            "content": content, "timestamp": S.iso(), "edited_timestamp": None, "tts": False,
            "mention_everyone": False, "mentions": [], "mention_roles": [], "attachments": [], "embeds": [],
            "pinned": False, "type": 0, "flags": 0, "components": [],
        }
        world.messages.setdefault(channel_id, {})[message["id"]] = message
        payload = copy.deepcopy(message)
        if channel.get("guild_id"):
            payload["guild_id"] = channel["guild_id"]
            member = world.member_payload(channel["guild_id"], user_id)
            member.pop("user")
            payload["member"] = member
        await self.gateway.dispatch("MESSAGE_CREATE", payload)
        return copy.deepcopy(message)

    async def edit_message(self, channel_id: str, message_id: str, content: str) -> dict[str, Any]:
        """Its author edits a message (the bot sees MESSAGE_UPDATE)."""
        message = self.world.messages[channel_id][message_id]
        message.update(content=content, edited_timestamp=S.iso())
        payload = copy.deepcopy(message)
        guild_id = self.world.channels[channel_id].get("guild_id")
        if guild_id:
            payload["guild_id"] = guild_id
            member = self.world.member_payload(guild_id, message["author"]["id"])
            member.pop("user")
            payload["member"] = member
        await self.gateway.dispatch("MESSAGE_UPDATE", payload)
        return copy.deepcopy(message)

    async def voice(self, guild_id: str, user_id: str, channel_id: str | None) -> None:
        """A member joins (channel id) or leaves (None) voice."""
        guild = self.world.guilds[guild_id]
        vs = {
            "guild_id": guild_id, "channel_id": channel_id, "user_id": user_id,
            "member": self.world.member_payload(guild_id, user_id), "session_id": secrets.token_hex(8),
            "deaf": False, "mute": False, "self_deaf": False, "self_mute": False, "self_video": False,
            "suppress": False, "request_to_speak_timestamp": None,
        }
        if channel_id is None:
            guild.voice_states.pop(user_id, None)
        else:
            guild.voice_states[user_id] = vs
        await self.gateway.dispatch("VOICE_STATE_UPDATE", copy.deepcopy(vs))

    async def event_interest(self, guild_id: str, user_id: str, event_id: str,
                             interested: bool = True) -> None:
        """A member presses (or un-presses) "Interested" on a scheduled event
        (GUILD_SCHEDULED_EVENT_USER_ADD / _REMOVE)."""
        guild = self.world.guilds[guild_id]
        event = guild.scheduled_events[event_id]
        users = guild.event_users.setdefault(event_id, [])
        if interested and user_id not in users:
            users.append(user_id)
        elif not interested and user_id in users:
            users.remove(user_id)
        event["user_count"] = len(users)
        name = "GUILD_SCHEDULED_EVENT_USER_ADD" if interested else "GUILD_SCHEDULED_EVENT_USER_REMOVE"
        await self.gateway.dispatch(name, {"guild_scheduled_event_id": event_id, "user_id": user_id,
                                           "guild_id": guild_id})

    async def delete_channel(self, channel_id: str) -> None:
        """Someone deletes a server channel in Discord's own UI (CHANNEL_DELETE)."""
        channel = self.world.channels.pop(channel_id)
        if channel.get("guild_id"):
            guild = self.world.guilds[channel["guild_id"]]
            guild.channel_ids.remove(channel_id)
            # Discord deletes a voice channel's scheduled events with it (clients infer it from the
            # CHANNEL_DELETE; no event of their own is sent).
            for event_id in [e for e, ev in guild.scheduled_events.items() if ev.get("channel_id") == channel_id]:
                del guild.scheduled_events[event_id]
        await self.gateway.dispatch("CHANNEL_DELETE", copy.deepcopy(channel))

    # -- interactions --------------------------------------------------------------------------

    def _command(self, guild_id: str | None, name: str, type_: int = 1) -> dict[str, Any]:
        for scope in (guild_id, None):
            for cmd in self.world.commands.get(scope, []):
                if cmd["name"] == name and cmd.get("type", 1) == type_:
                    return cmd
        known = sorted(c["name"] for scope in self.world.commands.values() for c in scope)
        raise AssertionError(f"command {name!r} was not synced; synced: {known}")

    async def _interact(
        self, type_: int, guild_id: str | None, user_id: str, channel_id: str | None,
        data: dict[str, Any], message: dict[str, Any] | None = None,
    ) -> Interaction:
        world = self.world
        if channel_id is None:
            if guild_id is None:
                channel_id = world.dm_channels.get(user_id) or world.add_channel(
                    None, None, S.DM, recipients=[dict(world.users[user_id])])["id"]
                world.dm_channels[user_id] = channel_id
            else:
                channel_id = next(c for c in world.guilds[guild_id].channel_ids
                                  if world.channels[c]["type"] == S.GUILD_TEXT)
        token = f"tok.{secrets.token_urlsafe(24)}"
        record = InteractionRecord(
            id=world.ids.next(), token=token, type=type_, user=dict(world.users[user_id]), guild_id=guild_id,
            channel_id=channel_id, payload={},
            message_id=message["id"] if message else None,
            message_channel_id=message["channel_id"] if message else None,
        )
        payload: dict[str, Any] = {
            "id": record.id, "application_id": world.application_id, "type": type_, "data": data,
            "channel": copy.deepcopy(world.channels[channel_id]), "channel_id": channel_id, "token": token,
            "version": 1, "locale": "en-GB", "entitlements": [], "attachment_size_limit": 26214400,
            "context": 0 if guild_id else 1,
        }
        if guild_id is not None:
            member = world.member_payload(guild_id, user_id)
            member["permissions"] = str(world.channel_permissions(channel_id, user_id))
            payload.update({
                "guild_id": guild_id, "member": member, "guild_locale": "en-US",
                "guild": {"id": guild_id, "locale": "en-US", "features": []},
                "app_permissions": str(world.channel_permissions(channel_id, world.bot_id)),
                "authorizing_integration_owners": {"0": guild_id},
            })
        else:
            payload.update({"user": dict(world.users[user_id]), "app_permissions": "0",
                            "authorizing_integration_owners": {"1": user_id}})
        if message is not None:
            payload["message"] = copy.deepcopy(message)
        record.payload = payload
        self.interactions[token] = record
        await self.gateway.dispatch("INTERACTION_CREATE", copy.deepcopy(payload))
        return Interaction(self, record)  # type: ignore[arg-type]  # the mixin is always a DiscordEmulator

    def _options(self, guild_id: str | None, definitions: list[dict[str, Any]],
                 values: dict[str, Any], resolved: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        world = self.world
        out = []
        by_name = {o["name"]: o for o in definitions}
        for name, value in values.items():
            name = name.replace("_", "-") if name not in by_name and name.replace("_", "-") in by_name else name
            if name not in by_name:
                raise AssertionError(f"no option {name!r}; the command has {sorted(by_name)}")
            kind = by_name[name]["type"]
            if kind in (OPTION_USER, OPTION_MENTIONABLE) and str(value) in world.users:
                uid = str(value)
                resolved.setdefault("users", {})[uid] = dict(world.users[uid])
                if guild_id and uid in world.guilds[guild_id].members:
                    member = world.member_payload(guild_id, uid, with_permissions=True)
                    member.pop("user")
                    resolved.setdefault("members", {})[uid] = member
                value = uid
            elif kind == OPTION_CHANNEL:
                cid = str(value)
                channel = world.channels[cid]
                resolved.setdefault("channels", {})[cid] = {
                    "id": cid, "name": channel.get("name"), "type": channel["type"],
                    "permissions": str(world.channel_permissions(cid, world.bot_id)),
                    "parent_id": channel.get("parent_id"),
                }
                value = cid
            elif kind in (OPTION_ROLE, OPTION_MENTIONABLE):
                rid = str(value)
                resolved.setdefault("roles", {})[rid] = copy.deepcopy(world.guilds[guild_id].roles[rid])  # type: ignore[index]
                value = rid
            out.append({"name": name, "type": kind, "value": value})
        return out

    def _command_data(self, guild_id: str | None, path: str, values: dict[str, Any],
                      focused: str | None = None) -> dict[str, Any]:
        parts = path.split()
        cmd = self._command(guild_id, parts[0])
        resolved: dict[str, dict[str, Any]] = {}
        definitions = cmd.get("options") or []
        chain: list[dict[str, Any]] = []
        for part in parts[1:]:
            sub = next((o for o in definitions if o["name"] == part
                        and o["type"] in (OPTION_SUB_COMMAND, OPTION_GROUP)), None)
            if sub is None:
                raise AssertionError(f"/{cmd['name']} has no subcommand {part!r}")
            chain.append({"name": part, "type": sub["type"], "options": []})
            definitions = sub.get("options") or []
        options = self._options(guild_id, definitions, values, resolved)
        if focused is not None:
            for o in options:
                if o["name"] == focused:
                    o["focused"] = True
        leaf = options
        for link in reversed(chain):
            link["options"] = leaf
            leaf = [link]
        data: dict[str, Any] = {"id": cmd["id"], "name": cmd["name"], "type": cmd.get("type", 1), "options": leaf}
        if guild_id is not None:
            data["guild_id"] = guild_id
        if resolved:
            data["resolved"] = resolved
        return data

    async def slash(self, guild_id: str | None, user_id: str, path: str, *,
                    channel_id: str | None = None, **options: Any) -> Interaction:
        """A member runs ``/path`` (e.g. ``"circle-admin create"``) with options by name."""
        data = self._command_data(guild_id, path, options)
        return await self._interact(APPLICATION_COMMAND, guild_id, user_id, channel_id, data)

    async def autocomplete(self, guild_id: str | None, user_id: str, path: str, focused: str,
                           *, channel_id: str | None = None, **options: Any) -> Interaction:
        data = self._command_data(guild_id, path, options, focused=focused)
        return await self._interact(AUTOCOMPLETE, guild_id, user_id, channel_id, data)

    async def message_command(self, guild_id: str, user_id: str, name: str,
                              message: dict[str, Any]) -> Interaction:
        """A member uses a message context-menu command (e.g. "Report message") on ``message``."""
        cmd = self._command(guild_id, name, type_=3)
        data = {"id": cmd["id"], "name": name, "type": 3, "target_id": message["id"], "guild_id": guild_id,
                "resolved": {"messages": {message["id"]: copy.deepcopy(message)}}}
        return await self._interact(APPLICATION_COMMAND, guild_id, user_id, message["channel_id"], data)

    def _message_guild(self, message: dict[str, Any]) -> str | None:
        return message.get("guild_id") or self.world.channel_guild(message["channel_id"])

    async def click(self, user_id: str, message: dict[str, Any], *,
                    custom_id: str | None = None, label: str | None = None) -> Interaction:
        """A member presses a button on ``message`` (found by custom_id or label)."""
        button = find_component(message, custom_id=custom_id, label=label)
        if button.get("disabled"):
            raise AssertionError(f"button {button.get('label')!r} is disabled")
        data = {"custom_id": button["custom_id"], "component_type": button["type"]}
        return await self._interact(MESSAGE_COMPONENT, self._message_guild(message), user_id,
                                    message["channel_id"], data, message)

    async def select(self, user_id: str, message: dict[str, Any], custom_id: str,
                     values: list[str]) -> Interaction:
        """A member picks ``values`` in a select menu (string, user, role or channel select)."""
        menu = find_component(message, custom_id=custom_id)
        guild_id = self._message_guild(message)
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": menu["type"], "values": list(values)}
        if menu["type"] == 3:
            allowed = {o["value"] for o in menu.get("options", [])}
            unknown = set(values) - allowed
            if unknown:
                raise AssertionError(f"{sorted(unknown)} are not options of {custom_id}")
        else:
            kinds = {5: OPTION_USER, 6: OPTION_ROLE, 7: OPTION_MENTIONABLE, 8: OPTION_CHANNEL}
            resolved: dict[str, dict[str, Any]] = {}
            definitions = [{"name": str(i), "type": kinds[menu["type"]]} for i in range(len(values))]
            self._options(guild_id, definitions, {str(i): v for i, v in enumerate(values)}, resolved)
            data["resolved"] = resolved
        return await self._interact(MESSAGE_COMPONENT, guild_id, user_id, message["channel_id"], data, message)

    async def submit_modal(self, user_id: str, source: Interaction,
                           values: dict[str, Any], *, timeout: float = 5.0) -> Interaction:
        """A member fills the modal the bot showed in answer to ``source`` and submits it."""
        modal = await source.modal(timeout)
        rows = []
        known = set()
        for comp in iter_components(modal.get("components") or []):
            if comp.get("type") == 4:
                known.add(comp["custom_id"])
                value = values.get(comp["custom_id"], comp.get("value") or "")
                rows.append({"type": 1, "components": [{"type": 4, "custom_id": comp["custom_id"], "value": value}]})
            elif comp.get("type") == 3 and comp.get("custom_id"):
                known.add(comp["custom_id"])
                picked = values.get(comp["custom_id"], [])
                picked = [picked] if isinstance(picked, str) else list(picked)
                rows.append({"type": 18, "component": {"type": 3, "custom_id": comp["custom_id"], "values": picked}})
        unknown = set(values) - known
        if unknown:
            raise AssertionError(f"modal has no inputs {sorted(unknown)}; it has {sorted(known)}")
        data = {"custom_id": modal["custom_id"], "components": rows}
        record = source.record
        message = None
        if record.message_id and record.message_channel_id:
            message = self.world.messages.get(record.message_channel_id, {}).get(record.message_id)
        guild_id = record.guild_id
        return await self._interact(MODAL_SUBMIT, guild_id, user_id, record.channel_id, data, message)
