"""The closed-DMs notice is asked after every slash command: read-only unless there is one, given once."""

from __future__ import annotations

import pytest

from bot.core.db import Database
from bot.goals import pings, wording

GUILD, MEMBER = 1, 2


async def test_a_member_without_a_notice_costs_no_write(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_transaction() -> None:
        raise AssertionError("a write transaction was opened for a member with no notice")

    monkeypatch.setattr(db, "transaction", no_transaction)
    assert await pings.take_dm_notice(db, GUILD, MEMBER) is None


async def test_the_notice_is_given_once(db: Database) -> None:
    async with db.transaction() as conn:
        await pings._notice(conn, GUILD, MEMBER, "circle")
    assert await pings.take_dm_notice(db, GUILD, MEMBER) == wording.MOVED_TO_CIRCLE
    assert await pings.take_dm_notice(db, GUILD, MEMBER) is None
    assert await pings.take_dm_notice(db, GUILD + 1, MEMBER) is None
