"""Goal pings end to end: set, ping at local time, every button, note, snooze, quiet hours, flare."""

from __future__ import annotations

import copy

from emulator.interactions import text_of
from tests.e2e.circles.helpers import dms, press
from tests.e2e.goals.helpers import pings_to, set_goal, tick


async def test_a_goal_pings_once_at_local_time_and_done_is_recorded(emulator, server, clock, runner):
    alex = emulator.add_person(server.guild_id, "alex")
    bot = await runner.start()
    tz = await (await emulator.slash(server.guild_id, alex, "me timezone", zone="Europe/Berlin")).reply()
    assert "Europe/Berlin" in tz["content"]
    saved = await set_goal(emulator, server, alex)
    assert "walk 10 minutes" in saved["content"] and "every day at 19:30" in saved["content"]
    # 19:30 Berlin is 18:30 UTC in November; the clock starts at 09:00 UTC.
    await tick(bot, clock, hours=9, minutes=29)
    assert pings_to(emulator, alex) == []
    await tick(bot, clock, minutes=1)
    sent = pings_to(emulator, alex)
    assert len(sent) == 1
    assert "walk to the door" in text_of(sent[0]) and "Did the minimum" in text_of(sent[0])
    await tick(bot, clock, minutes=30)
    assert len(pings_to(emulator, alex)) == 1  # once per occurrence
    stale = copy.deepcopy(sent[0])  # a second device still shows the buttons
    after = await press(emulator, alex, sent[0], "Done")
    assert "Recorded: **done**" in text_of(after)
    again = await (await emulator.click(alex, stale, label="Not today")).reply()
    assert "Already recorded" in again["content"]
    assert dms(emulator, alex)
