"""Curated resources: a trusted list per server (circle_id NULL) and per circle, kept in order.

Only organisers (server list) and a circle's facilitators or organisers (circle list) change them;
the cog checks that in the bot. Web addresses must be http(s) with a host and fit ``URL_MAX``;
titles and notes are screened (swearing and slurs are refused: these are the server's own words).
Crisis language is expected here (mental-health services) and is not a reason to refuse.
Every change is audited.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from bot import screening
from bot.coping import audit, wording
from bot.coping.cards import ResourceView
from bot.coping.vetting import normalise
from bot.core.clock import Clock, utcnow_iso
from bot.core.db import Database
from bot.core.errors import UserFacingError
from bot.screening.profanity import WordSettings

URL_MAX = 500
TITLE_MAX = 100
NOTE_MAX = 300
PER_LIST_MAX = 25


def check_url(raw: str) -> str:
    url = (raw or "").strip()
    bad = UserFacingError(wording.BAD_URL.format(limit=URL_MAX))
    if not url or len(url) > URL_MAX or any(ch.isspace() or ch in "<>\"'`" for ch in url):
        raise bad
    try:
        parts = urlsplit(url)
    except ValueError:
        raise bad from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or "." not in parts.hostname:
        raise bad
    return url


def check_title(raw: str) -> str:
    title = " ".join(normalise(raw or "").split())
    if not title or len(title) > TITLE_MAX:
        raise UserFacingError(wording.BAD_TITLE.format(limit=TITLE_MAX))
    return title


def check_note(raw: str | None) -> str:
    note = " ".join(normalise(raw or "").split())
    if len(note) > NOTE_MAX:
        raise UserFacingError(wording.BAD_NOTE.format(limit=NOTE_MAX))
    return note


def _scope(circle_id: int | None) -> tuple[str, list[Any]]:
    if circle_id is None:
        return "circle_id IS NULL", []
    return "circle_id = ?", [circle_id]


async def list_resources(db: Database, guild_id: int, circle_id: int | None) -> list[ResourceView]:
    where, params = _scope(circle_id)
    rows = await db.fetchall(
        f"SELECT id, circle_id, title, url, note FROM coping_resources WHERE guild_id = ? AND {where}"
        " ORDER BY position, id", [guild_id, *params])
    return [ResourceView(*tuple(r)) for r in rows]


async def get_resource(db: Database, guild_id: int, resource_id: int) -> ResourceView:
    row = await db.fetchone(
        "SELECT id, circle_id, title, url, note FROM coping_resources WHERE guild_id = ? AND id = ?",
        (guild_id, resource_id))
    if row is None:
        raise UserFacingError(wording.RESOURCE_NOT_FOUND.format(id=resource_id))
    return ResourceView(*tuple(row))


async def add_resource(db: Database, clock: Clock, *, guild_id: int, circle_id: int | None, title: str, url: str,
                       note: str | None, actor_id: int, words: WordSettings | None = None) -> ResourceView:
    title, url, note = check_title(title), check_url(url), check_note(note)
    if screening.contains(title, words) or screening.contains(note, words):
        raise UserFacingError(wording.RESOURCE_TEXT_PROFANE)
    where, params = _scope(circle_id)
    async with db.transaction() as conn:
        async with conn.execute(f"SELECT COUNT(*), COALESCE(MAX(position), 0) FROM coping_resources"
                                f" WHERE guild_id = ? AND {where}", [guild_id, *params]) as cursor:
            count, last = await cursor.fetchone()  # type: ignore[misc]
        if count >= PER_LIST_MAX:
            raise UserFacingError(wording.TOO_MANY_RESOURCES.format(limit=PER_LIST_MAX))
        cursor = await conn.execute(
            "INSERT INTO coping_resources (guild_id, circle_id, title, url, note, position, added_by, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (guild_id, circle_id, title, url, note, last + 1, actor_id, utcnow_iso(clock)))
        resource_id = int(cursor.lastrowid or 0)
        await audit.record(conn, clock, guild_id=guild_id, circle_id=circle_id, actor_id=actor_id,
                           action="resource_add", target_kind="resource", target_id=resource_id)
    return ResourceView(resource_id, circle_id, title, url, note)


async def remove_resource(db: Database, clock: Clock, guild_id: int, resource_id: int, actor_id: int) -> None:
    found = await get_resource(db, guild_id, resource_id)
    async with db.transaction() as conn:
        await conn.execute("DELETE FROM coping_resources WHERE guild_id = ? AND id = ?", (guild_id, resource_id))
        await audit.record(conn, clock, guild_id=guild_id, circle_id=found.circle_id, actor_id=actor_id,
                           action="resource_remove", target_kind="resource", target_id=resource_id)


async def move_resource(db: Database, clock: Clock, guild_id: int, resource_id: int, position: int,
                        actor_id: int) -> int:
    """Put a resource at ``position`` (1 = first) in its list; returns the position it got."""
    found = await get_resource(db, guild_id, resource_id)
    where, params = _scope(found.circle_id)
    async with db.transaction() as conn:
        async with conn.execute(f"SELECT id FROM coping_resources WHERE guild_id = ? AND {where}"
                                " ORDER BY position, id", [guild_id, *params]) as cursor:
            ids = [int(r[0]) for r in await cursor.fetchall()]
        ids.remove(resource_id)
        index = min(max(position, 1), len(ids) + 1) - 1
        ids.insert(index, resource_id)
        await conn.executemany("UPDATE coping_resources SET position = ? WHERE guild_id = ? AND id = ?",
                               [(i + 1, guild_id, rid) for i, rid in enumerate(ids)])
        await audit.record(conn, clock, guild_id=guild_id, circle_id=found.circle_id, actor_id=actor_id,
                           action="resource_move", target_kind="resource", target_id=resource_id)
    return index + 1
