"""Crisis services a server adds to its own crisis card (a local line, a campus service...).

Organisers add them; ``crisis_resources.crisis_card(region, extra_entries=...)`` shows them first.
Every query is scoped by guild id; bad input is refused with a reason and changes nothing.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

from bot.core.clock import Clock, utcnow_iso
from bot.core.db import Database
from bot.core.errors import UserFacingError
from bot.safety.resources import CrisisService

MAX_PER_SERVER = 10
MAX_NAME = 80
MAX_CONTACT = 60
MAX_WEB = 200
MAX_DETAIL = 80
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-.]{1,38}$")
FULL = f"This server already has {MAX_PER_SERVER} of its own services; remove one first."


def _clean(value: str | None, limit: int, what: str) -> str | None:
    if value is None:
        return None
    value = " ".join(str(value).split())
    if not value:
        return None
    if len(value) > limit:
        raise UserFacingError(f"The {what} can be at most {limit} characters long.")
    return value


def validate_entry(name: str, phone: str | None = None, text: str | None = None, web: str | None = None,
                   hours: str | None = None, language: str | None = None) -> CrisisService:
    """A checked entry, or UserFacingError saying what to fix."""
    clean_name = _clean(name, MAX_NAME, "name")
    if not clean_name:
        raise UserFacingError("Give the service a name.")
    clean_phone = _clean(phone, MAX_CONTACT, "phone number")
    if clean_phone and not _PHONE.match(clean_phone):
        raise UserFacingError(
            "The phone number can only have digits, spaces, brackets, dashes and a leading +."
        )
    clean_text = _clean(text, MAX_CONTACT, "text line")
    clean_web = _clean(web, MAX_WEB, "web address")
    if clean_web:
        parsed = urlparse(clean_web)
        if parsed.scheme != "https" or not parsed.netloc or " " in clean_web:
            raise UserFacingError("The web address must start with https://")
    if not (clean_phone or clean_text or clean_web):
        raise UserFacingError(
            "Add at least one way to reach the service: a phone number, a text line or a web address."
        )
    clean_language = _clean(language, MAX_DETAIL, "language")
    return CrisisService(
        name=clean_name,
        phone=clean_phone,
        text=clean_text,
        web=clean_web,
        hours=_clean(hours, MAX_DETAIL, "opening hours"),
        languages=(clean_language,) if clean_language else (),
    )


async def require_room(db: Database, guild_id: int) -> None:
    """Refuse early (before an organiser types a whole entry) when the server has no room left.

    ``add_entry`` checks again in its transaction, so this is a courtesy, not the guard.
    """
    count = await db.fetchval("SELECT COUNT(*) FROM local_crisis_resources WHERE guild_id = ?", (guild_id,))
    if int(count or 0) >= MAX_PER_SERVER:
        raise UserFacingError(FULL)


async def add_entry(db: Database, clock: Clock, guild_id: int, entry: CrisisService) -> int:
    """Store a validated entry (see ``validate_entry``); returns its id."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "SELECT COUNT(*) FROM local_crisis_resources WHERE guild_id = ?", (guild_id,)
        )
        (count,) = await cursor.fetchone()  # type: ignore[misc]
        if count >= MAX_PER_SERVER:
            raise UserFacingError(FULL)
        cursor = await conn.execute(
            "INSERT INTO local_crisis_resources (guild_id, name, phone, text_contact, web, hours, language,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (guild_id, entry.name, entry.phone, entry.text, entry.web, entry.hours,
             entry.languages[0] if entry.languages else None, utcnow_iso(clock)),
        )
        return int(cursor.lastrowid or 0)


async def list_entries(db: Database, guild_id: int) -> list[tuple[int, CrisisService]]:
    """(id, service) for this server's entries, oldest first."""
    rows = await db.fetchall(
        "SELECT id, name, phone, text_contact, web, hours, language FROM local_crisis_resources"
        " WHERE guild_id = ? ORDER BY id",
        (guild_id,),
    )
    return [
        (row[0], CrisisService(name=row[1], phone=row[2], text=row[3], web=row[4], hours=row[5],
                               languages=(row[6],) if row[6] else ()))
        for row in rows
    ]


async def remove_entry(db: Database, guild_id: int, entry_id: int) -> bool:
    """Remove one of this server's entries; False if it has no entry with that id."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "DELETE FROM local_crisis_resources WHERE guild_id = ? AND id = ?", (guild_id, entry_id)
        )
        return cursor.rowcount > 0
