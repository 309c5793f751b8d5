"""Server settings the circles capability adds to /setup (columns added by 0004_circles.sql).

Kept apart from bot/core/guild_settings.py, whose upsert names only its own columns, so saving either
leaves the other's values as they were.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from bot.core.clock import Clock, utcnow_iso
from bot.core.db import Database
from bot.core.errors import UserFacingError

STORIES_MODES = ("none", "forum", "threads")
GRACE_DAYS_MIN = 1
GRACE_DAYS_MAX = 30
DEFAULT_GRACE_DAYS = 7


@dataclass(frozen=True)
class CircleSettings:
    guild_id: int
    # Days members keep access after norms change, before it pauses until they agree.
    grace_days: int = DEFAULT_GRACE_DAYS
    # Where new server members are greeted (None: no welcome post).
    welcome_channel_id: int | None = None
    # Whether each new circle gets a stories channel, and of which kind.
    stories_mode: str = "none"
    # Whether the organiser chose the crisis-resources region in /setup (0012_setup_region.sql).
    region_chosen: bool = False


_COLUMNS = ("grace_days", "welcome_channel_id", "stories_mode", "crisis_region_chosen")


async def get_circle_settings(db: Database, guild_id: int) -> CircleSettings:
    row = await db.fetchone(f"SELECT {', '.join(_COLUMNS)} FROM guild_settings WHERE guild_id = ?", (guild_id,))
    if row is None:
        return CircleSettings(guild_id=guild_id)
    grace, welcome, stories, chosen = tuple(row)
    return CircleSettings(guild_id, grace, welcome, stories, bool(chosen))


def validate_circle_settings(settings: CircleSettings) -> None:
    if not GRACE_DAYS_MIN <= settings.grace_days <= GRACE_DAYS_MAX:
        raise UserFacingError(
            f"The grace period for new norms must be {GRACE_DAYS_MIN} to {GRACE_DAYS_MAX} days."
        )
    if settings.stories_mode not in STORIES_MODES:
        raise UserFacingError("Stories channels can be: none, forum or threads.")


async def save_circle_settings(db: Database, clock: Clock, settings: CircleSettings) -> CircleSettings:
    validate_circle_settings(settings)
    values = [settings.grace_days, settings.welcome_channel_id, settings.stories_mode, int(settings.region_chosen)]
    updates = ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS)
    await db.execute(
        f"INSERT INTO guild_settings (guild_id, {', '.join(_COLUMNS)}, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
        f" ON CONFLICT(guild_id) DO UPDATE SET {updates}, updated_at = excluded.updated_at",
        (settings.guild_id, *values, utcnow_iso(clock)),
    )
    return settings


async def update_circle_setting(
    db: Database, clock: Clock, guild_id: int, column: str, value: Any,
) -> CircleSettings:
    """Change ONE circle setting and nothing else (two organisers at once both keep their choice)."""
    if column not in _COLUMNS:
        raise ValueError(f"unknown circle setting {column!r}")
    field = "region_chosen" if column == "crisis_region_chosen" else column
    validate_circle_settings(replace(CircleSettings(guild_id), **{field: value}))
    value = int(value) if isinstance(value, bool) else value
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO guild_settings (guild_id, updated_at) VALUES (?, ?) ON CONFLICT(guild_id) DO NOTHING",
            (guild_id, utcnow_iso(clock)),
        )
        await conn.execute(f"UPDATE guild_settings SET {column} = ?, updated_at = ? WHERE guild_id = ?",
                           (value, utcnow_iso(clock), guild_id))
    return await get_circle_settings(db, guild_id)
