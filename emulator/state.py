"""The emulator's server-side world: users, guilds, roles, channels, messages, events.

Objects are kept as plain dicts in Discord's own JSON shapes, so REST answers and gateway
payloads are the stored objects themselves (copied), exactly what a real client parses.
"""

from __future__ import annotations

import copy
import itertools
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1420070400000

# Permission bits (Discord's numbering).
CREATE_INSTANT_INVITE = 1 << 0
KICK_MEMBERS = 1 << 1
BAN_MEMBERS = 1 << 2
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
CONNECT = 1 << 20
SPEAK = 1 << 21
MANAGE_ROLES = 1 << 28
MANAGE_EVENTS = 1 << 33
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36
SEND_MESSAGES_IN_THREADS = 1 << 38
MODERATE_MEMBERS = 1 << 40
CREATE_EVENTS = 1 << 44
ALL_PERMISSIONS = (1 << 51) - 1

EVERYONE_DEFAULT = (
    VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY | ADD_REACTIONS | EMBED_LINKS | CONNECT | SPEAK
    | CREATE_PUBLIC_THREADS | SEND_MESSAGES_IN_THREADS | CREATE_INSTANT_INVITE
)
# What the README asks server admins to grant the bot.
BOT_DEFAULT = (
    VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY | EMBED_LINKS | MANAGE_ROLES | MANAGE_CHANNELS
    | MANAGE_EVENTS | CREATE_EVENTS | MANAGE_THREADS | CREATE_PUBLIC_THREADS | CREATE_PRIVATE_THREADS
    | SEND_MESSAGES_IN_THREADS | MODERATE_MEMBERS | MANAGE_MESSAGES | CONNECT
)

# Channel types.
GUILD_TEXT = 0
DM = 1
GUILD_VOICE = 2
GUILD_CATEGORY = 4
PUBLIC_THREAD = 11
PRIVATE_THREAD = 12
GUILD_FORUM = 15
THREAD_TYPES = (PUBLIC_THREAD, PRIVATE_THREAD)


def iso(dt: datetime | None = None) -> str:
    return (dt or datetime.now(UTC)).isoformat()


class Snowflakes:
    """Unique, increasing ids that decode to the current time, like Discord's."""

    def __init__(self) -> None:
        self._counter = itertools.count()
        self._last = 0

    def next(self) -> str:
        stamp = int(time.time() * 1000) - DISCORD_EPOCH_MS
        value = (stamp << 22) | (next(self._counter) & 0xFFF)
        self._last = value = max(value, self._last + 1)
        return str(value)

    def next_on_shard(self, shard_id: int, shard_count: int) -> str:
        """The next id whose server lands on ``shard_id`` of ``shard_count`` (Discord's rule,
        ``(id >> 22) % count``): a few milliseconds later than ``next()`` at most."""
        value = int(self.next())
        while (value >> 22) % shard_count != shard_id:
            value += 1 << 22
        self._last = value
        return str(value)


@dataclass
class Guild:
    data: dict[str, Any]
    roles: dict[str, dict[str, Any]] = field(default_factory=dict)
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    channel_ids: list[str] = field(default_factory=list)
    scheduled_events: dict[str, dict[str, Any]] = field(default_factory=dict)
    # event id -> user ids who pressed "Interested"
    event_users: dict[str, list[str]] = field(default_factory=dict)
    voice_states: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.data["id"])


class World:
    """Everything the emulated Discord knows."""

    def __init__(self, app_name: str = "Peer Circles") -> None:
        self.ids = Snowflakes()
        self.users: dict[str, dict[str, Any]] = {}
        # Users who closed their DMs to server members (sending them a DM answers 50007).
        self.dms_closed: set[str] = set()
        # Uploaded attachment bytes by attachment id (Discord's CDN): tests read pictures back.
        self.uploads: dict[str, bytes] = {}
        self.guilds: dict[str, Guild] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, dict[str, dict[str, Any]]] = {}
        self.dm_channels: dict[str, str] = {}
        self.thread_members: dict[str, set[str]] = {}
        # (channel id, nonce) -> (message id, when): for enforce_nonce.
        self.nonces: dict[tuple[str, str], tuple[str, Any]] = {}
        # Application commands by scope: None for global, else guild id.
        self.commands: dict[str | None, list[dict[str, Any]]] = {}
        self.application_id = self.ids.next()
        self.bot_user = self.add_user(app_name, bot=True, user_id=self.application_id)
        owner = self.add_user("app-owner")
        self.application: dict[str, Any] = {
            "id": self.application_id, "name": app_name, "icon": None, "description": "",
            "bot_public": True, "bot_require_code_grant": False, "verify_key": "0" * 64,
            "flags": 0, "team": None, "summary": "", "owner": owner, "rpc_origins": [],
        }

    # -- users -------------------------------------------------------------------------------

    def add_user(self, name: str, *, bot: bool = False, user_id: str | None = None) -> dict[str, Any]:
        uid = user_id or self.ids.next()
        user = {
            "id": uid, "username": name, "discriminator": "0", "global_name": name,
            "avatar": None, "bot": bot, "public_flags": 0, "flags": 0, "primary_guild": None,
        }
        self.users[uid] = user
        return user

    @property
    def bot_id(self) -> str:
        return str(self.bot_user["id"])

    # -- guilds ------------------------------------------------------------------------------

    def add_guild(self, name: str, owner_id: str, shard: tuple[int, int] | None = None) -> Guild:
        """A server; ``shard`` ``(shard_id, shard_count)`` picks an id on that shard."""
        gid = self.ids.next() if shard is None else self.ids.next_on_shard(*shard)
        guild = Guild(data={
            "id": gid, "name": name, "icon": None, "splash": None, "discovery_splash": None,
            "owner_id": owner_id, "afk_channel_id": None, "afk_timeout": 300,
            "verification_level": 0, "default_message_notifications": 0, "explicit_content_filter": 0,
            "features": ["COMMUNITY"], "mfa_level": 0, "system_channel_id": None, "system_channel_flags": 0,
            "rules_channel_id": None, "vanity_url_code": None, "description": None, "banner": None,
            "premium_tier": 0, "preferred_locale": "en-US", "public_updates_channel_id": None,
            "nsfw_level": 0, "premium_progress_bar_enabled": False, "emojis": [], "stickers": [],
        })
        self.guilds[gid] = guild
        # @everyone shares the guild's id.
        guild.roles[gid] = self._role(gid, "@everyone", EVERYONE_DEFAULT, position=0)
        bot_role = self.add_role(gid, self.bot_user["username"], BOT_DEFAULT, managed=True)
        self.add_member(gid, self.bot_id, role_ids=[bot_role["id"]])
        return guild

    def guilds_with_bot(self) -> list[str]:
        """Guilds the bot is a member of (a removed bot gets no GUILD_CREATE for the others)."""
        return [gid for gid, guild in self.guilds.items() if self.bot_id in guild.members]

    def _role(self, rid: str, name: str, permissions: int, position: int, managed: bool = False) -> dict[str, Any]:
        return {
            "id": rid, "name": name, "color": 0, "colors": {"primary_color": 0, "secondary_color": None,
            "tertiary_color": None}, "hoist": False, "icon": None, "unicode_emoji": None,
            "position": position, "permissions": str(permissions), "managed": managed,
            "mentionable": False, "flags": 0,
        }

    def add_role(
        self, guild_id: str, name: str, permissions: int = 0, *, managed: bool = False, position: int | None = None
    ) -> dict[str, Any]:
        guild = self.guilds[guild_id]
        if position is None:
            # New roles sit just above @everyone, below existing ones, as on Discord.
            position = 1
            for role in guild.roles.values():
                if role["id"] != guild_id and role["position"] >= 1:
                    role["position"] += 1
        role = self._role(self.ids.next(), name, permissions, position, managed)
        guild.roles[role["id"]] = role
        return role

    def add_member(self, guild_id: str, user_id: str, role_ids: list[str] | None = None) -> dict[str, Any]:
        member = {
            "user": self.users[user_id], "nick": None, "avatar": None, "banner": None,
            "roles": list(role_ids or []), "joined_at": iso(), "premium_since": None, "deaf": False,
            "mute": False, "flags": 0, "pending": False, "communication_disabled_until": None,
        }
        self.guilds[guild_id].members[user_id] = member
        return member

    def member_payload(self, guild_id: str, user_id: str, *, with_permissions: bool = False) -> dict[str, Any]:
        member = copy.deepcopy(self.guilds[guild_id].members[user_id])
        if with_permissions:
            member["permissions"] = str(self.base_permissions(guild_id, user_id))
        return member

    def guild_create_payload(self, guild_id: str) -> dict[str, Any]:
        guild = self.guilds[guild_id]
        data = copy.deepcopy(guild.data)
        data.update({
            "unavailable": False, "large": False, "joined_at": iso(), "member_count": len(guild.members),
            "roles": [copy.deepcopy(r) for r in guild.roles.values()],
            "channels": [copy.deepcopy(self.channels[c]) for c in guild.channel_ids
                         if self.channels[c]["type"] not in THREAD_TYPES],
            "threads": [copy.deepcopy(self.channels[c]) for c in guild.channel_ids
                        if self.channels[c]["type"] in THREAD_TYPES],
            "members": [copy.deepcopy(m) for m in guild.members.values()],
            "voice_states": [copy.deepcopy(v) for v in guild.voice_states.values()],
            "guild_scheduled_events": [copy.deepcopy(e) for e in guild.scheduled_events.values()],
            "stage_instances": [], "soundboard_sounds": [],
        })
        return data

    # -- channels ----------------------------------------------------------------------------

    def add_channel(self, guild_id: str | None, name: str | None, type_: int, **extra: Any) -> dict[str, Any]:
        cid = self.ids.next()
        channel: dict[str, Any] = {"id": cid, "type": type_, "flags": 0}
        if guild_id is not None:
            guild = self.guilds[guild_id]
            channel.update({
                "guild_id": guild_id, "name": name, "position": len(guild.channel_ids),
                "permission_overwrites": [], "parent_id": None, "nsfw": False, "flags": 0,
            })
            if type_ in (GUILD_TEXT, GUILD_FORUM):
                channel.update({"topic": None, "last_message_id": None, "rate_limit_per_user": 0})
            if type_ == GUILD_VOICE:
                channel.update({"bitrate": 64000, "user_limit": 0, "rtc_region": None, "last_message_id": None})
            if type_ == GUILD_FORUM:
                channel.update({"available_tags": [], "default_reaction_emoji": None,
                                "default_sort_order": None, "default_forum_layout": 0})
            guild.channel_ids.append(cid)
        channel.update(extra)
        self.channels[cid] = channel
        self.messages[cid] = {}
        return channel

    def channel_guild(self, channel_id: str) -> str | None:
        channel = self.channels.get(channel_id)
        return None if channel is None else channel.get("guild_id")

    # -- permissions -------------------------------------------------------------------------

    def base_permissions(self, guild_id: str, user_id: str) -> int:
        guild = self.guilds[guild_id]
        if guild.data["owner_id"] == user_id:
            return ALL_PERMISSIONS
        member = guild.members.get(user_id)
        if member is None:
            return 0
        perms = int(guild.roles[guild_id]["permissions"])
        for rid in member["roles"]:
            role = guild.roles.get(rid)
            if role is not None:
                perms |= int(role["permissions"])
        return ALL_PERMISSIONS if perms & ADMINISTRATOR else perms

    def channel_permissions(self, channel_id: str, user_id: str) -> int:
        channel = self.channels[channel_id]
        guild_id = channel.get("guild_id")
        if guild_id is None:
            return VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY
        if channel["type"] in THREAD_TYPES:
            return self.channel_permissions(channel["parent_id"], user_id)
        perms = self.base_permissions(guild_id, user_id)
        if perms & ADMINISTRATOR or perms == ALL_PERMISSIONS:
            return ALL_PERMISSIONS
        overwrites = {o["id"]: o for o in channel.get("permission_overwrites", [])}
        member_roles = self.guilds[guild_id].members.get(user_id, {}).get("roles", [])

        def apply(o: dict[str, Any] | None, perms: int) -> int:
            if o is None:
                return perms
            return (perms & ~int(o.get("deny", 0))) | int(o.get("allow", 0))

        perms = apply(overwrites.get(guild_id), perms)
        deny = allow = 0
        for rid in member_roles:
            if rid in overwrites:
                deny |= int(overwrites[rid].get("deny", 0))
                allow |= int(overwrites[rid].get("allow", 0))
        perms = (perms & ~deny) | allow
        perms = apply(overwrites.get(user_id), perms)
        if not perms & VIEW_CHANNEL:
            return 0
        return perms

    def top_role_position(self, guild_id: str, user_id: str) -> int:
        guild = self.guilds[guild_id]
        member = guild.members.get(user_id)
        if member is None:
            return -1
        return max([guild.roles[r]["position"] for r in member["roles"] if r in guild.roles] or [0])
