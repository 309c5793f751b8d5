"""What the bot keeps about one member in one server, table by table, with counts (``/privacy show``).

Reads the personal-data registry only, so a capability's new table appears here as soon as it is
declared in bot.core.personal_data.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.db import Conn
from bot.core.personal_data import member_schedule_kinds, personal_tables
from bot.privacy.settings import read_privacy_settings


@dataclass(frozen=True)
class Holding:
    table: str
    owner: str
    holds: str
    kept: str
    seen_by: str
    count: int
    conduct_record: bool
    retention_days: int | None  # this server's setting, when the table has one


@dataclass(frozen=True)
class Inventory:
    guild_id: int
    user_id: int
    holdings: list[Holding]  # every declared table, counts may be 0
    schedules: int  # the member's own timed reminders and pings

    @property
    def held(self) -> list[Holding]:
        return [h for h in self.holdings if h.count]

    @property
    def total(self) -> int:
        return sum(h.count for h in self.holdings) + self.schedules


async def member_schedule_count(conn: Conn, guild_id: int, user_id: int) -> int:
    kinds = member_schedule_kinds()
    if not kinds:
        return 0
    marks = ", ".join("?" for _ in kinds)
    async with conn.execute(
        f"SELECT COUNT(*) FROM schedules WHERE guild_id = ? AND owner_id = ? AND kind IN ({marks})",
        (guild_id, user_id, *kinds),
    ) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def inventory(conn: Conn, guild_id: int, user_id: int) -> Inventory:
    settings = (await read_privacy_settings(conn, guild_id)).retention_days()
    holdings = [
        Holding(t.table, t.owner, t.holds, t.kept, t.seen_by, await t.count_rows(conn, guild_id, user_id),
                t.conduct_record, settings.get(t.retention_setting) if t.retention_setting else None)
        for t in personal_tables()
    ]
    return Inventory(guild_id, user_id, holdings, await member_schedule_count(conn, guild_id, user_id))
