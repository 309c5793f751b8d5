"""Circle norms: the default text, versions, and asking members to agree again when they change.

Saving changed norms makes a new version. Members who agreed to an older one are asked privately
to read and agree to the new one, and keep access until a grace deadline (a server setting);
after it their access pauses (role removed, seat kept) and they are told why, until they agree.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.circles.deadlines import schedule_grace_deadline
from bot.circles.notices import Outbox, access_paused_notice, enqueue_notice, reconsent_notice
from bot.circles.records import Circle, CircleArchived, RoleChange, get_circle
from bot.core.clock import Clock, iso_utc, utcnow_iso
from bot.core.db import Conn, Database
from bot.core.errors import UserFacingError
from bot.core.text import display, neutralise_mentions
from bot.safety.card import crisis_embed_for

DEFAULT_NORMS_PATH = Path(__file__).resolve().parent / "data" / "default_norms.md"
# Discord's limit for a modal text input, where organisers edit norms.
NORMS_MAX = 4000
NORMS_MIN = 20


@dataclass(frozen=True)
class Norms:
    circle_id: int
    version: int
    text: str
    created_at: str


def default_norms_text() -> str:
    return clean_norms_text(DEFAULT_NORMS_PATH.read_text(encoding="utf-8"))


def clean_norms_text(text: str) -> str:
    """Line breaks kept; invisible characters out; trailing spaces and runs of blank lines trimmed."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = "".join(
        ch for ch in text
        if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf", "Co", "Cs", "Cn")
    )
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    text = neutralise_mentions(text)
    if len(text) < NORMS_MIN:
        raise UserFacingError(f"Norms need at least {NORMS_MIN} characters so members know what they agree to.")
    if len(text) > NORMS_MAX:
        raise UserFacingError(f"Norms can be at most {NORMS_MAX} characters; these have {len(text)}.")
    return text


async def get_norms(db: Database, guild_id: int, circle_id: int, version: int | None = None) -> Norms:
    """One version of a circle's norms (default: the current one), within this server."""
    if version is None:
        row = await db.fetchone(
            "SELECT n.circle_id, n.version, n.text, n.created_at FROM circle_norms n"
            " JOIN circles c ON c.id = n.circle_id AND c.norms_version = n.version"
            " WHERE n.circle_id = ? AND n.guild_id = ?",
            (circle_id, guild_id),
        )
    else:
        row = await db.fetchone(
            "SELECT circle_id, version, text, created_at FROM circle_norms"
            " WHERE circle_id = ? AND guild_id = ? AND version = ?",
            (circle_id, guild_id, version),
        )
    if row is None:
        raise UserFacingError("I can't find those norms in this server.")
    return Norms(*tuple(row))


@dataclass(frozen=True)
class NormsSaved:
    circle: Circle
    version: int
    changed: bool                 # False: the text was the same, no new version
    asked_user_ids: tuple[int, ...]  # members asked to agree again
    due_at: datetime | None       # when their access pauses if they have not agreed
    paused_user_ids: tuple[int, ...] = ()  # of those, members whose access was already paused


async def save_norms(
    db: Database, clock: Clock, guild_id: int, circle_id: int, text: str, *, actor_id: int,
    grace_days: int, outbox: Outbox | None,
) -> NormsSaved:
    """Store edited norms as a new version and ask current members, privately, to agree to it."""
    circle = await get_circle(db, guild_id, circle_id)
    if circle.archived:
        raise CircleArchived(f"**{display(circle.name)}** is archived; its norms can't change.")
    cleaned = clean_norms_text(text)
    current = await get_norms(db, guild_id, circle_id)
    if cleaned == current.text:
        return NormsSaved(circle, current.version, False, (), None)
    crisis = await crisis_embed_for(db, guild_id)
    now = clock.now()
    due = now + timedelta(days=grace_days)
    now_iso, due_iso = utcnow_iso(clock), iso_utc(due)
    async with db.transaction() as conn:
        version = current.version + 1
        cursor = await conn.execute(
            "UPDATE circles SET norms_version = ? WHERE id = ? AND guild_id = ? AND norms_version = ?"
            " AND archived_at IS NULL",
            (version, circle_id, guild_id, current.version),
        )
        if cursor.rowcount != 1:
            raise UserFacingError("The norms changed while you were editing them. Open the editor again.")
        await conn.execute(
            "INSERT INTO circle_norms (guild_id, circle_id, version, text, created_by, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (guild_id, circle_id, version, cleaned, actor_id, now_iso),
        )
        # Active members get a fresh deadline (the text they must read is new); paused members
        # stay paused until they agree, and are sent the new text too.
        await conn.execute(
            "UPDATE circle_seats SET reconsent_due_at = ? WHERE guild_id = ? AND circle_id = ? AND status = 'active'"
            " AND consent_version < ?",
            (due_iso, guild_id, circle_id, version),
        )
        rows = await db.fetchall(
            "SELECT user_id, status FROM circle_seats WHERE guild_id = ? AND circle_id = ? AND consent_version < ?"
            " ORDER BY user_id",
            (guild_id, circle_id, version),
        )
        updated = await get_circle(db, guild_id, circle_id)
        if any(row["status"] == "active" for row in rows):
            await schedule_grace_deadline(conn, now, guild_id, circle_id, due)
        for row in rows:
            await enqueue_notice(conn, outbox, reconsent_notice(
                updated, version, cleaned, row["user_id"], due if row["status"] == "active" else None, crisis))
    return NormsSaved(updated, version, True, tuple(r["user_id"] for r in rows), due if rows else None,
                      tuple(r["user_id"] for r in rows if r["status"] == "paused"))


async def pause_overdue(
    db: Database, conn: Conn, clock: Clock, outbox: Outbox | None,
) -> list[RoleChange]:
    """Pause access for members whose grace period ended without agreeing; tell each of them.

    Runs inside the caller's transaction (a scheduler handler's). The seat is kept; the consent
    log records 'paused' with the version they had not agreed to. Returns the roles to remove.
    """
    now_iso = utcnow_iso(clock)
    changes: list[RoleChange] = []
    rows = await db.fetchall(
        "SELECT s.guild_id, s.circle_id, s.user_id FROM circle_seats s"
        " JOIN circles c ON c.id = s.circle_id AND c.guild_id = s.guild_id"
        " WHERE s.status = 'active' AND s.reconsent_due_at IS NOT NULL AND s.reconsent_due_at <= ?"
        " AND c.archived_at IS NULL ORDER BY s.reconsent_due_at, s.circle_id, s.user_id",
        (now_iso,),
    )
    circles: dict[int, Circle] = {}
    for row in rows:
        guild_id, circle_id, user_id = row["guild_id"], row["circle_id"], row["user_id"]
        if circle_id not in circles:
            circles[circle_id] = await get_circle(db, guild_id, circle_id)
        circle = circles[circle_id]
        await conn.execute(
            "UPDATE circle_seats SET status = 'paused', reconsent_due_at = NULL"
            " WHERE guild_id = ? AND circle_id = ? AND user_id = ? AND status = 'active'",
            (guild_id, circle_id, user_id),
        )
        await conn.execute(
            "INSERT INTO consent_log (guild_id, circle_id, user_id, event, norms_version, at)"
            " VALUES (?, ?, ?, 'paused', ?, ?)",
            (guild_id, circle_id, user_id, circle.norms_version, now_iso),
        )
        await enqueue_notice(conn, outbox, access_paused_notice(circle, user_id))
        if circle.role_id:
            changes.append(RoleChange(guild_id, user_id, circle.role_id, False, circle_id, "norms_grace_ended"))
    return changes
