"""Fixtures shared by the unit tests: a migrated database in a temporary file, and a clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.clock import FakeClock
from bot.core.db import Database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    async with Database(tmp_path / "bot.sqlite3") as database:
        await database.migrate()
        yield database


@pytest.fixture
def clock() -> FakeClock:
    # Monday 2026-11-23 09:00 UTC, the same start as the e2e tests.
    return FakeClock()
