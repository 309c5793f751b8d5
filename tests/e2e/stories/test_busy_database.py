"""A story submitted while another process holds the write lock (a backup, a second bot process,
an operator's shell) for longer than Discord's 3 seconds: the modal submit is deferred at once, so
what the member typed is never lost to a kind "try again", and the preview arrives as the follow-up
once the lock is free. The emulator fixture fails the test if the first answer came after 3 s."""

from __future__ import annotations

import asyncio
import time

from bot.client import PeerCirclesBot
from bot.core.db import INTERACTIVE_WRITE_WAIT
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DiscordEmulator
from tests.e2e.stories.helpers import open_form, story_world
from tests.e2e.stories.test_safety import CRISIS
from tests.engine import another_process_writing

HOLD_SECONDS = 4.0  # longer than Discord's 3 s and the interactive write wait, shorter than the patient one


async def test_a_story_submitted_while_the_write_lock_is_held_is_deferred_and_previewed_once_it_is_free(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    world = await story_world(bot, emulator, server)
    form = await open_form(emulator, server, world.author, world.circle)
    assert await form.response_type() == 9
    # Crisis words: the preview writes (the one crisis response opens a case) before it can answer.
    async with another_process_writing(bot.db):
        began = time.monotonic()
        sub = await emulator.submit_modal(world.author, form, {"story": CRISIS, "warning": "", "title": ""})
        assert await sub.response_type() == 5, "deferred: the member's story is kept while the database is busy"
        deferred_after = time.monotonic() - began
        assert deferred_after < INTERACTIVE_WRITE_WAIT, f"deferred after {deferred_after:.2f} s, not at once"
        assert not sub.followups, "no answer while the lock is held"
        await asyncio.sleep(max(0.0, HOLD_SECONDS - (time.monotonic() - began)))
        assert not sub.followups, "the preview waits for the lock (no kind 'try again' instead)"
    card = await sub.reply(timeout=10)
    assert sub.followups, "the preview is the follow-up to the deferral"
    text = text_of(card)
    assert "try again" not in text
    assert "will not be posted automatically" in text, text
    assert "Help is here, right now" in [e.get("title") for e in card["embeds"]]
    assert card["flags"] & 64, "privately"
    (kind,) = [r["kind"] for r in await bot.db.fetchall("SELECT kind FROM cases")]
    assert kind == "crisis", "the crisis case was written once the lock was free"
    assert await bot.db.fetchval("SELECT COUNT(*) FROM error_counts") == 0, "a busy database is not a bug"
