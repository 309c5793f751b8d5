"""The waitlist of a full circle: first come, first offered.

When a seat frees, the first waiting member is offered it privately and the seat is held for
them for 48 hours (an offered entry counts as a taken seat, so nobody can slip in meanwhile).
If they take it they join; if they pass or the time runs out, the next person is asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.circles.deadlines import schedule_offer_expiry
from bot.circles.norms import get_norms
from bot.circles.notices import Outbox, enqueue_notice, offer_expired_notice, seat_offer_notice
from bot.circles.records import Circle, get_circle, seats_taken
from bot.core.clock import Clock, iso_utc, parse_iso_utc, utcnow_iso
from bot.core.db import Conn, Database
from bot.core.errors import UserFacingError
from bot.core.text import display
from bot.safety.card import crisis_embed_for

OFFER_HOURS = 48


@dataclass(frozen=True)
class WaitlistResult:
    # 'added', 'already' (was waiting), 'offered' (a seat is held for them), 'seat_free' (just join)
    kind: str
    circle: Circle
    position: int | None = None
    offer_expires_at: datetime | None = None


@dataclass(frozen=True)
class WaitlistEntry:
    """A member's place on a circle's waitlist: waiting, or holding an offered seat until a time."""

    offer_expires_at: str | None

    @property
    def holds_offer(self) -> bool:
        return self.offer_expires_at is not None


async def waitlist_entry(db: Database, guild_id: int, circle_id: int, user_id: int) -> WaitlistEntry | None:
    row = await db.fetchone(
        "SELECT offer_expires_at FROM circle_waitlist WHERE guild_id = ? AND circle_id = ? AND user_id = ?",
        (guild_id, circle_id, user_id),
    )
    return None if row is None else WaitlistEntry(row["offer_expires_at"])


async def position_of(db: Database, guild_id: int, circle_id: int, user_id: int) -> int | None:
    """1-based place among those still waiting (offered entries are ahead and hold seats)."""
    row = await db.fetchone(
        "SELECT id, offered_at FROM circle_waitlist WHERE guild_id = ? AND circle_id = ? AND user_id = ?",
        (guild_id, circle_id, user_id),
    )
    if row is None or row["offered_at"] is not None:
        return None
    return int(await db.fetchval(
        "SELECT count(*) FROM circle_waitlist WHERE guild_id = ? AND circle_id = ? AND offered_at IS NULL AND id <= ?",
        (guild_id, circle_id, row["id"]),
    ))


async def next_position(db: Database, guild_id: int, circle_id: int) -> int:
    """The place a member joining the waitlist now would get."""
    waiting = await db.fetchval(
        "SELECT count(*) FROM circle_waitlist WHERE guild_id = ? AND circle_id = ? AND offered_at IS NULL",
        (guild_id, circle_id),
    )
    return int(waiting or 0) + 1


async def join_waitlist(
    db: Database, clock: Clock, guild_id: int, circle_id: int, user_id: int,
) -> WaitlistResult:
    circle = await get_circle(db, guild_id, circle_id, allow_archived=False)
    async with db.transaction() as conn:
        if await db.fetchval("SELECT 1 FROM circle_seats WHERE guild_id = ? AND circle_id = ? AND user_id = ?",
                             (guild_id, circle_id, user_id)):
            raise UserFacingError(f"You're already a member of **{display(circle.name)}**.")
        entry = await waitlist_entry(db, guild_id, circle_id, user_id)
        if entry is not None:
            if entry.offer_expires_at is not None:
                return WaitlistResult("offered", circle, offer_expires_at=parse_iso_utc(entry.offer_expires_at))
            return WaitlistResult("already", circle, await position_of(db, guild_id, circle_id, user_id))
        if await seats_taken(db, guild_id, circle_id) < circle.capacity:
            return WaitlistResult("seat_free", circle)
        await conn.execute(
            "INSERT INTO circle_waitlist (guild_id, circle_id, user_id, added_at) VALUES (?, ?, ?, ?)",
            (guild_id, circle_id, user_id, utcnow_iso(clock)),
        )
        position = await position_of(db, guild_id, circle_id, user_id)
    return WaitlistResult("added", circle, position)


async def fill_free_seats(
    db: Database, conn: Conn, clock: Clock, circle: Circle, outbox: Outbox | None,
) -> list[int]:
    """Offer every free seat to the next waiting member; call inside the transaction that freed it.

    Returns the user ids offered a seat now.
    """
    if circle.archived:
        return []
    offered: list[int] = []
    now = clock.now()
    expires = now + timedelta(hours=OFFER_HOURS)
    norms = None
    crisis = None
    while await seats_taken(db, circle.guild_id, circle.id) < circle.capacity:
        row = await db.fetchone(
            "SELECT id, user_id FROM circle_waitlist WHERE guild_id = ? AND circle_id = ? AND offered_at IS NULL"
            " ORDER BY id LIMIT 1",
            (circle.guild_id, circle.id),
        )
        if row is None:
            break
        await conn.execute(
            "UPDATE circle_waitlist SET offered_at = ?, offer_expires_at = ? WHERE guild_id = ? AND id = ?",
            (iso_utc(now), iso_utc(expires), circle.guild_id, row["id"]),
        )
        await schedule_offer_expiry(conn, now, circle.guild_id, row["id"], expires)
        if norms is None:
            norms = await get_norms(db, circle.guild_id, circle.id, circle.norms_version)
            crisis = await crisis_embed_for(db, circle.guild_id)
        await enqueue_notice(conn, outbox, seat_offer_notice(
            circle, norms.version, norms.text, row["user_id"], row["id"], expires, crisis))
        offered.append(row["user_id"])
    return offered


async def leave_waitlist(
    db: Database, clock: Clock, guild_id: int, circle_id: int, user_id: int, outbox: Outbox | None,
) -> bool:
    """Take a member off the waitlist (or pass on a held seat). False if they were not on it."""
    circle = await get_circle(db, guild_id, circle_id)
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "DELETE FROM circle_waitlist WHERE guild_id = ? AND circle_id = ? AND user_id = ?",
            (guild_id, circle_id, user_id),
        )
        if cursor.rowcount != 1:
            return False
        await fill_free_seats(db, conn, clock, circle, outbox)
    return True


async def expire_offers(db: Database, conn: Conn, clock: Clock, outbox: Outbox | None) -> list[int]:
    """End held seats whose 48 hours have passed, tell those members, ask the next in line.

    Runs inside the caller's transaction (a scheduler handler's). Returns the user ids whose
    offers expired.
    """
    expired: list[int] = []
    rows = await db.fetchall(
        "SELECT id, guild_id, circle_id, user_id FROM circle_waitlist"
        " WHERE offer_expires_at IS NOT NULL AND offer_expires_at <= ? ORDER BY offer_expires_at, id",
        (utcnow_iso(clock),),
    )
    circles: dict[int, Circle] = {}
    for row in rows:
        circle = circles.get(row["circle_id"]) or await get_circle(db, row["guild_id"], row["circle_id"])
        circles[circle.id] = circle
        await conn.execute("DELETE FROM circle_waitlist WHERE guild_id = ? AND id = ?", (row["guild_id"], row["id"]))
        await enqueue_notice(conn, outbox, offer_expired_notice(circle, row["user_id"], row["id"]))
        expired.append(row["user_id"])
    for circle in circles.values():
        await fill_free_seats(db, conn, clock, circle, outbox)
    return expired
