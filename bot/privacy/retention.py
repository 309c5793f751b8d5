"""Retention: a daily job per server deletes rows older than the server's settings allow.

Each table declaring a ``retention_setting`` in the personal-data registry expires its own rows
(``PersonalTable.expire_rows``), and so does each ``Expiry`` (declined anonymous stories). Tables
whose expiry follows another table's (a case's events go with the case) declare no age column and
run first, while the rows they follow still exist.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from bot.core.clock import iso_utc
from bot.core.db import Conn
from bot.core.personal_data import Expiry, PersonalTable, expiries, personal_tables
from bot.delivery import schedules
from bot.delivery.recurrence import Recurrence
from bot.privacy.settings import read_privacy_settings

log = logging.getLogger(__name__)

RETENTION_KIND = "privacy_retention"
# A quiet hour for most of the world; the job only deletes, it never messages anyone.
RETENTION_AT = time(3, 17)


async def expire(conn: Conn, guild_id: int, now: datetime) -> dict[str, int]:
    """Delete this server's rows past retention as of ``now``; returns deleted rows by table."""
    days = (await read_privacy_settings(conn, guild_id)).retention_days()
    rules: list[PersonalTable | Expiry] = [t for t in personal_tables() if t.retention_setting]
    rules += expiries()
    tables = sorted(rules, key=lambda t: (t.age_column is not None, t.table))
    await conn.execute("PRAGMA defer_foreign_keys = ON")
    deleted: dict[str, int] = {}
    for table in tables:
        setting = table.retention_setting
        assert setting is not None
        if setting not in days:
            log.warning("unknown retention setting table=%s setting=%s", table.table, setting)
            continue
        cutoff = iso_utc(now - timedelta(days=days[setting]))
        count = await table.expire_rows(conn, guild_id, cutoff)
        if count:
            deleted[table.table] = count
    if deleted:
        log.info("retention guild_id=%s deleted=%s", guild_id, sorted(deleted.items()))
    return deleted


async def ensure_retention_schedule(conn: Conn, guild_id: int, now: datetime) -> bool:
    """Create this server's daily retention job unless it exists; True when created."""
    if await schedules.list_schedules(conn, guild_id, kind=RETENTION_KIND):
        return False
    rule = Recurrence.daily(RETENTION_AT, "UTC", start=now.date())
    await schedules.create(conn, now, guild_id=guild_id, kind=RETENTION_KIND, owner_id=0, rule=rule)
    return True
