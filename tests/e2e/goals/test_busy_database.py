"""A goal's form submitted while another process holds the write lock for longer than
Discord's 3 seconds: deferred at once, saved once the lock is free (not a "try again" that loses
what the member typed). The emulator fixture fails the test if the first answer came after 3 s."""

from __future__ import annotations

import asyncio
import time

from bot.client import PeerCirclesBot
from bot.core.db import INTERACTIVE_WRITE_WAIT
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DiscordEmulator
from tests.engine import another_process_writing

HOLD_SECONDS = 4.0


async def test_a_goal_form_submitted_while_the_write_lock_is_held_is_deferred_and_saved_once_it_is_free(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    alex = await emulator.member_join(server.guild_id, "alex")
    form = await emulator.slash(server.guild_id, alex, "goal set", cadence="daily", time="19:30")
    assert await form.response_type() == 9
    async with another_process_writing(bot.db):
        began = time.monotonic()
        sub = await emulator.submit_modal(alex, form, {"goal": "walk 10 minutes", "minimum": "walk to the door"})
        assert await sub.response_type() == 5
        assert time.monotonic() - began < INTERACTIVE_WRITE_WAIT, "deferred at once"
        await asyncio.sleep(max(0.0, HOLD_SECONDS - (time.monotonic() - began)))
        assert not sub.followups, "the save waits for the lock"
    saved = await sub.reply(timeout=10)
    assert "Saved" in text_of(saved) and "try again" not in text_of(saved)
    assert await bot.db.fetchval("SELECT COUNT(*) FROM goals") == 1
    assert await bot.db.fetchval("SELECT COUNT(*) FROM error_counts") == 0
