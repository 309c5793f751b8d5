"""The bot: a commands.Bot whose setup_hook opens the database, loads cogs and syncs commands.

The Discord endpoints come from the config (``discord.api_base_url`` / ``gateway_url``), which is
how the bot talks to the local emulator or to a self-hosted Discord-compatible server.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import sys
from typing import Any

import aiohttp
import discord
import yarl
from discord import app_commands
from discord.ext import commands
from discord.http import Route

from bot import screening
from bot.checkins.event_sync import EventSync
from bot.circles.matching import NO_MEETING_TIMES, MeetingTimes
from bot.core import changes
from bot.core.anonymity import AnonymityKeyError
from bot.core.clock import Clock
from bot.core.config import Config, ConfigError, discord_token
from bot.core.db import Database, answer_soon
from bot.core.log_format import traceback_without_text
from bot.delivery import budget
from bot.delivery.budget import GlobalBudget
from bot.delivery.busy_retries import BusyRetries
from bot.delivery.leases import OUTBOX, Leases, owner_name
from bot.delivery.outbox import Outbox
from bot.delivery.processes import Share, before_first_beat
from bot.delivery.scheduler import Scheduler
from cogs.common.components import require_unique_actions, submit_modal
from cogs.common.failures import answer_failure, observe_error, tell

log = logging.getLogger(__name__)

# One cog per capability; each module ends in `async def setup(bot)`.
COGS: tuple[str, ...] = (
    "cogs.help",
    "cogs.setup",
    "cogs.circles",
    "cogs.screening",
    "cogs.coping",
    "cogs.privacy",
    "cogs.cases",
    "cogs.stories",
    "cogs.checkins",
    "cogs.members",
    "cogs.goals",
)


# Discord sends integer options between -(2**53 - 1) and 2**53 - 1, within each option's min/max.
# A value outside (only a forged or broken client sends one) would overflow a database integer
# (OverflowError past 64 bits) or a timedelta, so it is refused before any command runs.
DISCORD_INTEGER_MAX = 2**53 - 1
OUT_OF_RANGE = "The {option} you gave must be between {low} and {high}. Nothing was changed."


def option_out_of_range(interaction: discord.Interaction) -> tuple[str, int | float, int | float] | None:
    """The first integer or number option outside what Discord would send (its name and the range
    it accepts), or None."""
    command = interaction.command
    if interaction.type is not discord.InteractionType.application_command or not isinstance(
            command, app_commands.Command):
        return None
    data: dict[str, Any] = dict(interaction.data or {})
    options: list[Any] = list(data.get("options") or [])
    while options and options[0].get("type") in (1, 2):  # a subcommand (group): its options
        options = list(options[0].get("options") or [])
    for option in options:
        if option.get("type") not in (4, 10):
            continue
        param = next((p for p in command.parameters if p.display_name == option.get("name")), None)
        low = -DISCORD_INTEGER_MAX if param is None or param.min_value is None else param.min_value
        high = DISCORD_INTEGER_MAX if param is None or param.max_value is None else param.max_value
        value = option.get("value")
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            return str(option.get("name")), low, high
    return None


def point_at(config: Config) -> None:
    """Aim discord.py's REST and gateway at the configured endpoints (process-wide settings)."""
    discord.http.Route.BASE = config.discord.api_base_url.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(config.discord.gateway_url)


# The bot never joins voice; it only reads voice states for attendance.
discord.VoiceClient.warn_nacl = False
discord.VoiceClient.warn_dave = False


def make_intents() -> discord.Intents:
    intents = discord.Intents.none()
    intents.guilds = True
    intents.members = True  # privileged: member joins/leaves free seats and welcome posts
    intents.voice_states = True
    intents.guild_scheduled_events = True
    intents.guild_messages = True
    intents.dm_messages = True
    intents.message_content = True  # privileged: crisis support in circle channels
    return intents


class PeerCirclesBot(commands.Bot):
    def __init__(self, config: Config, *, clock: Clock | None = None, **options: Any) -> None:
        point_at(config)
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=make_intents(),
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
            **options,
        )
        self.config = config
        self.clock = clock or Clock()
        self.db = Database(config.database_url)
        self.synced_commands = False
        # What one capability's cog offers another, typed and declared here only (a cog never imports
        # another cog, nor sets attributes on the bot: tests/unit/app/test_bot_attributes.py). The
        # providing cog's setup fills each in; until then circles have no meeting times.
        self.meeting_times: MeetingTimes = NO_MEETING_TIMES
        self.checkin_events: EventSync | None = None
        self.tree.on_error = self.on_app_command_error  # type: ignore[method-assign]
        self.tree.interaction_check = self._start_tracking  # type: ignore[method-assign]
        self.budget: GlobalBudget | None = None  # set once logged in (it is per bot token)
        # Claims on in-flight rows carry this process's lease (several processes share one database).
        self.leases = Leases(self.db, self.clock, owner_name(config.bot.shards or None))
        self._lease_loop: asyncio.Task[None] | None = None
        # Gateway-event writes (a member left, the bot joined a server) that found the database
        # busy: tried again until done, since no member is there to try again.
        self.busy_retries = BusyRetries(self.clock)
        self._unpaced_request = self.http.request
        self.http.request = self._paced_request  # type: ignore[method-assign]

    # -- start-up --------------------------------------------------------------------------

    async def _paced_request(self, route: Route, **kwargs: Any) -> Any:
        """Every REST request the bot starts itself spends Discord's global budget here, in one place
        (interaction callbacks and follow-ups go through discord.py's webhook adapter, which
        Discord does not count against the global limit)."""
        if route.method != "GET":
            changes.note()
        if self.budget is None:
            return await self._unpaced_request(route, **kwargs)
        slot = await self.budget.before_request()
        try:
            return await self._unpaced_request(route, **kwargs)
        finally:
            self.budget.finish(slot)

    async def login(self, token: str) -> None:
        # The budget is per bot token: known from here, before the first request (GET /users/@me).
        self.budget = budget.for_api(self.config.discord.api_base_url, token, self.config.discord.global_limit)
        # One of several processes (a shard range) spends a joiner's rate until its first heartbeat
        # has counted the others: the requests of its start (GET /users/@me, command syncs) must
        # not go at the whole limit beside the others' shares.
        self._take_share(before_first_beat(whole=not self.config.bot.shards))
        await super().login(token)

    def provide(self, *, meeting_times: MeetingTimes | None = None, checkin_events: EventSync | None = None) -> None:
        """A capability's cog offers others a service (the one way to set one; see ``__init__``)."""
        if meeting_times is not None:
            self.meeting_times = meeting_times
        if checkin_events is not None:
            self.checkin_events = checkin_events

    async def setup_hook(self) -> None:
        await self.db.connect()
        await self.db.migrate()
        # Compile the profanity matcher once, off the event loop, before any message arrives.
        await screening.prepare()
        # Construction order matters: cogs register their job kinds and fallbacks while loading,
        # and the scheduler rebuilds its jobs only after every kind is known.
        assert self.budget is not None  # set in login(), which comes before setup_hook()
        self.outbox = Outbox(self.db, self.clock, self.config.outbox, sender=self.make_sender(),
                             pacer=self.budget.bulk(self.config.outbox.rate_per_second), leases=self.leases)
        self.leases.on_recovered(OUTBOX, self.outbox.wake)
        self.leases.on_share = self._take_share
        self.scheduler = Scheduler(self.db, self.clock, self.config.scheduler, outbox=self.outbox)
        # Every form's submit goes to the action its custom_id names (cogs' component_actions).
        self.add_listener(submit_modal, "on_interaction")
        for name in COGS:
            await self.load_extension(name)
        await self.scheduler.start()
        self.outbox.start()
        self._lease_loop = asyncio.create_task(self.leases.run(), name="leases")
        await self.sync_commands()

    async def add_cog(self, cog: commands.Cog, /, *, override: bool = False, **kwargs: Any) -> None:
        # Presses are routed by action name alone, so a second cog claiming one would silently
        # take over the first's buttons: refuse it while loading instead.
        require_unique_actions(self.cogs.values(), cog)
        await super().add_cog(cog, override=override, **kwargs)

    def _take_share(self, share: Share) -> None:
        # Discord's limit is per bot token: with several processes each spends its share of it.
        if self.budget is not None:
            self.budget.set_rate(share.rate(self.config.discord.global_limit))
        if share.live > 1:
            # Rows another process enqueued (its scheduler's fan-out, or rows it enqueued and died
            # before claiming) wake no worker here: look for due ones at each heartbeat, a third of
            # a lease apart, so every process helps send them. One process alone needs no look.
            self.outbox.wake()

    def make_sender(self) -> Any:
        from bot.discord_sender import DiscordSender

        return DiscordSender(self, db=self.db)

    def command_payload(self, guild: discord.abc.Snowflake | None) -> list[dict[str, Any]]:
        return [cmd.to_dict(self.tree) for cmd in self.tree.get_commands(guild=guild)]

    async def sync_commands(self, *, force: bool = False) -> bool:
        """Sync application commands unless the tree is unchanged since the last sync."""
        guild_id = self.config.discord.dev_guild_id
        guild = discord.Object(guild_id) if guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        payload = self.command_payload(guild)
        scope = f"{self.config.discord.api_base_url}|{guild_id or 'global'}"
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        key = f"command_hash:{scope}"
        if not force and await self.db.fetchval("SELECT value FROM bot_meta WHERE key = ?", (key,)) == digest:
            log.info("commands unchanged since last sync; skipping sync scope=%s", guild_id or "global")
            return False
        await self.tree.sync(guild=guild)
        await self.db.execute(
            "INSERT INTO bot_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, digest),
        )
        self.synced_commands = True
        log.info("commands synced count=%d scope=%s", len(payload), guild_id or "global")
        return True

    async def on_ready(self) -> None:
        log.info("connected user_id=%s guilds=%d shards=%s", self.user.id if self.user else None, len(self.guilds),
                 self.config.bot.shards or ("all" if self.config.bot.shard_count is None else
                                            f"0-{self.config.bot.shard_count - 1}"))

    async def close(self) -> None:
        # First: each write still waiting for a busy database is tried once more while the outbox
        # and Discord are there for what it does next.
        await self.busy_retries.stop()
        scheduler = getattr(self, "scheduler", None)
        outbox = getattr(self, "outbox", None)
        if scheduler is not None:
            await scheduler.shutdown()
        if outbox is not None:
            await outbox.stop()
        if self._lease_loop is not None:
            # After the outbox: its last sends finish under a lease still held. The rows a stop
            # leaves in flight keep this owner's name, so the next start takes them back at once.
            self._lease_loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._lease_loop
        await super().close()
        await self.db.close()

    # -- errors ----------------------------------------------------------------------------

    async def _start_tracking(self, interaction: discord.Interaction) -> bool:
        """Every slash command counts what it changes, so a failure says only what is true, and
        its writes wait for a busy database only as long as a member can wait for an answer.
        A number Discord itself would never send is refused here, before any command sees it."""
        refused = option_out_of_range(interaction)
        if refused is not None:
            name, low, high = refused
            await tell(interaction, OUT_OF_RANGE.format(option=name, low=low, high=high))
            return False
        changes.track()
        answer_soon()
        return True

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        """A listener failed: log where, never the exception's message (it may quote a member's words)."""
        error = sys.exc_info()[1]
        if error is None:  # pragma: no cover - discord.py calls this from an except block
            return
        log.error("event handler failed event=%s exception=%s\n%s", event_method, type(error).__name__,
                  traceback_without_text(error))
        observe_error(None, f"event:{event_method}:{type(error).__name__}")

    async def on_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """Every failure gets a plain ephemeral answer; bugs get a short id to quote to admins."""
        cause: BaseException = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        command = interaction.command.qualified_name if interaction.command else "unknown"
        await answer_failure(interaction, cause, f"command:{command}")


class ShardedPeerCirclesBot(PeerCirclesBot, commands.AutoShardedBot):
    """The same bot over a range of shards (``bot.shards`` of ``bot.shard_count``): discord.py's
    AutoShardedBot opens one gateway connection per shard in ``shard_ids``, so this process gets
    only the events of servers on those shards. No body: everything the bot does is PeerCirclesBot's,
    and the method order puts AutoShardedClient's connection handling before Client's."""


def make_bot(config: Config, *, clock: Clock | None = None, **options: Any) -> PeerCirclesBot:
    """The bot the config asks for: unsharded (one connection, every server, the default) or a
    shard range. Every start goes through here (``run_bot``, the emulator runner)."""
    if clock is not None:
        options["clock"] = clock
    shard_ids = config.bot.shard_ids
    if shard_ids is None:
        return PeerCirclesBot(config, **options)
    return ShardedPeerCirclesBot(config, shard_ids=shard_ids, shard_count=config.bot.shard_count, **options)


def run_bot(config: Config) -> int:
    """`python -m bot run`: serve until interrupted. Returns the process exit code."""
    try:
        token = discord_token()
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    bot = make_bot(config)
    try:
        bot.run(token, log_handler=None)
    except discord.LoginFailure:
        print("error: Discord rejected the token in DISCORD_TOKEN (check it in the developer portal)",
              file=sys.stderr)
        return 1
    except discord.PrivilegedIntentsRequired:
        print("error: enable the Server Members and Message Content intents for this bot in the Discord "
              "developer portal (Bot > Privileged Gateway Intents)", file=sys.stderr)
        return 1
    except (aiohttp.ClientError, OSError, TimeoutError, discord.GatewayNotFound) as exc:
        # DNS failures, refused connections, timeouts: where, and the kind of trouble; no traceback.
        print(f"error: could not reach Discord at {config.discord.api_base_url} ({_network_reason(exc)}); "
              "check the network, or discord.api_base_url in the config", file=sys.stderr)
        return 1
    except discord.HTTPException as exc:
        print(f"error: Discord answered HTTP {exc.status} while starting; try again later", file=sys.stderr)
        return 1
    except commands.ExtensionFailed as exc:
        if isinstance(exc.original, AnonymityKeyError):
            print(f"error: {exc.original}", file=sys.stderr)
            return 1
        raise
    except AnonymityKeyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _network_reason(exc: BaseException) -> str:
    """A short name for a start-up network failure (no exception text that could run on)."""
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return "the host name did not resolve"
    if isinstance(exc, ConnectionRefusedError) or (
        isinstance(exc, aiohttp.ClientConnectorError) and isinstance(exc.os_error, ConnectionRefusedError)
    ):
        return "connection refused"
    if isinstance(exc, TimeoutError):
        return "timed out"
    return type(exc).__name__
