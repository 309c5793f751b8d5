"""Goal rough edges found from outside (issue 26): a double press, repeat invitations after a
decline, and a cheer after a partnership ended."""

from __future__ import annotations

import asyncio
import copy

from emulator.interactions import text_of
from tests.e2e.circles.helpers import answer, dms
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


async def _invite(emulator, server, bot, alex, sam, goal):
    said = await (await emulator.slash(server.guild_id, alex, "goal partner", goal=goal, member=sam)).reply()
    await bot.outbox.drain()
    return text_of(said)


async def test_after_a_decline_the_same_invitation_waits_and_the_inviter_is_told_kindly(
        emulator, server, clock, runner):
    alex = emulator.add_person(server.guild_id, "alex")
    sam = emulator.add_person(server.guild_id, "sam")
    bot = await runner.start()
    await set_goal(emulator, server, alex, time="10:00")
    goal = str(await bot.db.fetchval("SELECT id FROM goals"))
    assert "Invited" in await _invite(emulator, server, bot, alex, sam, goal)
    invite = next(m for m in dms(emulator, sam) if "accountability partner" in text_of(m))
    await answer(await emulator.click(sam, invite, label="No thanks"))
    asked = len(dms(emulator, sam))

    held = await _invite(emulator, server, bot, alex, sam, goal)
    assert "hold off on asking them again" in held and "30 days" in held and "Nothing was sent" in held
    assert "<t:" in held, "says until when"
    assert len(dms(emulator, sam)) == asked, "sam is not asked again"
    assert await bot.db.fetchval("SELECT COUNT(*) FROM goal_partners") == 0

    await tick(bot, clock, days=29)
    assert "hold off" in await _invite(emulator, server, bot, alex, sam, goal)
    await tick(bot, clock, days=1)
    assert "Invited" in await _invite(emulator, server, bot, alex, sam, goal)
    assert len(dms(emulator, sam)) == asked + 1


async def test_a_cheer_after_the_partnership_ended_says_so(emulator, server, clock, runner):
    alex = emulator.add_person(server.guild_id, "alex")
    sam = emulator.add_person(server.guild_id, "sam")
    bot = await runner.start()
    await set_goal(emulator, server, alex, time="10:00")
    goal = str(await bot.db.fetchval("SELECT id FROM goals"))
    await _invite(emulator, server, bot, alex, sam, goal)
    invite = next(m for m in dms(emulator, sam) if "accountability partner" in text_of(m))
    await answer(await emulator.click(sam, invite, label="Accept"))
    await tick(bot, clock, days=7, hours=9)  # next Monday 18:00, the weekday sam accepted on
    count = next(m for m in dms(emulator, sam) if "Weekly count" in text_of(m))
    ended = await (await emulator.slash(server.guild_id, alex, "goal partner-end", goal=goal)).reply()
    assert "Ended quietly" in text_of(ended)
    cheer = text_of(await (await emulator.click(sam, count, label="Cheer them on")).reply())
    assert "partnership has ended" in cheer and "no longer open" not in cheer
