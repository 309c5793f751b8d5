"""Enforcing circle deadlines when a wake-up fires: paused access and expired seat offers.

Both run inside the scheduler's transaction and only touch the database and the outbox; roles
the changes remove are applied by the cog afterwards (it reconciles roles with the database).
Each function handles everything due at that moment, so a wake-up that fires late, twice, or
after a restart always leaves the same result.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.circles.norms import pause_overdue
from bot.circles.notices import Outbox
from bot.circles.records import RoleChange
from bot.circles.waitlist import expire_offers
from bot.core.clock import Clock
from bot.core.db import Conn, Database


@dataclass(frozen=True)
class DueResult:
    role_changes: tuple[RoleChange, ...]
    expired_offer_user_ids: tuple[int, ...]

    @property
    def guild_ids(self) -> set[int]:
        return {c.guild_id for c in self.role_changes}


async def process_due(db: Database, conn: Conn, clock: Clock, outbox: Outbox | None) -> DueResult:
    """Everything due now: grace periods that ended, then seat offers that expired."""
    changes = await pause_overdue(db, conn, clock, outbox)
    expired = await expire_offers(db, conn, clock, outbox)
    return DueResult(tuple(changes), tuple(expired))
