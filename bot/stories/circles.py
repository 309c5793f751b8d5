"""Which circles a member may share a story in: open circles they hold an active seat in (so
have agreed to the current norms) that have a stories channel."""

from __future__ import annotations

from bot.circles.consent import seat_of
from bot.circles.names import name_key
from bot.circles.records import Circle, get_circle, resolve_circle
from bot.core.db import Database
from bot.core.errors import UserFacingError
from bot.core.text import display
from bot.stories import wording


async def circle_to_share_in(db: Database, guild_id: int, text: str, user_id: int) -> Circle:
    return await may_share_in(db, guild_id, await resolve_circle(db, guild_id, text), user_id)


async def seated_circle(db: Database, guild_id: int, circle_id: int, user_id: int) -> Circle:
    """The circle a story form or preview names, checked again when it comes back: the id rides in
    the form's custom_id, which the member's client returns, and a seat may have ended since."""
    return await may_share_in(db, guild_id, await get_circle(db, guild_id, circle_id, allow_archived=False), user_id)


async def may_share_in(db: Database, guild_id: int, circle: Circle, user_id: int) -> Circle:
    seat = await seat_of(db, guild_id, circle.id, user_id)
    if seat is None or seat["status"] != "active":
        raise UserFacingError(wording.NOT_A_MEMBER)
    if not circle.stories_channel_id:
        raise UserFacingError(wording.STORIES_OFF.format(circle=display(circle.name)))
    return circle


async def shareable_choices(db: Database, guild_id: int, user_id: int, current: str,
                            limit: int = 25) -> list[tuple[str, str]]:
    """(name, id) of the member's circles that take stories, names containing what was typed."""
    needle = name_key(current)
    rows = await db.fetchall(
        "SELECT c.id, c.name FROM circles c JOIN circle_seats s ON s.circle_id = c.id AND s.guild_id = c.guild_id"
        " WHERE c.guild_id = ? AND s.user_id = ? AND s.status = 'active' AND c.archived_at IS NULL"
        " AND c.stories_channel_id IS NOT NULL AND (? = '' OR instr(c.name_key, ?) > 0)"
        " ORDER BY lower(c.name) LIMIT ?",
        (guild_id, user_id, needle, needle, limit))
    return [(str(r["name"])[:100], str(r["id"])) for r in rows]
