"""A locked database: another process holds SQLite's write lock (a backup, a second bot process, an
operator's shell), or on PostgreSQL locks the tables against writes. A member's write command must
still be answered within Discord's 3 seconds: with a kind "try again" while the lock is held, and for
real once it is free. The emulator fixture fails the test if any first answer came later than 3 s."""

from __future__ import annotations

import time

from bot.client import PeerCirclesBot
from bot.core.db import INTERACTIVE_WRITE_WAIT
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DiscordEmulator
from tests.engine import another_process_writing


async def test_a_write_command_is_answered_kindly_while_another_process_holds_the_write_lock(
    emulator: DiscordEmulator, server: Server, bot: PeerCirclesBot,
) -> None:
    member = await emulator.member_join(server.guild_id, "ana")
    async with another_process_writing(bot.db):  # the write lock, held until the member has an answer
        began = time.monotonic()
        ix = await emulator.slash(server.guild_id, member, "me timezone", zone="Europe/Berlin")
        reply = await ix.reply()
        waited = time.monotonic() - began
        assert "try again in a few seconds" in text_of(reply) and "Nothing was changed" in text_of(reply)
        assert waited < 3.0, f"answered after {waited:.2f} s"
        assert waited >= INTERACTIVE_WRITE_WAIT * 0.8, "it did wait for the lock first"
        assert (await ix.response_type()) == 4
    again = await emulator.slash(server.guild_id, member, "me timezone", zone="Europe/Berlin")
    assert "Saved: your time zone is **Europe/Berlin**" in text_of(await again.reply())
    assert await bot.db.fetchval("SELECT COUNT(*) FROM error_counts") == 0, "a busy database is not a bug"
