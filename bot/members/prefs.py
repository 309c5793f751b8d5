"""A member's own settings in one server, shared by the capabilities: time zone, quiet hours, flare.

Goals, check-in reminders and every other ping ask ``may_ping`` before sending and
``next_ping_time`` for when a held ping may go out (quiet hours hold pings until they end; flare
mode pauses them and nothing is caught up afterwards).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.clock import iso_utc, parse_iso_utc
from bot.core.db import Conn, Database, read_one


@dataclass(frozen=True)
class MemberPrefs:
    guild_id: int
    user_id: int
    timezone: str | None = None  # IANA name; None: not chosen (callers fall back to the server's)
    quiet_start: str | None = None  # 'HH:MM' local
    quiet_end: str | None = None
    flare_until: str | None = None  # UTC ISO

    def zone(self, default: str) -> ZoneInfo:
        return ZoneInfo(self.timezone or default)

    def in_flare(self, now: datetime) -> bool:
        return self.flare_until is not None and now < parse_iso_utc(self.flare_until)

    def in_quiet_hours(self, now: datetime, default_zone: str) -> bool:
        if not self.quiet_start or not self.quiet_end:
            return False
        local = now.astimezone(self.zone(default_zone)).time()
        start, end = time.fromisoformat(self.quiet_start), time.fromisoformat(self.quiet_end)
        if start <= end:
            return start <= local < end
        return local >= start or local < end  # the quiet span crosses midnight

    def may_ping(self, now: datetime, default_zone: str) -> bool:
        return not self.in_flare(now) and not self.in_quiet_hours(now, default_zone)

    def next_ping_time(self, now: datetime, default_zone: str) -> datetime:
        """The first instant at or after ``now`` when ``may_ping`` holds: after a flare break ends,
        then outside quiet hours (``now`` itself when a ping may go now)."""
        at = now
        if self.in_flare(now) and self.flare_until is not None:
            at = parse_iso_utc(self.flare_until)
        return self.quiet_ends_after(at, default_zone)

    def quiet_ends_after(self, now: datetime, default_zone: str) -> datetime:
        """The first instant after ``now`` outside quiet hours (``now`` itself when not quiet)."""
        if not self.in_quiet_hours(now, default_zone) or self.quiet_end is None:
            return now
        zone = self.zone(default_zone)
        local = now.astimezone(zone)
        end = time.fromisoformat(self.quiet_end)
        candidate = datetime.combine(local.date(), end)
        if candidate.replace(tzinfo=zone) <= local:
            candidate += timedelta(days=1)
        # A deliberate conversion of a naive local time (DST-safe: fold 0 for an ambiguous time).
        return candidate.replace(tzinfo=zone).astimezone(now.tzinfo)


async def prefs_on(conn: Conn, guild_id: int, user_id: int) -> MemberPrefs:
    """A member's preferences read on ``conn`` (a scheduler job's transaction, or a reader)."""
    row = await read_one(
        conn, "SELECT timezone, quiet_start, quiet_end, flare_until FROM member_prefs"
        " WHERE guild_id = ? AND user_id = ?", (guild_id, user_id),
    )
    if row is None:
        return MemberPrefs(guild_id, user_id)
    return MemberPrefs(guild_id, user_id, row[0], row[1], row[2], row[3])


async def get_prefs(db: Database, guild_id: int, user_id: int) -> MemberPrefs:
    return await prefs_on(db.reader, guild_id, user_id)


async def save_prefs(db: Database, prefs: MemberPrefs, now: datetime) -> None:
    await db.execute(
        "INSERT INTO member_prefs (guild_id, user_id, timezone, quiet_start, quiet_end, flare_until, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (guild_id, user_id) DO UPDATE SET timezone = excluded.timezone,"
        " quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end,"
        " flare_until = excluded.flare_until, updated_at = excluded.updated_at",
        (prefs.guild_id, prefs.user_id, prefs.timezone, prefs.quiet_start, prefs.quiet_end, prefs.flare_until,
         iso_utc(now)),
    )
