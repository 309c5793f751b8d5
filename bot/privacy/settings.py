"""Each server's privacy settings: days each kind of record is kept, and the grace period after
the bot is removed from the server. Table ``privacy_settings`` (migration 0010)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from bot.core.clock import Clock, iso_utc
from bot.core.db import Conn, Database, read_one
from bot.core.errors import UserFacingError

MAX_DAYS = 3650
MAX_GRACE_DAYS = 365


@dataclass(frozen=True)
class PrivacySettings:
    guild_id: int
    retention_attendance_days: int = 90
    retention_goal_answers_days: int = 365
    retention_cases_days: int = 365
    retention_declined_stories_days: int = 30
    departure_grace_days: int = 30

    def retention_days(self) -> dict[str, int]:
        """Every ``retention_*_days`` setting by name."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name.startswith("retention_")}


SETTING_NAMES = tuple(f.name for f in fields(PrivacySettings) if f.name != "guild_id")


async def read_privacy_settings(conn: Conn, guild_id: int) -> PrivacySettings:
    """A server's settings (the defaults until an organiser changes one), on the caller's connection."""
    row = await read_one(
        conn, f"SELECT {', '.join(SETTING_NAMES)} FROM privacy_settings WHERE guild_id = ?", (guild_id,)
    )
    if row is None:
        return PrivacySettings(guild_id)
    return PrivacySettings(guild_id, *(int(v) for v in row))


async def get_privacy_settings(db: Database, guild_id: int) -> PrivacySettings:
    return await read_privacy_settings(db.reader, guild_id)


def with_change(settings: PrivacySettings, name: str, days: int) -> PrivacySettings:
    """``settings`` with one value changed, or a clear error for a bad name or number."""
    if name not in SETTING_NAMES:
        raise UserFacingError("That isn't a setting I know.")
    limit = MAX_GRACE_DAYS if name == "departure_grace_days" else MAX_DAYS
    if not 1 <= days <= limit:
        raise UserFacingError(f"Please choose between 1 and {limit} days.")
    return replace(settings, **{name: days})


async def save_privacy_settings(db: Database, clock: Clock, settings: PrivacySettings) -> PrivacySettings:
    values = [getattr(settings, n) for n in SETTING_NAMES]
    updates = ", ".join(f"{n} = excluded.{n}" for n in SETTING_NAMES)
    await db.execute(
        f"INSERT INTO privacy_settings (guild_id, {', '.join(SETTING_NAMES)}, updated_at)"
        f" VALUES (?, {', '.join('?' for _ in SETTING_NAMES)}, ?)"
        f" ON CONFLICT (guild_id) DO UPDATE SET {updates}, updated_at = excluded.updated_at",
        (settings.guild_id, *values, iso_utc(clock.now())),
    )
    return settings
