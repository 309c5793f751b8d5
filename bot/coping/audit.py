"""The coping audit trail: who pinned, unpinned or removed a strategy and who changed resources.

Ids and actions only, never text; written in the caller's transaction.
"""

from __future__ import annotations

from bot.core.clock import Clock, utcnow_iso
from bot.core.db import Conn, Database

ACTIONS = ("pin", "unpin", "remove", "resource_add", "resource_remove", "resource_move")


async def record(conn: Conn, clock: Clock, *, guild_id: int, circle_id: int | None, actor_id: int,
                 action: str, target_kind: str, target_id: int) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown coping audit action {action!r}")
    await conn.execute(
        "INSERT INTO coping_audit (guild_id, circle_id, actor_id, action, target_kind, target_id, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (guild_id, circle_id, actor_id, action, target_kind, target_id, utcnow_iso(clock)),
    )


async def trail(db: Database, guild_id: int, limit: int = 50) -> list[tuple[int | None, int, str, str, int, str]]:
    """The latest entries of one server: (circle id, actor id, action, target kind, target id, at)."""
    rows = await db.fetchall(
        "SELECT circle_id, actor_id, action, target_kind, target_id, at FROM coping_audit WHERE guild_id = ?"
        " ORDER BY id DESC LIMIT ?", (guild_id, limit))
    return [tuple(r) for r in rows]
