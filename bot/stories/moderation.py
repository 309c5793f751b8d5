"""Moderators' actions on stories: remove, block the (unknown) author, unblock. Each is audited.

``block_author_of_story`` is also what a case action calls: it blocks by the story's one-way
author key, so nobody, moderators included, learns who the author is. ``block_member`` is the
case action for a case about a known member: it blocks by ``keys.member_block_key`` (not the
author key), so the block row cannot be matched to that member's past stories.
"""

from __future__ import annotations

from datetime import timedelta

from bot.core.clock import Clock, iso_utc
from bot.core.db import Conn
from bot.core.errors import UserFacingError
from bot.delivery import schedules
from bot.stories import wording
from bot.stories.keys import member_block_key
from bot.stories.records import PUBLISH_KIND, Story, audit, story_by_number

MAX_BLOCK_DAYS = 365


async def remove_story(conn: Conn, clock: Clock, guild_id: int, number: int, moderator_id: int,
                       reason: str) -> Story:
    """Mark a story removed (its text goes); the cog deletes the post. Returns the story as it was."""
    story = await story_by_number(conn, guild_id, number)
    if story.state == "removed":
        raise UserFacingError(wording.ALREADY_HANDLED.format(state="removed"))
    await conn.execute(
        "UPDATE stories SET state = 'removed', decline_reason = ?, body = NULL, title = NULL, content_warning = NULL"
        " WHERE guild_id = ? AND id = ?", (reason, guild_id, story.id))
    await schedules.delete_for_owner(conn, guild_id, PUBLISH_KIND, story.id)
    await audit(conn, clock, story, "removed", actor_id=moderator_id, detail=reason)
    return story


async def block_author_of_story(conn: Conn, clock: Clock, *, guild_id: int, number: int,
                                days: int, moderator_id: int, reason: str = "") -> tuple[Story, str]:
    """Block the author of story #number from sharing for ``days``; returns (story, until ISO)."""
    if not 1 <= days <= MAX_BLOCK_DAYS:
        raise UserFacingError(f"A block lasts between 1 and {MAX_BLOCK_DAYS} days.")
    story = await story_by_number(conn, guild_id, number)
    until = iso_utc(clock.now() + timedelta(days=days))
    await conn.execute(
        "INSERT INTO story_blocks (guild_id, author_key, until, story_id, reason, created_at) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (guild_id, author_key) DO UPDATE SET until = excluded.until, story_id = excluded.story_id,"
        " reason = excluded.reason, created_at = excluded.created_at",
        (guild_id, story.author_key, until, story.id, reason, iso_utc(clock.now())))
    await audit(conn, clock, story, "blocked", actor_id=moderator_id, detail=f"{days} days. {reason}".strip())
    return story, until


async def block_member(conn: Conn, clock: Clock, *, guild_id: int, user_id: int, days: int,
                       reason: str = "") -> str:
    """Block a known member (a case's subject) from sharing for ``days``; returns the until (ISO).

    Stored by the member's own block key with no story (``story_id`` 0) and no audit row: the case
    records who did it and why."""
    if not 1 <= days <= MAX_BLOCK_DAYS:
        raise UserFacingError(f"A block lasts between 1 and {MAX_BLOCK_DAYS} days.")
    until = iso_utc(clock.now() + timedelta(days=days))
    await conn.execute(
        "INSERT INTO story_blocks (guild_id, author_key, until, story_id, reason, created_at) VALUES (?, ?, ?, 0, ?, ?)"
        " ON CONFLICT (guild_id, author_key) DO UPDATE SET until = excluded.until, reason = excluded.reason,"
        " created_at = excluded.created_at",
        (guild_id, member_block_key(guild_id, user_id), until, reason, iso_utc(clock.now())))
    return until


async def unblock_author_of_story(conn: Conn, clock: Clock, *, guild_id: int, number: int,
                                  moderator_id: int) -> tuple[Story, bool]:
    story = await story_by_number(conn, guild_id, number)
    cursor = await conn.execute("DELETE FROM story_blocks WHERE guild_id = ? AND author_key = ?",
                                (guild_id, story.author_key))
    if cursor.rowcount:
        await audit(conn, clock, story, "unblocked", actor_id=moderator_id)
    return story, cursor.rowcount > 0
