"""What goals send on their own: the scheduler kinds (nudges, released nudges, partner weeks, held
invitations and cheers, weekly recaps) and the outbox fallback for closed DMs."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.delivery.scheduler import MissedPolicy
from bot.goals import partners, pings
from bot.goals.records import PING_KIND
from cogs.goals.base import GoalsBase

if TYPE_CHECKING:
    from bot.core.db import Conn
    from bot.delivery.outbox import OutboxRow
    from bot.delivery.scheduler import Occurrence

log = logging.getLogger(__name__)


# A held invitation or cheer is worth sending however late the bot wakes (it re-checks the recipient).
HELD_GRACE = timedelta(days=30)


class Deliveries(GoalsBase):
    def register_deliveries(self) -> None:
        scheduler = self.bot.scheduler
        scheduler.register_kind(PING_KIND, self.on_ping_due, MissedPolicy.LATE, grace=pings.LATE_GRACE)
        scheduler.register_kind(pings.RELEASE_KIND, self.on_release_due, MissedPolicy.LATE, grace=pings.LATE_GRACE)
        scheduler.register_kind(partners.PARTNER_KIND, self.on_partner_week, MissedPolicy.LATE,
                                grace=pings.LATE_GRACE)
        scheduler.register_kind(partners.RECAP_KIND, self.on_recap_due, MissedPolicy.LATE, grace=pings.LATE_GRACE)
        scheduler.register_kind(partners.HELD_KIND, self.on_held_dm_due, MissedPolicy.LATE, grace=HELD_GRACE)
        self.bot.outbox.register_fallback(pings.DM_FALLBACK, self.on_dm_closed)

    async def on_ping_due(self, conn: Conn, occurrence: Occurrence) -> None:
        zone = await self._zone(occurrence.guild_id)
        await pings.on_occurrence(
            conn, self.bot.clock.now(), self.bot.outbox, guild_id=occurrence.guild_id,
            goal_id=int(occurrence.payload["goal"]), key=occurrence.key, scheduled_at=occurrence.scheduled_at,
            local_date=occurrence.local_time.date().isoformat(), late=occurrence.late, default_zone=zone,
            server=self._server(occurrence.guild_id))

    async def on_release_due(self, conn: Conn, occurrence: Occurrence) -> None:
        await pings.on_release(
            conn, self.bot.clock.now(), self.bot.outbox, guild_id=occurrence.guild_id,
            ping_id=int(occurrence.payload["ping"]),
            suffix=str(occurrence.payload.get("suffix", "")), late=occurrence.late,
            default_zone=await self._zone(occurrence.guild_id), server=self._server(occurrence.guild_id))

    async def on_partner_week(self, conn: Conn, occurrence: Occurrence) -> None:
        gid = occurrence.guild_id
        found = await partners.get_partnership(conn, gid, occurrence.owner_id)
        await partners.partner_weekly(
            conn, self.bot.clock.now(), self.bot.outbox, guild_id=gid, pid=occurrence.owner_id, key=occurrence.key,
            default_zone=await self._zone(gid), server=self._server(gid),
            owner_name=self._name(gid, found.owner_id, "your partner") if found else "your partner")

    async def on_held_dm_due(self, conn: Conn, occurrence: Occurrence) -> None:
        gid = occurrence.guild_id
        found = await partners.get_partnership(conn, gid, occurrence.owner_id)
        if found is None:
            return
        outcome = await partners.release_held(
            conn, self.bot.clock.now(), self.bot.outbox, guild_id=gid, pid=found.id,
            what=str(occurrence.payload.get("what", "")), week=str(occurrence.payload.get("week", "")),
            owner_name=self._name(gid, found.owner_id, "A member"),
            partner_name=self._name(gid, found.partner_id, "Your partner"), server=self._server(gid),
            default_zone=await self._zone(gid))
        log.info("goal partner DM released guild_id=%s outcome=%s", gid, outcome)

    async def on_recap_due(self, conn: Conn, occurrence: Occurrence) -> None:
        await partners.recap(conn, self.bot.clock.now(), self.bot.outbox, guild_id=occurrence.guild_id,
                             user_id=occurrence.owner_id, key=occurrence.key,
                             default_zone=await self._zone(occurrence.guild_id),
                             server=self._server(occurrence.guild_id))

    async def on_dm_closed(self, conn: Conn, row: OutboxRow, reason: str) -> None:
        if reason != "dm_closed":
            return
        outcome = await pings.on_dm_closed(conn, self.bot.clock.now(), self.bot.outbox, row.guild_id, row.key,
                                           self._server(row.guild_id))
        log.info("goal ping undeliverable by DM guild_id=%s outcome=%s", row.guild_id, outcome)
