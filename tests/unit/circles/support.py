"""Shared set-up for the circles unit tests: a migrated database, a clock, a recording outbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.circles.lifecycle import prepare_circle, record_circle
from bot.circles.norms import default_norms_text
from bot.circles.records import Circle
from bot.core.clock import FakeClock
from bot.core.db import Conn, Database
from bot.core.guild_settings import GuildSettings, get_settings, save_settings

GUILD = 111_000_000_000_000_001
OTHER_GUILD = 222_000_000_000_000_002
ORGANISER = 500
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@dataclass
class RecordingOutbox:
    """Stands in for bot.outbox.Outbox: records rows, keeps keys unique like the real one."""

    rows: list[dict[str, Any]] = field(default_factory=list)

    async def enqueue(self, conn: Conn, *, key: str, kind: str, guild_id: int, target_kind: str,
                      target_id: int, payload: dict[str, Any], fallback: str | None = None) -> bool:
        if any(r["key"] == key for r in self.rows):
            return False
        self.rows.append({"key": key, "kind": kind, "guild_id": guild_id, "target_kind": target_kind,
                          "target_id": target_id, "payload": payload, "fallback": fallback})
        return True

    def to(self, user_id: int, kind: str | None = None) -> list[dict[str, Any]]:
        return [r for r in self.rows if r["target_id"] == user_id and (kind is None or r["kind"] == kind)]

    def kinds(self) -> list[str]:
        return [r["kind"] for r in self.rows]


@pytest.fixture
def outbox() -> RecordingOutbox:
    return RecordingOutbox()


async def make_circle(
    db: Database, clock: FakeClock, name: str = "Migraine Mornings", *, guild_id: int = GUILD, capacity: int = 8,
    topics: str = "migraine", language: str = "en", role_id: int | None = 9001, description: str = "A gentle circle",
) -> Circle:
    if not (await get_settings(db, guild_id)).setup_done:
        # Circles are made only in servers that finished /setup, which stores their crisis region.
        await save_settings(db, clock, GuildSettings(guild_id, crisis_region="US", setup_done=True))
    draft = await prepare_circle(db, guild_id, name=name, description=description, topics=topics,
                                 language=language, capacity=capacity)
    return await record_circle(db, clock, draft, created_by=ORGANISER, norms_text=default_norms_text(),
                               role_id=role_id, text_channel_id=7001, voice_channel_id=7002)


async def consent_rows(db: Database, circle_id: int) -> list[tuple[Any, ...]]:
    rows = await db.fetchall(
        "SELECT user_id, event, norms_version, at FROM consent_log WHERE circle_id = ? ORDER BY id", (circle_id,)
    )
    return [tuple(r) for r in rows]
