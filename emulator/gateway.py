"""The emulator's gateway: HELLO, IDENTIFY -> READY + GUILD_CREATE, heartbeats, RESUME, dispatch.

Frames are sent as plain JSON text (discord.py only inflates binary frames), and every dispatch
is kept in the session's log so a client that lost its connection can RESUME and miss nothing.

Sharding as Discord does it: IDENTIFY's ``shard`` field ``[shard_id, shard_count]`` (absent:
``[0, 1]``, every server) picks the session's servers, those with ``(guild_id >> 22) %
shard_count == shard_id``; a guild's events go only to the sessions of its shard, and events with
no server (DMs) to shard 0. A shard outside its count is closed with Discord's 4010.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

if TYPE_CHECKING:
    from emulator.server import DiscordEmulator

log = logging.getLogger(__name__)

DISPATCH, HEARTBEAT, IDENTIFY, RESUME, RECONNECT, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 0, 1, 2, 6, 7, 9, 10, 11
INVALID_SHARD = 4010
# Events whose server is the object itself (``id``), not a ``guild_id`` field.
_GUILD_OBJECT_EVENTS = frozenset({"GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE"})


def shard_of(guild_id: int | str, shard_count: int) -> int:
    """Discord's rule: the shard that carries a server's events."""
    return (int(guild_id) >> 22) % shard_count


def event_guild(event: str, data: dict[str, Any]) -> str | None:
    """The server an event belongs to, or None (a DM, the bot's own user)."""
    if event in _GUILD_OBJECT_EVENTS:
        return str(data["id"])
    guild_id = data.get("guild_id")
    return None if guild_id is None else str(guild_id)


def _shard_field(value: Any) -> tuple[int, int] | None:
    """IDENTIFY's ``shard``: ``[id, count]`` with 0 <= id < count; absent means ``[0, 1]``."""
    if value is None:
        return (0, 1)
    if (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) and not isinstance(v, bool)
                                                            for v in value) and 0 <= value[0] < value[1]):
        return (value[0], value[1])
    return None


@dataclass
class Session:
    id: str
    seq: int = 0
    log: list[dict[str, Any]] = field(default_factory=list)
    ws: web.WebSocketResponse | None = None
    resumes: int = 0
    identified: asyncio.Event = field(default_factory=asyncio.Event)
    shard: tuple[int, int] = (0, 1)  # [shard_id, shard_count] from IDENTIFY

    def carries(self, guild_id: str | None) -> bool:
        """Does this session get the events of ``guild_id`` (None: a DM, shard 0's)?"""
        shard_id, count = self.shard
        return shard_id == 0 if guild_id is None else shard_of(guild_id, count) == shard_id

    async def send(self, payload: dict[str, Any]) -> None:
        if self.ws is not None and not self.ws.closed:
            try:
                await self.ws.send_str(json.dumps(payload))
            except ConnectionError:
                # The client is gone; the payload stays in the log for its RESUME.
                self.ws = None


class Gateway:
    def __init__(self, emulator: DiscordEmulator) -> None:
        self.emulator = emulator
        self.sessions: dict[str, Session] = {}
        self.connections = 0
        self._sockets: set[web.WebSocketResponse] = set()

    @property
    def world(self) -> Any:
        return self.emulator.world

    @property
    def session(self) -> Session | None:
        """The most recent session (tests run one bot)."""
        return next(reversed(self.sessions.values()), None)

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=16 * 1024 * 1024)
        await ws.prepare(request)
        self.connections += 1
        self._sockets.add(ws)
        session: Session | None = None
        try:
            await ws.send_str(json.dumps({
                "op": HELLO, "d": {"heartbeat_interval": self.emulator.options.heartbeat_interval_ms},
                "s": None, "t": None,
            }))
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                payload = json.loads(msg.data)
                op, data = payload.get("op"), payload.get("d")
                if op == HEARTBEAT:
                    await ws.send_str(json.dumps({"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None}))
                elif op == IDENTIFY:
                    if data.get("token") != self.emulator.options.token:
                        await ws.close(code=4004, message=b"Authentication failed.")
                        break
                    shard = _shard_field(data.get("shard"))
                    if shard is None:
                        await ws.close(code=INVALID_SHARD, message=b"Invalid shard.")
                        break
                    session = await self._identify(ws, shard)
                elif op == RESUME:
                    session = await self._resume(ws, data)
                    if session is None:
                        await ws.send_str(json.dumps({"op": INVALID_SESSION, "d": False, "s": None, "t": None}))
        finally:
            self._sockets.discard(ws)
            if session is not None and session.ws is ws:
                session.ws = None
        return ws

    def sessions_of(self, guild_id: str | None) -> list[Session]:
        """The sessions that get a server's events (None: DMs)."""
        return [session for session in self.sessions.values() if session.carries(guild_id)]

    async def _identify(self, ws: web.WebSocketResponse, shard: tuple[int, int]) -> Session:
        world = self.world
        session = Session(id=world.ids.next(), ws=ws, shard=shard)
        self.sessions[session.id] = session
        guilds = [gid for gid in world.guilds_with_bot() if session.carries(gid)]
        ready = {
            "v": 10, "user": dict(world.bot_user), "session_type": "normal", "session_id": session.id,
            "resume_gateway_url": self.emulator.gateway_url, "shard": list(shard),
            "guilds": [{"id": gid, "unavailable": True} for gid in guilds],
            "application": {"id": world.application_id, "flags": 0}, "private_channels": [],
            "relationships": [], "user_settings": {}, "presences": [], "geo_ordered_rtc_regions": [],
            "guild_join_requests": [], "auth": {},
        }
        await self._dispatch_to(session, "READY", ready)
        for gid in guilds:
            await self._dispatch_to(session, "GUILD_CREATE", world.guild_create_payload(gid))
        session.identified.set()
        return session

    async def _resume(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> Session | None:
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or data.get("token") != self.emulator.options.token:
            return None
        session.ws = ws
        session.resumes += 1
        last = int(data.get("seq") or 0)
        for payload in session.log:
            if payload["s"] > last:
                await session.send(payload)
        await self._dispatch_to(session, "RESUMED", {})
        await self.emulator.notify()
        return session

    async def _dispatch_to(self, session: Session, event: str, data: dict[str, Any]) -> None:
        session.seq += 1
        payload = {"op": DISPATCH, "t": event, "s": session.seq, "d": data}
        session.log.append(payload)
        if len(session.log) > 5000:
            del session.log[:1000]
        await session.send(payload)

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send an event to every session of its server's shard (queued for RESUME if disconnected)."""
        for session in self.sessions_of(event_guild(event, data)):
            await self._dispatch_to(session, event, data)

    async def drop(self, code: int = 4000) -> None:
        """Close the client's websocket as a network fault would; the client should RESUME."""
        for ws in list(self._sockets):
            await ws.close(code=code, message=b"dropped by emulator")

    async def close_all(self) -> None:
        for ws in list(self._sockets):
            await ws.close(code=1001, message=b"emulator stopping")
