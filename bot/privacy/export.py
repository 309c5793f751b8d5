"""A member's export (``/privacy export``): one readable JSON document of everything the bot holds
about them in one server, built from the personal-data registry, with a short header explaining it.

Anonymous stories carry no member id: they are found only through receipts the member supplies,
by the lookups capabilities register with ``register_receipt_lookup``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.core.clock import iso_utc
from bot.core.db import Conn
from bot.core.personal_data import member_schedule_kinds, personal_tables, receipt_lookups
from bot.privacy.inventory import member_schedule_count
from bot.privacy.wording import EXPORT_HEADER, EXPORT_RECEIPTS_NOTE

# JavaScript and many JSON readers round integers above this; ids beyond it are written as text.
_SAFE_INT = 2**53


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= _SAFE_INT:
        return str(value)
    if isinstance(value, str) and value[:1] in "{[":
        try:  # JSON kept as text (e.g. a case's snapshot) reads better as JSON
            return json.loads(value)
        except ValueError:
            return value
    return value


def _plain_row(row: dict[str, Any]) -> dict[str, Any]:
    return {k: _plain(v) for k, v in row.items()}


async def _schedules(conn: Conn, guild_id: int, user_id: int) -> list[dict[str, Any]]:
    kinds = member_schedule_kinds()
    if not kinds or not await member_schedule_count(conn, guild_id, user_id):
        return []
    marks = ", ".join("?" for _ in kinds)
    async with conn.execute(
        "SELECT id, kind, frequency, timezone, local_time, weekdays, active, next_fire_at, created_at"
        f" FROM schedules WHERE guild_id = ? AND owner_id = ? AND kind IN ({marks}) ORDER BY id",
        (guild_id, user_id, *kinds),
    ) as cursor:
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in await cursor.fetchall()]


async def build_export(
    conn: Conn, guild_id: int, user_id: int, now: datetime, receipts: list[str] | None = None
) -> dict[str, Any]:
    """Everything about ``user_id`` in ``guild_id`` (and nothing from any other server)."""
    tables: dict[str, Any] = {}
    for table in personal_tables():
        rows = await table.export_rows(conn, guild_id, user_id)
        if not rows:
            continue
        tables[table.table] = {
            "what": table.holds, "kept": table.kept, "seen_by": table.seen_by, "from": table.owner,
            "rows": [_plain_row(r) for r in rows],
        }
    anonymous: dict[str, Any] = {}
    cleaned = [r.strip() for r in receipts or [] if r.strip()]
    if cleaned:
        for name, lookup in receipt_lookups().items():
            found = await lookup(conn, guild_id, cleaned)
            if found:
                anonymous[name] = [_plain_row(r) for r in found]
    return {
        "about": {
            "what_this_is": EXPORT_HEADER,
            "server_id": str(guild_id),
            "member_id": str(user_id),
            "exported_at": iso_utc(now),
            "anonymous_stories": EXPORT_RECEIPTS_NOTE,
            "placeholder": "0 in an id column means a former member (someone who asked to be erased).",
        },
        "data": tables,
        "your_schedules": [_plain_row(r) for r in await _schedules(conn, guild_id, user_id)],
        "anonymous_by_receipt": anonymous,
    }


def export_json(document: dict[str, Any]) -> bytes:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False).encode("utf-8")
