"""The cases capability's server settings (table case_settings): the escalation ladder's timings,
what happens to profanity in circle chat, whether a concern opens a case, and whether members are
told privately of actions taken on them. Changed by /case-admin settings.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from bot.core.clock import Clock, utcnow_iso
from bot.core.db import Conn, read_one
from bot.core.errors import UserFacingError

PROFANITY_MODES = ("off", "remove")


@dataclass(frozen=True)
class CaseSettings:
    guild_id: int
    repage_minutes: int = 5
    organiser_minutes: int = 15
    normal_raise_hours: int = 24
    profanity_mode: str = "off"
    concern_opens_case: bool = False
    tell_member_of_actions: bool = True


_COLUMNS = tuple(f.name for f in fields(CaseSettings) if f.name != "guild_id")


async def case_settings(conn: Conn, guild_id: int) -> CaseSettings:
    """The server's settings, or the defaults. Takes a connection so it works inside a transaction
    (``db.reader`` outside one)."""
    row = await read_one(
        conn, f"SELECT {', '.join(_COLUMNS)} FROM case_settings WHERE guild_id = ?", (guild_id,)
    )
    if row is None:
        return CaseSettings(guild_id)
    values: dict[str, Any] = dict(zip(_COLUMNS, tuple(row), strict=True))
    values["concern_opens_case"] = bool(values["concern_opens_case"])
    values["tell_member_of_actions"] = bool(values["tell_member_of_actions"])
    return CaseSettings(guild_id, **values)


def validate(settings: CaseSettings) -> None:
    if not 1 <= settings.repage_minutes <= 120:
        raise UserFacingError("The re-page time must be between 1 and 120 minutes.")
    if not settings.repage_minutes < settings.organiser_minutes <= 24 * 60:
        raise UserFacingError("The organiser page must come after the re-page, within a day.")
    if not 1 <= settings.normal_raise_hours <= 24 * 14:
        raise UserFacingError("A normal case can be raised after 1 hour to 14 days.")
    if settings.profanity_mode not in PROFANITY_MODES:
        raise UserFacingError("Profanity handling is either off or remove.")


async def update_case_settings(conn: Conn, clock: Clock, guild_id: int, **changes: Any) -> CaseSettings:
    """Change some settings (None values are left as they are) and return the result."""
    current = await case_settings(conn, guild_id)
    new = replace(current, **{k: v for k, v in changes.items() if v is not None})
    validate(new)
    values = [int(v) if isinstance(v, bool) else v for v in (getattr(new, c) for c in _COLUMNS)]
    updates = ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS)
    await conn.execute(
        f"INSERT INTO case_settings (guild_id, {', '.join(_COLUMNS)}, updated_at)"
        f" VALUES (?, {', '.join('?' for _ in _COLUMNS)}, ?)"
        f" ON CONFLICT (guild_id) DO UPDATE SET {updates}, updated_at = excluded.updated_at",
        (guild_id, *values, utcnow_iso(clock)),
    )
    return new
