"""A member leaves while another process holds SQLite's write lock for longer than a background
write waits (a long backup, another bot process's long transaction). The leave has nobody to say
"try again", and the privacy docs promise what goes "until you leave the server": every leave
handler's write waits on the bot's clock and goes through once the database is free.

SQLite only: PostgreSQL background writes have no lock timeout, they simply wait for the lock.
The busy timeout is shortened here (0.3 s instead of 5) so the test does not wait it out."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

import bot.core.db as db_module
from bot.core.clock import FakeClock
from emulator.events import Server
from emulator.server import DiscordEmulator
from tests.e2e.circles.helpers import create_circle, join, set_up
from tests.e2e.goals.helpers import set_goal
from tests.e2e.privacy.helpers import eventually
from tests.engine import another_process_writing, sqlite_only

LEAVE_KINDS = {"circles.member_left", "goals.member_left", "cases.member_left", "members.member_left"}


@sqlite_only("SQLite's busy timeout; PostgreSQL background writes wait for the lock instead")
async def test_a_member_who_leaves_while_the_database_is_locked_is_forgotten_once_it_is_free_sqlite_only(
    emulator: DiscordEmulator, server: Server, clock: FakeClock, runner, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(db_module, "BUSY_TIMEOUT_SECONDS", 0.3)
    caplog.set_level(logging.INFO)
    alex = emulator.add_person(server.guild_id, "alex")
    bot = await runner.start()
    gid, uid = int(server.guild_id), int(alex)
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server)
    await join(emulator, server, alex, circle)
    await set_goal(emulator, server, alex)
    async with bot.db.transaction() as conn:
        await conn.execute("INSERT INTO case_member_state (guild_id, user_id, last_card_at) VALUES (?, ?, ?)",
                           (gid, uid, "2026-11-23T08:00:00Z"))

    async def state() -> dict[str, object]:
        return {
            "seat": await bot.db.fetchval("SELECT COUNT(*) FROM circle_seats WHERE guild_id = ? AND user_id = ?",
                                          (gid, uid)),
            "goal": await bot.db.fetchval("SELECT status FROM goals WHERE guild_id = ? AND user_id = ?", (gid, uid)),
            "cards": await bot.db.fetchval(
                "SELECT COUNT(*) FROM case_member_state WHERE guild_id = ? AND user_id = ?", (gid, uid)),
            "in_server": await bot.db.fetchval(
                "SELECT COUNT(*) FROM member_servers WHERE guild_id = ? AND user_id = ?", (gid, uid)),
        }

    before = {"seat": 1, "goal": "active", "cards": 1, "in_server": 1}
    assert await state() == before

    async with another_process_writing(bot.db):
        await emulator.member_leave(server.guild_id, alex)

        async def all_waiting() -> bool:
            return set(bot.busy_retries.waiting()) == LEAVE_KINDS
        await eventually(all_waiting, "every leave handler to find the database busy and wait")
        assert await state() == before, "nothing changed while the lock was held"
        clock.advance(timedelta(seconds=5))  # the first retry: still locked, each waits again

        async def tried_again() -> bool:
            return caplog.text.count("still waits") >= len(LEAVE_KINDS)
        await eventually(tried_again, "each handler to try again and find the lock still held")
        assert set(bot.busy_retries.waiting()) == LEAVE_KINDS

    assert await state() == before, "a retry waits for its time, not for the lock to go"
    clock.advance(timedelta(seconds=10))

    async def forgotten() -> bool:
        return await state() == {"seat": 0, "goal": "paused", "cards": 0, "in_server": 0}
    await eventually(forgotten, "the leave to be handled once the database is free")
    assert bot.busy_retries.waiting() == []
    assert str(uid) not in caplog.text, "logs name event kinds and servers, never the member"
