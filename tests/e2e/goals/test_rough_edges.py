"""Goal rough edges found from outside (issue 26): a double press, repeat invitations after a
decline, and a cheer after a partnership ended."""

from __future__ import annotations

import asyncio
import copy

from emulator.interactions import text_of
from tests.e2e.circles.helpers import answer
from tests.e2e.goals.helpers import pings_to, set_goal, tick


async def test_a_double_press_reports_the_answer_that_was_stored(emulator, server, clock, runner):
    alex = emulator.add_person(server.guild_id, "alex")
    bot = await runner.start()
    await set_goal(emulator, server, alex)
    await tick(bot, clock, hours=10, minutes=30)
    ping = pings_to(emulator, alex)[0]
    # Done, then Not today before the first answer came back (two taps, or two devices).
    first, second = await asyncio.gather(
        emulator.click(alex, copy.deepcopy(ping), label="Done"),
        emulator.click(alex, copy.deepcopy(ping), label="Not today"))
    texts = [text_of(await answer(first)), text_of(await answer(second))]
    stored = (await bot.db.fetchone("SELECT answer FROM goal_pings"))[0]
    word = {"done": "Done", "not_today": "Not today"}[stored]
    recorded = [t for t in texts if "Recorded:" in t]
    already = [t for t in texts if "Already recorded" in t]
    assert len(recorded) == 1 and len(already) == 1, texts
    assert f"Already recorded: **{word}**" in already[0], (stored, already[0])
