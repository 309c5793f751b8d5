"""A server's story settings (table ``story_settings``): daily limit, minimum length, review, delay."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.clock import Clock, utcnow_iso
from bot.core.db import Conn, Database
from bot.core.errors import UserFacingError

REVIEW_MODES = ("off", "new", "all")
MAX_STORY = 4000


@dataclass(frozen=True)
class StorySettings:
    guild_id: int
    daily_limit: int = 3
    min_length: int = 20
    review_mode: str = "off"
    # On by default: a post appearing the second someone pressed Post points to whoever was online.
    delay: bool = True


async def get_story_settings(db: Database, guild_id: int) -> StorySettings:
    row = await db.fetchone(
        "SELECT daily_limit, min_length, review_mode, delay FROM story_settings WHERE guild_id = ?", (guild_id,))
    if row is None:
        return StorySettings(guild_id)
    return StorySettings(guild_id, int(row[0]), int(row[1]), str(row[2]), bool(row[3]))


def validate(settings: StorySettings) -> None:
    if not 1 <= settings.daily_limit <= 50:
        raise UserFacingError("The daily limit must be between 1 and 50 stories.")
    if not 1 <= settings.min_length <= MAX_STORY:
        raise UserFacingError(f"The minimum length must be between 1 and {MAX_STORY:,} characters.")
    if settings.review_mode not in REVIEW_MODES:
        raise UserFacingError("Review must be off, new (new members) or all.")


async def save_story_settings(db: Database, clock: Clock, settings: StorySettings,
                              actor_id: int | None = None) -> StorySettings:
    """Store the settings and record the change in story_audit (story 0: the server's settings)."""
    validate(settings)
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO story_settings (guild_id, daily_limit, min_length, review_mode, delay, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET daily_limit = excluded.daily_limit,"
            " min_length = excluded.min_length, review_mode = excluded.review_mode, delay = excluded.delay,"
            " updated_at = excluded.updated_at",
            (settings.guild_id, settings.daily_limit, settings.min_length, settings.review_mode, int(settings.delay),
             utcnow_iso(clock)),
        )
        await conn.execute(
            "INSERT INTO story_audit (guild_id, story_id, number, actor_id, action, detail, at)"
            " VALUES (?, 0, 0, ?, 'settings', ?, ?)",
            (settings.guild_id, actor_id, f"daily_limit={settings.daily_limit} min_length={settings.min_length}"
             f" review={settings.review_mode} delay={int(settings.delay)}", utcnow_iso(clock)))
    return settings


async def take_number(conn: Conn, clock: Clock, guild_id: int) -> int:
    """The next "Story #N" of this server, in the caller's transaction."""
    await conn.execute(
        "INSERT INTO story_settings (guild_id, delay, updated_at) VALUES (?, ?, ?) ON CONFLICT (guild_id) DO NOTHING",
        (guild_id, int(StorySettings(guild_id).delay), utcnow_iso(clock)))
    async with conn.execute(
        "UPDATE story_settings SET next_number = next_number + 1 WHERE guild_id = ? RETURNING next_number - 1",
        (guild_id,),
    ) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])
