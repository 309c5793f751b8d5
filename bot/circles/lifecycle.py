"""Creating, editing and archiving circles: the rules; the cog makes the Discord objects.

Creating is two steps around the Discord calls: ``prepare_circle`` validates everything before
anything is made, ``record_circle`` stores the circle once its role and channels exist (and
raises NameTaken if someone took the name meanwhile, so the cog removes what it made).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot.circles.catalogue import parse_language, parse_topics
from bot.circles.names import clean_description, clean_name, name_key
from bot.circles.norms import clean_norms_text
from bot.circles.notices import Outbox, circle_archived_notice, enqueue_notice
from bot.circles.records import Circle, CircleArchived, NameTaken, get_circle, seats_taken
from bot.circles.waitlist import fill_free_seats
from bot.core.clock import Clock, utcnow_iso
from bot.core.db import Database, IntegrityError
from bot.core.errors import UserFacingError
from bot.core.text import display

CAPACITY_MIN = 2
CAPACITY_MAX = 30


@dataclass(frozen=True)
class CircleDraft:
    """A validated request to create a circle, before its Discord objects exist."""

    guild_id: int
    name: str
    description: str
    topics: tuple[str, ...]
    language: str
    capacity: int


def validate_capacity(capacity: int) -> int:
    if not CAPACITY_MIN <= capacity <= CAPACITY_MAX:
        raise UserFacingError(f"A circle holds {CAPACITY_MIN} to {CAPACITY_MAX} members; {capacity} is outside that.")
    return capacity


def _taken(name: str) -> NameTaken:
    return NameTaken(f"There is already a circle called **{display(name)}** here. Choose another name.")


async def _name_free(db: Database, guild_id: int, name: str, except_circle_id: int | None = None) -> None:
    row = await db.fetchone(
        "SELECT name FROM circles WHERE guild_id = ? AND name_key = ? AND archived_at IS NULL"
        " AND id IS DISTINCT FROM ?",
        (guild_id, name_key(name), except_circle_id),
    )
    if row is not None:
        raise _taken(row["name"])


async def prepare_circle(
    db: Database, guild_id: int, *, name: str, description: str, topics: str | Sequence[str],
    language: str, capacity: int,
) -> CircleDraft:
    """Validate everything a new circle needs; raise UserFacingError naming the first problem."""
    draft = CircleDraft(
        guild_id=guild_id,
        name=clean_name(name),
        description=clean_description(description),
        topics=parse_topics(topics),
        language=parse_language(language),
        capacity=validate_capacity(capacity),
    )
    await _name_free(db, guild_id, draft.name)
    return draft


async def record_circle(
    db: Database, clock: Clock, draft: CircleDraft, *, created_by: int, norms_text: str,
    role_id: int | None, text_channel_id: int | None, voice_channel_id: int | None,
    stories_channel_id: int | None = None,
) -> Circle:
    """Store a circle whose Discord objects now exist, with its norms as version 1."""
    text = clean_norms_text(norms_text)
    now = utcnow_iso(clock)
    try:
        async with db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO circles (guild_id, name, name_key, description, topics, language, capacity, role_id,"
                " text_channel_id, voice_channel_id, stories_channel_id, norms_version, created_by, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
                (draft.guild_id, draft.name, name_key(draft.name), draft.description, ",".join(draft.topics),
                 draft.language, draft.capacity, role_id, text_channel_id, voice_channel_id, stories_channel_id,
                 created_by, now),
            )
            circle_id = int(cursor.lastrowid or 0)
            await conn.execute(
                "INSERT INTO circle_norms (guild_id, circle_id, version, text, created_by, created_at)"
                " VALUES (?, ?, 1, ?, ?, ?)",
                (draft.guild_id, circle_id, text, created_by, now),
            )
    except IntegrityError:
        raise _taken(draft.name) from None
    return await get_circle(db, draft.guild_id, circle_id)


@dataclass(frozen=True)
class CircleEdit:
    """What /circle-admin edit changes (None: unchanged)."""

    name: str | None = None
    description: str | None = None
    topics: str | None = None
    language: str | None = None
    capacity: int | None = None


async def prepare_edit(db: Database, circle: Circle, edit: CircleEdit) -> Circle:
    """The circle as it would be after the edit, validated; nothing is stored yet."""
    if circle.archived:
        raise CircleArchived(f"**{display(circle.name)}** is archived; archived circles can't be edited.")
    changes: dict[str, Any] = {}
    if edit.name is not None:
        changes["name"] = clean_name(edit.name)
        await _name_free(db, circle.guild_id, changes["name"], except_circle_id=circle.id)
    if edit.description is not None:
        changes["description"] = clean_description(edit.description)
    if edit.topics is not None:
        changes["topics"] = parse_topics(edit.topics)
    if edit.language is not None:
        changes["language"] = parse_language(edit.language)
    if edit.capacity is not None:
        capacity = validate_capacity(edit.capacity)
        held = await seats_taken(db, circle.guild_id, circle.id)  # members, and seats held for a waitlist offer
        if capacity < held:
            raise UserFacingError(
                f"**{display(circle.name)}** has {held} seats taken (members and seats held for people on the"
                f" waitlist), so its capacity can't go below {held}. Nobody is removed to make room."
            )
        changes["capacity"] = capacity
    if not changes:
        raise UserFacingError("Nothing to change: give at least one new value.")
    return replace(circle, **changes)


async def store_edit(db: Database, clock: Clock, updated: Circle, outbox: Outbox | None) -> Circle:
    """Store an edited circle; seats a larger capacity adds are offered to the waitlist at once."""
    try:
        async with db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE circles SET name = ?, name_key = ?, description = ?, topics = ?, language = ?, capacity = ?"
                " WHERE id = ? AND guild_id = ? AND archived_at IS NULL"
                " AND ? >= (SELECT count(*) FROM circle_seats WHERE guild_id = ? AND circle_id = ?)"
                "  + (SELECT count(*) FROM circle_waitlist WHERE guild_id = ? AND circle_id = ?"
                "     AND offered_at IS NOT NULL)",
                (updated.name, name_key(updated.name), updated.description, ",".join(updated.topics),
                 updated.language, updated.capacity, updated.id, updated.guild_id, updated.capacity,
                 updated.guild_id, updated.id, updated.guild_id, updated.id),
            )
            if cursor.rowcount != 1:
                raise UserFacingError(
                    f"**{display(updated.name)}** changed meanwhile (archived, or more members joined). Try again."
                )
            await fill_free_seats(db, conn, clock, updated, outbox)
    except IntegrityError:
        raise _taken(updated.name) from None
    return await get_circle(db, updated.guild_id, updated.id)


@dataclass(frozen=True)
class ArchiveResult:
    circle: Circle
    member_ids: tuple[int, ...]       # lost access (told privately)
    waiting_ids: tuple[int, ...]      # lost their waitlist place (told privately)
    facilitator_ids: tuple[int, ...]  # their channel access is removed too
    role_id: int | None               # the role to delete, freeing it


async def archive_circle(
    db: Database, clock: Clock, guild_id: int, circle_id: int, outbox: Outbox | None,
) -> ArchiveResult:
    """Close a circle: seats and waitlist end (logged), history stays, everyone affected is told."""
    now = utcnow_iso(clock)
    async with db.transaction() as conn:
        circle = await get_circle(db, guild_id, circle_id)
        if circle.archived:
            raise CircleArchived(f"**{display(circle.name)}** is already archived.")
        await conn.execute(
            "UPDATE circles SET archived_at = ? WHERE id = ? AND guild_id = ?", (now, circle_id, guild_id)
        )
        members = [r[0] for r in await db.fetchall(
            "SELECT user_id FROM circle_seats WHERE guild_id = ? AND circle_id = ? ORDER BY joined_at, user_id",
            (guild_id, circle_id))]
        waiting = [r[0] for r in await db.fetchall(
            "SELECT user_id FROM circle_waitlist WHERE guild_id = ? AND circle_id = ? ORDER BY id",
            (guild_id, circle_id))]
        facilitators = [r[0] for r in await db.fetchall(
            "SELECT user_id FROM circle_facilitators WHERE guild_id = ? AND circle_id = ? ORDER BY user_id",
            (guild_id, circle_id))]
        versions: dict[int, int] = dict(await db.fetchall(  # type: ignore[arg-type]  # rows are (id, version) pairs
            "SELECT user_id, consent_version FROM circle_seats WHERE guild_id = ? AND circle_id = ?",
            (guild_id, circle_id)))
        await conn.executemany(
            "INSERT INTO consent_log (guild_id, circle_id, user_id, event, norms_version, at)"
            " VALUES (?, ?, ?, 'archived', ?, ?)",
            [(guild_id, circle_id, uid, versions[uid], now) for uid in members],
        )
        for table in ("circle_seats", "circle_waitlist", "circle_facilitators"):
            await conn.execute(f"DELETE FROM {table} WHERE guild_id = ? AND circle_id = ?", (guild_id, circle_id))
        archived = await get_circle(db, guild_id, circle_id)
        for uid in dict.fromkeys([*members, *waiting]):
            await enqueue_notice(conn, outbox, circle_archived_notice(archived, uid))
    return ArchiveResult(archived, tuple(members), tuple(waiting), tuple(facilitators), circle.role_id)
