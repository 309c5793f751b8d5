"""/settings and /status for organisers; server removal and return; the retention and purge jobs;
the heartbeat the command line's status reads; counting unexpected errors by kind."""

from __future__ import annotations

import asyncio
import io
import logging
import math
from collections import Counter
from collections.abc import Coroutine
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.cases.queue import queue_trouble
from bot.circles.access import require_organiser
from bot.core.anonymity import placement_warning
from bot.core.clock import iso_utc
from bot.core.db import answered
from bot.core.guild_settings import GuildSettings
from bot.delivery.scheduler import MissedPolicy, Occurrence
from bot.delivery.status import META_HEARTBEAT, META_LATENCY, META_STARTED, Runtime, status_text
from bot.privacy.departures import PURGE_KIND, cancel_departure, due_departures, mark_departure, purge_if_due
from bot.privacy.errors_seen import record_error
from bot.privacy.retention import RETENTION_KIND, ensure_retention_schedule, expire
from bot.privacy.settings import SETTING_NAMES, get_privacy_settings, save_privacy_settings, with_change
from bot.screening.detector import status_line as model_status_line
from cogs.common import failures
from cogs.common.context import actor_of, reply, settings_of

if TYPE_CHECKING:
    from bot.client import PeerCirclesBot
    from bot.core.db import Conn

log = logging.getLogger(__name__)

# Retention and purges run however late the bot wakes: data past its time must still go.
ALWAYS = timedelta(days=3650)
HEARTBEAT_SECONDS = 60.0

SETTING_LABELS = {
    "retention_attendance_days": "Check-in attendance kept (days)",
    "retention_goal_answers_days": "Goal answers kept (days)",
    "retention_cases_days": "Resolved cases kept (days)",
    "retention_declined_stories_days": "Declined stories kept (days)",
    "departure_grace_days": "Data kept after the bot is removed (days)",
}


def _mention(kind: str, value: int | None) -> str:
    if value is None:
        return "not chosen"
    return f"<@&{value}>" if kind == "role" else f"<#{value}>"


def settings_text(guild: GuildSettings, privacy: dict[str, int]) -> str:
    lines = [
        "**Server settings** (change them with /setup)",
        f"- Organiser role: {_mention('role', guild.organiser_role_id)}",
        f"- Moderator role: {_mention('role', guild.moderator_role_id)}",
        f"- On-call role: {_mention('role', guild.oncall_role_id)}",
        f"- Moderator queue: {_mention('channel', guild.queue_channel_id)}",
        f"- Circle category: {_mention('channel', guild.circle_category_id)}",
        f"- Crisis resources region: {guild.crisis_region}",
        f"- Time zone: {guild.timezone}",
        f"- Set up: {'yes' if guild.setup_done else 'not yet'}",
        "",
        "**Privacy and retention** (change them with /settings change)",
    ]
    lines += [f"- {SETTING_LABELS[name]}: {privacy[name]}" for name in SETTING_NAMES]
    return "\n".join(lines)


class PrivacyOperations(commands.Cog):
    settings_group = app_commands.Group(
        name="settings", description="Organisers: this server's settings and how long records are kept",
        guild_only=True, default_permissions=discord.Permissions(manage_guild=True),
        extras={"audience": "organiser"},
    )

    def __init__(self, bot: PeerCirclesBot) -> None:
        self.bot = bot
        self._heartbeat: asyncio.Task[None] | None = None
        self._pending: set[asyncio.Task[None]] = set()
        # Error counts not yet written (the database was busy): (server id, kind) -> count.
        self._unsaved_errors: Counter[tuple[int | None, str]] = Counter()

    async def cog_load(self) -> None:
        self.bot.scheduler.register_kind(RETENTION_KIND, self.on_retention, MissedPolicy.LATE, grace=ALWAYS)
        self.bot.scheduler.register_kind(PURGE_KIND, self.on_purge, MissedPolicy.LATE, grace=ALWAYS)
        failures.error_observers.append(self.count_error)
        self.started_at = self.bot.clock.now()
        await self._write_meta({META_STARTED: iso_utc(self.started_at)})
        self._heartbeat = asyncio.create_task(self._heartbeat_loop(), name="privacy-heartbeat")

    async def cog_unload(self) -> None:
        if self.count_error in failures.error_observers:
            failures.error_observers.remove(self.count_error)
        if self._heartbeat is not None:
            self._heartbeat.cancel()

    # -- /settings ---------------------------------------------------------------------------------

    async def _organiser(self, interaction: discord.Interaction) -> GuildSettings:
        # Discord's default_permissions only hides the commands; this is the check that counts.
        settings = await settings_of(self.bot, interaction)
        require_organiser(actor_of(interaction), settings)
        return settings

    @settings_group.command(name="show", description="Every setting of this server, retention included")
    async def settings_show(self, interaction: discord.Interaction) -> None:
        guild = await self._organiser(interaction)
        privacy = await get_privacy_settings(self.bot.db, guild.guild_id)
        await reply(interaction, settings_text(guild, {n: getattr(privacy, n) for n in SETTING_NAMES}))

    @settings_group.command(name="change", description="Change how many days a kind of record is kept")
    @app_commands.describe(setting="What to change", days="How many days")
    @app_commands.choices(setting=[app_commands.Choice(name=SETTING_LABELS[n], value=n) for n in SETTING_NAMES])
    async def settings_change(self, interaction: discord.Interaction, setting: str,
                              days: app_commands.Range[int, 1, 3650]) -> None:
        guild = await self._organiser(interaction)
        current = await get_privacy_settings(self.bot.db, guild.guild_id)
        changed = with_change(current, setting, days)
        await save_privacy_settings(self.bot.db, self.bot.clock, changed)
        await reply(interaction, f"Saved: {SETTING_LABELS[setting]} is now **{days}**. "
                                 "The daily clean-up applies it from its next run.")

    # -- /status -----------------------------------------------------------------------------------

    @app_commands.command(name="status", description="Organisers: bot health, backlog and errors (counts only)",
                          extras={"audience": "organiser"})
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    async def status(self, interaction: discord.Interaction) -> None:
        guild = await self._organiser(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        latency = self.bot.latency
        runtime = Runtime(None if math.isnan(latency) or math.isinf(latency) else latency * 1000, self.started_at)
        text = await status_text(self.bot.db, self.bot.clock.now(), guild_id=guild.guild_id, runtime=runtime)
        text += f"\n{model_status_line()}\n"
        warning = placement_warning(self.bot.config.anonymity_key_path, self.bot.config.database_path)
        if warning is not None:
            text = f"Warning: {warning}\n\n{text}"
        trouble = await queue_trouble(self.bot.db.reader, guild.guild_id)
        if trouble is not None:  # the one failure that can leave a crisis unseen: said first, in words
            text = f"{trouble.describe()}\n\n{text}"
        if len(text) <= 1900:
            await interaction.followup.send(f"```\n{text}```", ephemeral=True)
        else:
            await interaction.followup.send("The full report is in the file.", ephemeral=True,
                                            file=discord.File(io.BytesIO(text.encode()), filename="status.txt"))

    # -- jobs --------------------------------------------------------------------------------------

    async def on_retention(self, conn: Conn, occurrence: Occurrence) -> None:
        await expire(conn, occurrence.guild_id, self.bot.clock.now())
        # Once the scheduler's batch commits, expired rows leave the write-ahead log too.
        self.bot.db.after_commit(lambda: self._spawn(self._checkpoint()))

    async def on_purge(self, conn: Conn, occurrence: Occurrence) -> None:
        # The scheduler still writes its own rows for this server after the handler (occurrences,
        # the schedule's advance), so the purge runs in the next transaction, after this batch
        # commits. A crash in between is caught up by the start-up sweep (on_ready).
        self._spawn(self._purge(occurrence.guild_id))

    async def _purge(self, guild_id: int) -> None:
        if self.bot.get_guild(guild_id) is not None:
            return  # back in the server: its departure is being cancelled
        async with self.bot.db.transaction() as conn:
            await purge_if_due(conn, guild_id, self.bot.clock.now())
        await self._checkpoint()

    async def _checkpoint(self) -> None:
        await self.bot.db.checkpoint()

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    # -- listeners ---------------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        # Servers the bot is in keep their data and get their daily clean-up.
        now = self.bot.clock.now()
        await self._beat()
        async with self.bot.db.transaction() as conn:
            for guild in self.bot.guilds:
                await cancel_departure(conn, guild.id)
                await ensure_retention_schedule(conn, guild.id, now)
            due = await due_departures(conn, now)
        self.bot.scheduler.notify(now + timedelta(days=1))
        for guild_id in due:  # grace periods that ended while the bot was down or mid-purge
            await self._purge(guild_id)

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        guild_id = guild.id

        async def write() -> None:
            now = self.bot.clock.now()
            async with self.bot.db.transaction() as conn:
                came_back = await cancel_departure(conn, guild_id)
                await ensure_retention_schedule(conn, guild_id, now)
            log.info("joined server guild_id=%s returned_within_grace=%s", guild_id, came_back)

        # Joining and leaving share a key: if the database is busy, the newest is written when it is free.
        await self.bot.busy_retries.run(("privacy.departure", guild_id), "privacy.server_joined", guild_id, write)

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        guild_id, left_at = guild.id, self.bot.clock.now()  # the grace period counts from the leaving

        async def write() -> None:
            async with self.bot.db.transaction() as conn:
                purge_at = await mark_departure(conn, guild_id, left_at)
            self.bot.scheduler.notify(purge_at)
            log.info("removed from server guild_id=%s purge_at=%s", guild_id, iso_utc(purge_at))

        await self.bot.busy_retries.run(("privacy.departure", guild_id), "privacy.server_removed", guild_id, write)

    # -- heartbeat and error counts ----------------------------------------------------------------

    async def _write_meta(self, values: dict[str, str]) -> None:
        async with self.bot.db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO bot_meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value", list(values.items()))

    async def _beat(self) -> None:
        latency = self.bot.latency
        values = {META_HEARTBEAT: iso_utc(self.bot.clock.now())}
        if not (math.isnan(latency) or math.isinf(latency)):
            values[META_LATENCY] = f"{latency * 1000:.1f}"
        try:
            await self._write_meta(values)
        except Exception:
            log.exception("heartbeat write failed")
        await self._save_error_counts()

    async def _heartbeat_loop(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            await self._beat()

    def count_error(self, guild_id: int | None, kind: str) -> None:
        """Count an error (never raises): kept in memory until a write gets through, so a busy
        or locked database delays the count (to the next error or heartbeat) but never loses it."""
        try:
            self._unsaved_errors[(guild_id, kind)] += 1
            self._spawn(self._save_error_counts())
        except Exception as exc:  # no running loop: the heartbeat saves it
            log.warning("error count kept for later error=%s", type(exc).__name__)

    async def _save_error_counts(self) -> None:
        answered()  # background work: wait for the database patiently, not as an interaction would
        if not self._unsaved_errors:
            return
        taken = dict(self._unsaved_errors)
        self._unsaved_errors.clear()
        try:
            async with self.bot.db.transaction() as conn:
                for (guild_id, kind), count in taken.items():
                    for _ in range(count):
                        await record_error(conn, guild_id, kind, self.bot.clock.now())
        except Exception as exc:
            for key, count in taken.items():
                self._unsaved_errors[key] += count
            log.warning("error counts not saved yet, kept for the next try kinds=%s error=%s", len(taken),
                        type(exc).__name__)


