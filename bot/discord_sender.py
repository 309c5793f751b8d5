"""The outbox's sender for real Discord (or anything at ``discord.api_base_url``): one row in,
one outcome out.

It goes through discord.py's own HTTP client, so per-route rate-limit buckets (X-RateLimit-*
headers), the global-limit lock and its short retries of 429 and 500/502/504 apply unchanged.
The message body is the row's stored Discord JSON plus ``nonce`` (derived from the idempotency
key) and ``enforce_nonce``, so a resend after a crash returns the first message instead of
creating a second one. A DM's text starts with a small line naming the server it comes from
(``bot.core.messages.from_server_line``), so a member in several servers can tell them apart; a
server another process holds (several processes by shard range: any process sends any row) is
named from the database (``bot.members.servers``).

Outcome mapping (never raises for Discord or network trouble):
- 2xx -> sent (with the message id)
- 429 left after discord.py's retries, 5xx, network errors, timeouts -> retry
- 403 with code 50007 (DMs closed) -> failed ``dm_closed``
- any other 403 (50001 missing access, 50013 missing permissions) -> failed ``missing_access``
- 404 (unknown channel, user) -> failed ``unknown_target``
- 400 (Discord rejected the body) -> failed ``invalid_body``
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

import aiohttp
import discord
from discord.http import Route

from bot.core.db import Database
from bot.core.messages import with_server_line
from bot.delivery.outbox import OutboxRow, PacerLike, SendResult
from bot.members import servers

log = logging.getLogger(__name__)

DM_CLOSED = 50007
UNKNOWN_CHANNEL = 10003


class DiscordSender:
    def __init__(self, client: discord.Client, *, db: Database | None = None, dm_cache_size: int = 10_000) -> None:
        self.client = client
        self.db = db
        self.dm_cache_size = dm_cache_size
        # user id -> DM channel id: opening a DM costs a request, so remember the answer.
        self._dm_channels: OrderedDict[int, int] = OrderedDict()

    async def send(self, row: OutboxRow, pacer: PacerLike) -> SendResult:
        if row.payload is None:
            return SendResult.failed("invalid_body", "no payload")
        try:
            if row.target_kind == "channel":
                return await self._post(row.target_id, row, pacer)
            channel_id = await self._dm_channel(row.target_id, pacer)
            try:
                return await self._post(channel_id, row, pacer)
            except discord.NotFound as exc:
                if exc.code != UNKNOWN_CHANNEL:
                    raise
                # A remembered DM channel went away: open a fresh one once.
                self._dm_channels.pop(row.target_id, None)
                channel_id = await self._dm_channel(row.target_id, pacer)
                return await self._post(channel_id, row, pacer)
        except discord.RateLimited as exc:
            return SendResult.retry("http 429", retry_after=exc.retry_after, rate_limited=True)
        except discord.Forbidden as exc:
            if exc.code == DM_CLOSED:
                return SendResult.failed("dm_closed", f"http 403 code {exc.code}")
            return SendResult.failed("missing_access", f"http 403 code {exc.code}")
        except discord.NotFound as exc:
            return SendResult.failed("unknown_target", f"http 404 code {exc.code}")
        except discord.DiscordServerError as exc:
            return SendResult.retry(f"http {exc.status}")
        except discord.HTTPException as exc:
            if exc.status == 429:
                return SendResult.retry("http 429", retry_after=_retry_after(exc), rate_limited=True)
            if exc.status == 400:
                return SendResult.failed("invalid_body", f"http 400 code {exc.code}")
            return SendResult.retry(f"http {exc.status} code {exc.code}")
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            return SendResult.retry(type(exc).__name__)

    async def _dm_channel(self, user_id: int, pacer: PacerLike) -> int:
        channel_id = self._dm_channels.get(user_id)
        if channel_id is not None:
            self._dm_channels.move_to_end(user_id)
            return channel_id
        await pacer.acquire()
        data = await self.client.http.start_private_message(user_id)
        channel_id = int(data["id"])
        self._dm_channels[user_id] = channel_id
        if len(self._dm_channels) > self.dm_cache_size:
            self._dm_channels.popitem(last=False)
        return channel_id

    async def _post(self, channel_id: int, row: OutboxRow, pacer: PacerLike) -> SendResult:
        assert row.payload is not None
        payload = row.payload
        if row.target_kind == "dm":
            # Every DM names the server it comes from (the circle is named in the text itself).
            name = await self._server_name(row.guild_id)
            if name is not None:
                payload = with_server_line(payload, name)
        body: dict[str, Any] = {**payload, "nonce": row.nonce, "enforce_nonce": True}
        await pacer.acquire()
        data = await self.client.http.request(
            Route("POST", "/channels/{channel_id}/messages", channel_id=channel_id), json=body
        )
        return SendResult.sent(int(data["id"]))


    async def _server_name(self, guild_id: int) -> str | None:
        guild = self.client.get_guild(guild_id)
        if guild is not None:
            return guild.name
        # Another process's server: the name its process recorded.
        return None if self.db is None else await servers.server_name(self.db, guild_id)


def _retry_after(exc: discord.HTTPException) -> float | None:
    headers = getattr(exc.response, "headers", None) or {}
    try:
        return float(headers.get("Retry-After", ""))
    except ValueError:
        return None
