"""Per-server settings chosen in /setup: roles, queue channel, crisis region, circle category."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from bot.core.clock import Clock, utcnow_iso
from bot.core.config import is_region_code, is_time_zone
from bot.core.db import Database
from bot.core.errors import UserFacingError


@dataclass(frozen=True)
class GuildSettings:
    guild_id: int
    organiser_role_id: int | None = None
    moderator_role_id: int | None = None
    queue_channel_id: int | None = None
    oncall_role_id: int | None = None
    crisis_region: str = "US"
    circle_category_id: int | None = None
    timezone: str = "UTC"
    setup_done: bool = False


_COLUMNS = (
    "organiser_role_id", "moderator_role_id", "queue_channel_id", "oncall_role_id",
    "crisis_region", "circle_category_id", "timezone", "setup_done",
)


async def get_settings(
    db: Database, guild_id: int, default_region: str = "US", default_timezone: str = "UTC"
) -> GuildSettings:
    """The server's settings, or defaults (setup_done=False) when it has not run /setup.

    The defaults are the config's ``bot.default_region`` and ``bot.default_timezone``.
    """
    row = await db.fetchone(
        f"SELECT {', '.join(_COLUMNS)} FROM guild_settings WHERE guild_id = ?", (guild_id,)
    )
    if row is None:
        return GuildSettings(guild_id=guild_id, crisis_region=default_region, timezone=default_timezone)
    values = dict(zip(_COLUMNS, tuple(row), strict=True))
    values["setup_done"] = bool(values["setup_done"])
    return GuildSettings(guild_id=guild_id, **values)


def validate_settings(settings: GuildSettings) -> None:
    """Refuse, with a reason the organiser can act on, a value that cannot be stored."""
    if not is_region_code(settings.crisis_region):
        raise UserFacingError("The crisis-resources region must be a two-letter country code.")
    if not is_time_zone(settings.timezone):
        raise UserFacingError(f"{settings.timezone!r} is not a time zone name such as Europe/London.")


async def save_settings(db: Database, clock: Clock, settings: GuildSettings) -> GuildSettings:
    validate_settings(settings)
    settings = replace(settings, crisis_region=settings.crisis_region.upper())
    values = [getattr(settings, c) for c in _COLUMNS]
    values[_COLUMNS.index("setup_done")] = int(settings.setup_done)
    placeholders = ", ".join("?" for _ in _COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS)
    await db.execute(
        f"INSERT INTO guild_settings (guild_id, {', '.join(_COLUMNS)}, updated_at)"
        f" VALUES (?, {placeholders}, ?)"
        f" ON CONFLICT(guild_id) DO UPDATE SET {updates}, updated_at = excluded.updated_at",
        (settings.guild_id, *values, utcnow_iso(clock)),
    )
    return settings


async def update_setting(
    db: Database, clock: Clock, guild_id: int, column: str, value: Any,
    default_region: str = "US", default_timezone: str = "UTC",
) -> GuildSettings:
    """Change ONE setting and nothing else, so two organisers saving different settings at once
    both keep their choice (saving a whole row from an earlier read would undo the other's).
    A server's first row starts from the config's defaults. Returns the settings as now stored."""
    if column not in _COLUMNS:
        raise ValueError(f"unknown guild setting {column!r}")
    if column == "crisis_region" and isinstance(value, str):
        value = value.upper()
    probe = replace(GuildSettings(guild_id, crisis_region=default_region, timezone=default_timezone),
                    **{column: value})
    validate_settings(probe)
    stored = int(value) if column == "setup_done" else value
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO guild_settings (guild_id, crisis_region, timezone, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(guild_id) DO NOTHING",
            (guild_id, default_region.upper(), default_timezone, utcnow_iso(clock)),
        )
        await conn.execute(
            f"UPDATE guild_settings SET {column} = ?, updated_at = ? WHERE guild_id = ?",
            (stored, utcnow_iso(clock), guild_id),
        )
    return await get_settings(db, guild_id, default_region, default_timezone)
