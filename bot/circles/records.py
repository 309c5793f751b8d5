"""Circles: the records, their lookup (always within one server), seat counts, facilitators.

Creating, editing and archiving are in bot/circles/lifecycle.py; seats and consent in
bot/circles/consent.py; the waitlist in bot/circles/waitlist.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.circles import wording
from bot.circles.names import name_key
from bot.core.clock import Clock, utcnow_iso
from bot.core.db import Database, Row
from bot.core.errors import UserFacingError
from bot.core.text import display
from bot.core.typed import typed_id

_CIRCLE_COLUMNS = (
    "id, guild_id, name, description, topics, language, capacity, role_id, text_channel_id,"
    " voice_channel_id, stories_channel_id, norms_version, created_by, created_at, archived_at"
)


class CircleNotFound(UserFacingError):
    pass


class NameTaken(UserFacingError):
    pass


class CircleArchived(UserFacingError):
    pass


@dataclass(frozen=True)
class Circle:
    id: int
    guild_id: int
    name: str
    description: str
    topics: tuple[str, ...]
    language: str
    capacity: int
    role_id: int | None
    text_channel_id: int | None
    voice_channel_id: int | None
    stories_channel_id: int | None
    norms_version: int
    created_by: int
    created_at: str
    archived_at: str | None

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    @classmethod
    def from_row(cls, row: Row | Sequence[Any]) -> Circle:
        values = list(row)
        values[4] = tuple(t for t in values[4].split(",") if t)
        return cls(*values)


@dataclass(frozen=True)
class RoleChange:
    """A Discord role grant or removal the domain decided on; the cog applies it."""

    guild_id: int
    user_id: int
    role_id: int
    add: bool
    circle_id: int
    reason: str  # an event kind for logs and audit reasons, never member text


@dataclass(frozen=True)
class CircleListing:
    circle: Circle
    seats_taken: int
    waiting: int
    facilitator_ids: tuple[int, ...] = field(default=())

    @property
    def seats_left(self) -> int:
        return max(0, self.circle.capacity - self.seats_taken)


async def get_circle(db: Database, guild_id: int, circle_id: int, *, allow_archived: bool = True) -> Circle:
    """The circle with this id in this server; CircleNotFound for any other server's circle."""
    circle = await _circle_by_id(db, guild_id, circle_id)
    if circle is None:
        raise CircleNotFound(wording.CIRCLE_NOT_FOUND)
    return _usable(circle, allow_archived)


async def _circle_by_id(db: Database, guild_id: int, circle_id: int) -> Circle | None:
    row = await db.fetchone(
        f"SELECT {_CIRCLE_COLUMNS} FROM circles WHERE id = ? AND guild_id = ?", (circle_id, guild_id)
    )
    return None if row is None else Circle.from_row(row)


def _usable(circle: Circle, allow_archived: bool) -> Circle:
    if circle.archived and not allow_archived:
        raise CircleArchived(wording.circle_closed(display(circle.name)))
    return circle


async def resolve_circle(db: Database, guild_id: int, text: str, *, allow_archived: bool = False) -> Circle:
    """A circle from an autocomplete value (its id) or a typed name, within this server."""
    text = text.strip()
    circle_id = typed_id(text) if text.isdigit() else None  # a bare number: an id, if one could exist
    if circle_id is not None:
        circle = await _circle_by_id(db, guild_id, circle_id)
        if circle is not None:
            return _usable(circle, allow_archived)
    key = name_key(text)
    row = await db.fetchone(
        f"SELECT {_CIRCLE_COLUMNS} FROM circles WHERE guild_id = ? AND name_key = ?"
        " ORDER BY archived_at IS NOT NULL, id DESC LIMIT 1",
        (guild_id, key),
    )
    if row is None:
        raise CircleNotFound(wording.CIRCLE_NOT_FOUND)
    return _usable(Circle.from_row(row), allow_archived)


async def seats_taken(db: Database, guild_id: int, circle_id: int) -> int:
    """Seats held: members (active or paused) plus seats held open for a waitlist offer."""
    return int(await db.fetchval(_SEATS_TAKEN_SQL, (guild_id, circle_id, guild_id, circle_id)) or 0)


_SEATS_TAKEN_SQL = (
    "SELECT (SELECT count(*) FROM circle_seats WHERE guild_id = ? AND circle_id = ?)"
    " + (SELECT count(*) FROM circle_waitlist WHERE guild_id = ? AND circle_id = ? AND offered_at IS NOT NULL)"
)


async def list_circles(
    db: Database, guild_id: int, *, topic: str | None = None, include_archived: bool = False,
) -> list[CircleListing]:
    """Circles of one server, by name, with seats and waitlist counts."""
    rows = await db.fetchall(
        f"SELECT {', '.join('c.' + c.strip() for c in _CIRCLE_COLUMNS.split(','))},"
        " (SELECT count(*) FROM circle_seats s WHERE s.guild_id = c.guild_id AND s.circle_id = c.id)"
        "  + (SELECT count(*) FROM circle_waitlist w WHERE w.guild_id = c.guild_id AND w.circle_id = c.id"
        "     AND w.offered_at IS NOT NULL),"
        " (SELECT count(*) FROM circle_waitlist w WHERE w.guild_id = c.guild_id AND w.circle_id = c.id"
        "  AND w.offered_at IS NULL)"
        " FROM circles c WHERE c.guild_id = ? AND (? OR c.archived_at IS NULL)"
        " ORDER BY lower(c.name), c.id",
        (guild_id, int(include_archived)),
    )
    listings = [CircleListing(Circle.from_row(tuple(r)[:15]), int(r[15]), int(r[16])) for r in rows]
    if topic is not None:
        listings = [li for li in listings if topic in li.circle.topics]
    return listings


async def autocomplete_circles(
    db: Database, guild_id: int, current: str, *, include_archived: bool = False, limit: int = 25,
) -> list[tuple[str, str]]:
    """(name, id) pairs for a circle option: names containing what was typed, this server only."""
    needle = name_key(current)
    rows = await db.fetchall(
        "SELECT id, name, archived_at FROM circles WHERE guild_id = ? AND (? OR archived_at IS NULL)"
        " AND (? = '' OR instr(name_key, ?) > 0) ORDER BY lower(name) LIMIT ?",
        (guild_id, int(include_archived), needle, needle, limit),
    )
    return [((r["name"] + (" (archived)" if r["archived_at"] else ""))[:100], str(r["id"])) for r in rows]


# -- facilitators ---------------------------------------------------------------------------------

async def facilitator_ids(db: Database, guild_id: int, circle_id: int) -> tuple[int, ...]:
    rows = await db.fetchall(
        "SELECT user_id FROM circle_facilitators WHERE guild_id = ? AND circle_id = ? ORDER BY added_at, user_id",
        (guild_id, circle_id),
    )
    return tuple(r[0] for r in rows)


async def add_facilitator(db: Database, clock: Clock, circle: Circle, user_id: int, added_by: int) -> bool:
    """True if added, False if they already facilitate it."""
    if circle.archived:
        raise CircleArchived(f"**{display(circle.name)}** is archived.")
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO circle_facilitators (guild_id, circle_id, user_id, added_by, added_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (circle.guild_id, circle.id, user_id, added_by, utcnow_iso(clock)),
        )
        return cursor.rowcount == 1


async def remove_facilitator(db: Database, circle: Circle, user_id: int) -> bool:
    """True if removed, False if they were not a facilitator."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "DELETE FROM circle_facilitators WHERE guild_id = ? AND circle_id = ? AND user_id = ?",
            (circle.guild_id, circle.id, user_id),
        )
        return cursor.rowcount == 1


async def facilitated_circles(db: Database, guild_id: int, user_id: int) -> list[int]:
    """Ids of the open circles in this server that the member facilitates."""
    rows = await db.fetchall(
        "SELECT f.circle_id FROM circle_facilitators f JOIN circles c ON c.id = f.circle_id"
        " WHERE f.guild_id = ? AND f.user_id = ? AND c.archived_at IS NULL",
        (guild_id, user_id),
    )
    return [r[0] for r in rows]


async def facilitates_any(db: Database, guild_id: int, user_id: int) -> bool:
    """Whether the member facilitates at least one open circle in this server (e.g. for /help)."""
    return bool(await facilitated_circles(db, guild_id, user_id))


async def circle_using_channel(db: Database, guild_id: int, channel_id: int) -> str | None:
    """The name of the open circle whose channel this is, if any (one channel, one circle)."""
    return await db.fetchval(
        "SELECT name FROM circles WHERE guild_id = ? AND archived_at IS NULL"
        " AND ? IN (text_channel_id, voice_channel_id, stories_channel_id)",
        (guild_id, channel_id),
    )
