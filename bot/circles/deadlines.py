"""Wake-ups for circle deadlines: norms grace periods and held waitlist seats.

The deadlines themselves live in circle tables (``circle_seats.reconsent_due_at``,
``circle_waitlist.offer_expires_at``); a one-off schedule per deadline only wakes the bot so it
enforces whatever is due then (bot/circles/due.py), so a late or extra wake-up does no harm.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.db import Conn
from bot.delivery import schedules
from bot.delivery.recurrence import Recurrence

GRACE_KIND = "circle_norms_grace"   # owner: the circle (one pending deadline per circle)
OFFER_KIND = "circle_seat_offer"    # owner: the waitlist entry holding a seat


async def schedule_grace_deadline(
    conn: Conn, now: datetime, guild_id: int, circle_id: int, due: datetime,
) -> None:
    # New norms move every waiting member's deadline to the same instant: one wake-up suffices.
    await schedules.delete_for_owner(conn, guild_id, GRACE_KIND, circle_id)
    await schedules.create(conn, now, guild_id=guild_id, kind=GRACE_KIND, owner_id=circle_id,
                           rule=Recurrence.once(due))


async def schedule_offer_expiry(
    conn: Conn, now: datetime, guild_id: int, waitlist_id: int, expires: datetime,
) -> None:
    await schedules.create(conn, now, guild_id=guild_id, kind=OFFER_KIND, owner_id=waitlist_id,
                           rule=Recurrence.once(expires))
