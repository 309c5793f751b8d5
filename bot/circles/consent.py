"""Seats and consent: joining by agreeing to a circle's norms, leaving, and who holds a seat.

Agreement is recorded in ``consent_log`` (append-only: member, circle, norms version, time, and
every withdrawal) together with the seat, in one transaction. A seat is taken with a conditional
insert that counts the seats in the same statement, so two members racing for the last seat
cannot both win, and a double click finds the seat already held.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.circles.cards import MemberLine, MyCircleLine
from bot.circles.notices import Outbox
from bot.circles.records import Circle, CircleArchived, CircleNotFound, RoleChange, get_circle
from bot.circles.waitlist import fill_free_seats, next_position, position_of
from bot.core.clock import Clock, utcnow_iso
from bot.core.db import Conn, Database
from bot.core.errors import UserFacingError
from bot.core.text import display

CONSENT_EVENTS = ("agreed", "left", "left_server", "paused", "archived", "undone")


@dataclass(frozen=True)
class AgreeResult:
    """What agreeing did.

    kind: 'joined' (new seat), 'reconsented' (agreed to newer norms, access continues or returns),
    'already' (nothing to do: a double click), 'full' (no seat: waitlist offered at ``position``),
    'stale' (the card showed an older version: show the current one).
    """

    kind: str
    circle: Circle
    version: int
    role_change: RoleChange | None = None
    position: int | None = None
    resumed: bool = False  # 'reconsented' after access had paused


async def log_consent(
    conn: Conn, clock: Clock, circle: Circle, user_id: int, event: str, version: int | None,
) -> None:
    if event not in CONSENT_EVENTS:
        raise ValueError(f"unknown consent event {event!r}")
    await conn.execute(
        "INSERT INTO consent_log (guild_id, circle_id, user_id, event, norms_version, at) VALUES (?, ?, ?, ?, ?, ?)",
        (circle.guild_id, circle.id, user_id, event, version, utcnow_iso(clock)),
    )


def _grant(circle: Circle, user_id: int, reason: str) -> RoleChange | None:
    return None if circle.role_id is None else RoleChange(circle.guild_id, user_id, circle.role_id, True, circle.id,
                                                          reason)


def _revoke(circle: Circle, user_id: int, reason: str) -> RoleChange | None:
    return None if circle.role_id is None else RoleChange(circle.guild_id, user_id, circle.role_id, False,
                                                          circle.id, reason)


_TAKE_SEAT = (
    "INSERT INTO circle_seats (guild_id, circle_id, user_id, status, joined_at, consent_version, consented_at)"
    " SELECT c.guild_id, c.id, ?, 'active', ?, ?, ? FROM circles c"
    " WHERE c.id = ? AND c.guild_id = ? AND c.archived_at IS NULL AND c.norms_version = ?"
    " AND (SELECT count(*) FROM circle_seats s WHERE s.guild_id = c.guild_id AND s.circle_id = c.id)"
    "   + (SELECT count(*) FROM circle_waitlist w WHERE w.guild_id = c.guild_id AND w.circle_id = c.id"
    "      AND w.offered_at IS NOT NULL AND w.user_id != ?) < c.capacity"
    " AND NOT EXISTS (SELECT 1 FROM circle_seats s WHERE s.guild_id = c.guild_id AND s.circle_id = c.id"
    "                 AND s.user_id = ?)"
)


async def agree(
    db: Database, clock: Clock, guild_id: int, circle_id: int, user_id: int, version: int,
) -> AgreeResult:
    """The member agreed to ``version`` of the norms (the version their card showed)."""
    now = utcnow_iso(clock)
    async with db.transaction() as conn:
        circle = await get_circle(db, guild_id, circle_id, allow_archived=False)
        if version != circle.norms_version:
            return AgreeResult("stale", circle, circle.norms_version)
        seat = await db.fetchone(
            "SELECT status, consent_version FROM circle_seats WHERE guild_id = ? AND circle_id = ? AND user_id = ?",
            (guild_id, circle_id, user_id),
        )
        if seat is not None:
            if seat["consent_version"] == version and seat["status"] == "active":
                return AgreeResult("already", circle, version, _grant(circle, user_id, "already_member"))
            await conn.execute(
                "UPDATE circle_seats SET status = 'active', consent_version = ?, consented_at = ?,"
                " reconsent_due_at = NULL WHERE guild_id = ? AND circle_id = ? AND user_id = ?",
                (version, now, guild_id, circle_id, user_id),
            )
            await log_consent(conn, clock, circle, user_id, "agreed", version)
            return AgreeResult("reconsented", circle, version, _grant(circle, user_id, "norms_agreed"),
                               resumed=seat["status"] == "paused")
        cursor = await conn.execute(
            _TAKE_SEAT, (user_id, now, version, now, circle_id, guild_id, version, user_id, user_id)
        )
        if cursor.rowcount != 1:
            waiting = await position_of(db, guild_id, circle_id, user_id)
            return AgreeResult("full", circle, version,
                               position=waiting or await next_position(db, guild_id, circle_id))
        # A held seat (or a waiting place) becomes this seat.
        await conn.execute("DELETE FROM circle_waitlist WHERE guild_id = ? AND circle_id = ? AND user_id = ?",
                           (guild_id, circle_id, user_id))
        await log_consent(conn, clock, circle, user_id, "agreed", version)
    return AgreeResult("joined", circle, version, _grant(circle, user_id, "joined"))


async def undo_join(
    db: Database, clock: Clock, guild_id: int, circle_id: int, user_id: int, outbox: Outbox | None,
) -> None:
    """Give back a seat just taken when its role could not be granted (nothing half-done)."""
    circle = await get_circle(db, guild_id, circle_id)
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "DELETE FROM circle_seats WHERE circle_id = ? AND user_id = ? AND guild_id = ?",
            (circle_id, user_id, guild_id),
        )
        if cursor.rowcount == 1:
            await log_consent(conn, clock, circle, user_id, "undone", circle.norms_version)
            await fill_free_seats(db, conn, clock, circle, outbox)


@dataclass(frozen=True)
class LeaveResult:
    kind: str  # 'left' (seat given up) or 'left_waitlist'
    circle: Circle
    role_change: RoleChange | None = None


async def leave(
    db: Database, clock: Clock, guild_id: int, circle_id: int, user_id: int, outbox: Outbox | None,
) -> LeaveResult:
    """The member withdraws: seat (or waitlist place) freed, withdrawal logged, next person asked."""
    circle = await get_circle(db, guild_id, circle_id)
    async with db.transaction() as conn:
        seat = await db.fetchone(
            "SELECT consent_version FROM circle_seats WHERE guild_id = ? AND circle_id = ? AND user_id = ?",
            (guild_id, circle_id, user_id),
        )
        if seat is not None:
            await conn.execute("DELETE FROM circle_seats WHERE guild_id = ? AND circle_id = ? AND user_id = ?",
                               (guild_id, circle_id, user_id))
            await log_consent(conn, clock, circle, user_id, "left", seat["consent_version"])
            await fill_free_seats(db, conn, clock, circle, outbox)
            return LeaveResult("left", circle, _revoke(circle, user_id, "left_circle"))
        cursor = await conn.execute(
            "DELETE FROM circle_waitlist WHERE guild_id = ? AND circle_id = ? AND user_id = ?",
            (guild_id, circle_id, user_id),
        )
        if cursor.rowcount == 1:
            await fill_free_seats(db, conn, clock, circle, outbox)
            return LeaveResult("left_waitlist", circle)
    raise UserFacingError(
        f"You're not in **{display(circle.name)}** or on its waitlist, so there's nothing to leave."
    )


@dataclass(frozen=True)
class ServerLeaveResult:
    freed_circle_ids: tuple[int, ...]
    waitlists_left: tuple[int, ...]
    facilitated_circle_ids: tuple[int, ...]


async def member_left_server(
    db: Database, clock: Clock, guild_id: int, user_id: int, outbox: Outbox | None,
) -> ServerLeaveResult:
    """Someone left the server: their seats free (offered on), waitlist places and facilitation go."""
    async with db.transaction() as conn:
        seats = await db.fetchall(
            "SELECT circle_id, consent_version FROM circle_seats WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        waits = await db.fetchall(
            "SELECT circle_id FROM circle_waitlist WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        facilitated = await db.fetchall(
            "SELECT circle_id FROM circle_facilitators WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        await conn.execute("DELETE FROM circle_seats WHERE guild_id = ? AND user_id = ?", (guild_id, user_id))
        await conn.execute("DELETE FROM circle_waitlist WHERE guild_id = ? AND user_id = ?", (guild_id, user_id))
        await conn.execute(
            "DELETE FROM circle_facilitators WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        touched: dict[int, Circle] = {}
        for row in seats:
            circle = await get_circle(db, guild_id, row["circle_id"])
            touched[circle.id] = circle
            await log_consent(conn, clock, circle, user_id, "left_server", row["consent_version"])
        for row in waits:
            touched.setdefault(row["circle_id"], await get_circle(db, guild_id, row["circle_id"]))
        for circle in touched.values():
            await fill_free_seats(db, conn, clock, circle, outbox)
    return ServerLeaveResult(
        tuple(r["circle_id"] for r in seats), tuple(r["circle_id"] for r in waits),
        tuple(r["circle_id"] for r in facilitated),
    )


# -- reading --------------------------------------------------------------------------------------

async def seat_of(db: Database, guild_id: int, circle_id: int, user_id: int) -> dict | None:
    row = await db.fetchone(
        "SELECT status, joined_at, consent_version, consented_at, reconsent_due_at FROM circle_seats"
        " WHERE guild_id = ? AND circle_id = ? AND user_id = ?",
        (guild_id, circle_id, user_id),
    )
    return None if row is None else dict(row)


async def consent_history(db: Database, guild_id: int, user_id: int) -> list[dict]:
    """A member's consent log in this server, oldest first (for /circle mine and data export)."""
    rows = await db.fetchall(
        "SELECT circle_id, event, norms_version, at FROM consent_log WHERE guild_id = ? AND user_id = ?"
        " ORDER BY id",
        (guild_id, user_id),
    )
    return [dict(r) for r in rows]


async def members_of(db: Database, guild_id: int, circle_id: int) -> list[MemberLine]:
    rows = await db.fetchall(
        "SELECT user_id, status, joined_at, consent_version, reconsent_due_at FROM circle_seats"
        " WHERE guild_id = ? AND circle_id = ? ORDER BY joined_at, user_id",
        (guild_id, circle_id),
    )
    return [MemberLine(*tuple(r)) for r in rows]


async def waiting_of(db: Database, guild_id: int, circle_id: int) -> list[int]:
    rows = await db.fetchall(
        "SELECT user_id FROM circle_waitlist WHERE guild_id = ? AND circle_id = ? ORDER BY id", (guild_id, circle_id)
    )
    return [r[0] for r in rows]


async def my_circles(db: Database, guild_id: int, user_id: int) -> list[MyCircleLine]:
    """The member's seats and waitlist places in this server, by circle name."""
    lines: list[MyCircleLine] = []
    rows = await db.fetchall(
        "SELECT c.id, c.name, c.norms_version, s.status, s.consented_at, s.consent_version, s.reconsent_due_at"
        " FROM circle_seats s JOIN circles c ON c.id = s.circle_id"
        " WHERE s.guild_id = ? AND s.user_id = ? ORDER BY lower(c.name)",
        (guild_id, user_id),
    )
    for r in rows:
        lines.append(MyCircleLine(r["id"], r["name"], r["status"], r["consented_at"], r["consent_version"],
                                  r["norms_version"], r["reconsent_due_at"]))
    rows = await db.fetchall(
        "SELECT c.id, c.name, w.offer_expires_at FROM circle_waitlist w JOIN circles c ON c.id = w.circle_id"
        " WHERE w.guild_id = ? AND w.user_id = ? ORDER BY lower(c.name)",
        (guild_id, user_id),
    )
    for r in rows:
        if r["offer_expires_at"]:
            lines.append(MyCircleLine(r["id"], r["name"], "offered", offer_expires_at=r["offer_expires_at"]))
        else:
            lines.append(MyCircleLine(r["id"], r["name"], "waiting",
                                      position=await position_of(db, guild_id, r["id"], user_id)))
    return lines


async def may_use_from_dm(db: Database, circle_id: int, user_id: int) -> int:
    """The circle's server id, if this person may act on it from a DM (they hold a seat or an offer).

    DM buttons carry only a circle id; this keeps a circle invisible to everyone else.
    """
    row = await db.fetchone(
        "SELECT c.guild_id, c.archived_at FROM circles c WHERE c.id = ? AND ("
        " EXISTS (SELECT 1 FROM circle_seats s WHERE s.circle_id = c.id AND s.user_id = ?)"
        " OR EXISTS (SELECT 1 FROM circle_waitlist w WHERE w.circle_id = c.id AND w.user_id = ?))",
        (circle_id, user_id, user_id),
    )
    if row is None:
        raise CircleNotFound("That circle's seat or waitlist place is no longer yours, so there's nothing to do here.")
    if row["archived_at"] is not None:
        raise CircleArchived("That circle has closed and no longer takes members."
                             " /circle list shows the circles open here.")
    return int(row["guild_id"])


# -- role reconciliation ----------------------------------------------------------------------------

@dataclass(frozen=True)
class RoleState:
    """Who should hold a circle's role (active seats) and who must not (paused or withdrawn)."""

    circle_id: int
    role_id: int
    holders: frozenset[int]
    revoked: frozenset[int]


async def role_states(db: Database, guild_id: int) -> list[RoleState]:
    """For reconciling roles after a restart: changes the bot decided but had not applied yet."""
    circles = await db.fetchall(
        "SELECT id, role_id FROM circles WHERE guild_id = ? AND archived_at IS NULL AND role_id IS NOT NULL",
        (guild_id,),
    )
    out: list[RoleState] = []
    for c in circles:
        holders = {r[0] for r in await db.fetchall(
            "SELECT user_id FROM circle_seats WHERE guild_id = ? AND circle_id = ? AND status = 'active'",
            (guild_id, c["id"]))}
        paused = {r[0] for r in await db.fetchall(
            "SELECT user_id FROM circle_seats WHERE guild_id = ? AND circle_id = ? AND status = 'paused'",
            (guild_id, c["id"]))}
        # Members whose latest consent event is a withdrawal and who hold no seat now.
        withdrawn = {r[0] for r in await db.fetchall(
            "SELECT l.user_id FROM consent_log l WHERE l.guild_id = ? AND l.circle_id = ? AND l.id = ("
            " SELECT max(id) FROM consent_log x WHERE x.guild_id = l.guild_id AND x.circle_id = l.circle_id"
            " AND x.user_id = l.user_id) AND l.event != 'agreed'", (guild_id, c["id"]))}
        out.append(RoleState(c["id"], c["role_id"], frozenset(holders), frozenset((paused | withdrawn) - holders)))
    return out


async def should_hold_role(db: Database, guild_id: int, circle_id: int, user_id: int) -> bool:
    """Whether, by the database right now, this member should hold the circle's role: an active
    seat in a circle that is not archived. Read right before each role change is applied."""
    row = await db.fetchone(
        "SELECT 1 FROM circle_seats s JOIN circles c ON c.id = s.circle_id AND c.guild_id = s.guild_id"
        " WHERE s.guild_id = ? AND s.circle_id = ? AND s.user_id = ? AND s.status = 'active'"
        " AND c.archived_at IS NULL",
        (guild_id, circle_id, user_id),
    )
    return row is not None
