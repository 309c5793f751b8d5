"""Goal pings end to end: set, ping at local time, every button, note, snooze, quiet hours, flare."""

from __future__ import annotations

import copy

from emulator.interactions import text_of
from tests.e2e.circles.helpers import dms, press, set_up
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


async def _ping(emulator, server, clock, runner, **goal_options):
    """A member in Berlin with a 19:30 daily goal, and its first ping (Monday 18:30 UTC)."""
    alex = emulator.add_person(server.guild_id, "alex")
    bot = await runner.start()
    await (await emulator.slash(server.guild_id, alex, "me timezone", zone="Europe/Berlin")).reply()
    await set_goal(emulator, server, alex, **goal_options)
    await tick(bot, clock, hours=9, minutes=30)
    sent = pings_to(emulator, alex)
    assert len(sent) == 1
    return bot, alex, sent[0]


async def _answer_of(bot):
    return [tuple(r) for r in await bot.db.fetchall("SELECT answer, state FROM goal_pings ORDER BY id")]


async def test_minimum_not_today_and_flare_day_each_record_their_answer(emulator, server, clock, runner):
    bot, alex, ping = await _ping(emulator, server, clock, runner)
    after = await press(emulator, alex, ping, "Did the minimum")
    assert "counts fully" in text_of(after)
    await tick(bot, clock, days=1)
    second = pings_to(emulator, alex)[-1]
    assert "hard times" not in text_of(await press(emulator, alex, second, "Not today"))
    await tick(bot, clock, days=1)
    third = pings_to(emulator, alex)[-1]
    assert "flare day" in text_of(await press(emulator, alex, third, "Flare day"))
    assert await _answer_of(bot) == [("minimum", "sent"), ("not_today", "sent"), ("flare", "sent")]


async def test_only_the_member_the_ping_was_sent_to_can_answer(emulator, server, clock, runner):
    bot, _alex, ping = await _ping(emulator, server, clock, runner)
    sam = await emulator.member_join(server.guild_id, "sam")
    answer = await (await emulator.click(sam, ping, label="Done")).reply()
    assert "someone else's goal" in answer["content"]
    assert await _answer_of(bot) == [(None, "sent")]


async def test_a_private_note_is_saved_and_a_crisis_note_gets_the_card_and_an_urgent_case(
        emulator, server, clock, runner):
    bot, alex, ping = await _ping(emulator, server, clock, runner)
    ix = await emulator.click(alex, ping, label="Add a note")
    saved = await (await emulator.submit_modal(alex, ix, {"note": "knees sore but I went"})).reply()
    assert "Only you can see it" in saved["content"]
    assert await bot.db.fetchval("SELECT note FROM goal_pings") == "knees sore but I went"
    assert await bot.db.fetchval("SELECT COUNT(*) FROM cases") == 0
    await set_up(bot, server)  # the moderators' queue channel
    ix = await emulator.click(alex, ping, label="Add a note")
    crisis = await (await emulator.submit_modal(alex, ix, {"note": "I want to kill myself tonight"})).reply()
    assert crisis["flags"] & 64, "the crisis card is private"
    assert crisis["embeds"], "the crisis card is shown at once"
    case = await bot.db.fetchone("SELECT kind, urgency, source, subject_user_id, summary FROM cases")
    assert tuple(case[:4]) == ("crisis", "urgent", "goal_note", int(alex))
    assert "kill" not in case[4]  # the note's words never leave the member's row
    assert any(b.get("label") == "Talk to a moderator now"
               for row in crisis.get("components", []) for b in row["components"])
    await bot.outbox.drain()
    queue = [m for m in emulator.world.messages.get(server.queue_id, {}).values() if "Case #" in text_of(m)]
    assert queue and "kill" not in text_of(queue[0]), "the moderators' queue has the case, not the note"


async def test_a_note_of_concern_gets_a_gentle_check_in_and_no_case(emulator, server, clock, runner):
    bot, alex, ping = await _ping(emulator, server, clock, runner)
    ix = await emulator.click(alex, ping, label="Add a note")
    answer = await (await emulator.submit_modal(alex, ix, {"note": "I don't want to live like this anymore"})).reply()
    assert answer["flags"] & 64 and answer["embeds"], "a private check-in with the crisis lines"
    assert await bot.db.fetchval("SELECT COUNT(*) FROM cases") == 0, "no case unless the server opts in"


async def test_an_overlong_note_gets_a_clear_message_and_changes_nothing(emulator, server, clock, runner):
    bot, alex, ping = await _ping(emulator, server, clock, runner)
    ix = await emulator.click(alex, ping, label="Add a note")
    answer = await (await emulator.submit_modal(alex, ix, {"note": "x" * 1001})).reply()
    assert "at most 1000 characters" in answer["content"]
    assert await bot.db.fetchval("SELECT note FROM goal_pings") is None


async def test_snooze_one_hour_pings_again_once_and_tomorrow_waits_a_day(emulator, server, clock, runner):
    bot, alex, ping = await _ping(emulator, server, clock, runner)
    answer = await (await emulator.click(alex, ping, label="Snooze 1 h")).reply()
    assert "Snoozed" in answer["content"]
    await tick(bot, clock, minutes=59)
    assert len(pings_to(emulator, alex)) == 1
    await tick(bot, clock, minutes=1)
    again = pings_to(emulator, alex)
    assert len(again) == 2
    await (await emulator.click(alex, again[-1], label="Snooze till tomorrow morning")).reply()
    await tick(bot, clock, hours=12)  # Tuesday 08:30 Berlin
    assert len(pings_to(emulator, alex)) == 2
    await tick(bot, clock, minutes=30)  # 09:00 Berlin, read by the time parser in the member's zone
    assert len(pings_to(emulator, alex)) == 3
    done = await press(emulator, alex, pings_to(emulator, alex)[-1], "Done")
    assert "Recorded" in text_of(done)
    await tick(bot, clock, hours=10, minutes=30)  # Tuesday's own ping
    assert len(pings_to(emulator, alex)) == 4
    assert await bot.db.fetchval("SELECT COUNT(*) FROM goal_pings") == 2


async def test_quiet_hours_hold_a_ping_until_they_end_and_never_drop_it(emulator, server, clock, runner):
    alex = emulator.add_person(server.guild_id, "alex")
    bot = await runner.start()
    await (await emulator.slash(server.guild_id, alex, "me timezone", zone="Europe/Berlin")).reply()
    quiet = await (await emulator.slash(server.guild_id, alex, "me quiet-hours", start="7pm", end="21:00")).reply()
    assert "19:00" in quiet["content"] and "21:00" in quiet["content"]
    await set_goal(emulator, server, alex)
    await tick(bot, clock, hours=9, minutes=30)  # 19:30 Berlin: quiet
    assert pings_to(emulator, alex) == []
    await tick(bot, clock, hours=1, minutes=29)
    assert pings_to(emulator, alex) == []
    await tick(bot, clock, minutes=1)  # 21:00 Berlin
    assert len(pings_to(emulator, alex)) == 1
    await tick(bot, clock, hours=3)
    assert len(pings_to(emulator, alex)) == 1


async def test_flare_break_pauses_pings_then_welcomes_back_without_a_backlog(emulator, server, clock, runner):
    bot, alex, _ = await _ping(emulator, server, clock, runner)
    started = await (await emulator.slash(server.guild_id, alex, "flare start", days=2)).reply()
    assert "nothing to catch up" in started["content"]
    await tick(bot, clock, days=1)
    await tick(bot, clock, hours=12)
    assert len(pings_to(emulator, alex)) == 1, "no pings during the flare break"
    await tick(bot, clock, hours=11)
    assert not [m for m in dms(emulator, alex) if "Welcome back" in text_of(m)]
    await tick(bot, clock, hours=1)  # the break ends: Wednesday 18:30 UTC, with Wednesday's ping
    welcome = [m for m in dms(emulator, alex) if "Welcome back" in text_of(m)]
    assert len(welcome) == 1 and "no catching up" in text_of(welcome[0])
    assert len(pings_to(emulator, alex)) == 2, "Wednesday's ping only: Tuesday's is not caught up"
    await tick(bot, clock, days=1)
    assert len(pings_to(emulator, alex)) == 3, "pings go on as before"
    answers = [r[0] for r in await bot.db.fetchall("SELECT answer FROM goal_pings ORDER BY id")]
    assert answers[1] == "flare", "a day inside the break is set apart as a flare day"


async def test_flare_end_resumes_at_once_and_says_so(emulator, server, clock, runner):
    bot, alex, _ = await _ping(emulator, server, clock, runner)
    await (await emulator.slash(server.guild_id, alex, "flare start")).reply()
    ended = await (await emulator.slash(server.guild_id, alex, "flare end")).reply()
    assert "no catching up" in ended["content"]
    again = await (await emulator.slash(server.guild_id, alex, "flare end")).reply()
    assert "not on a flare break" in again["content"]
    await tick(bot, clock, days=1)
    assert len(pings_to(emulator, alex)) == 2
    await tick(bot, clock, days=3)
    assert not [m for m in dms(emulator, alex) if "Welcome back" in text_of(m)], "the cancelled auto-end is gone"


async def test_buttons_work_after_a_restart(emulator, server, clock, runner):
    _, alex, ping = await _ping(emulator, server, clock, runner)
    await runner.restart()
    after = await press(emulator, alex, ping, "Done")
    assert "Recorded: **done**" in text_of(after)


async def test_an_unanswered_ping_reads_as_no_answer_after_a_day_silently(emulator, server, clock, runner):
    bot, alex, ping = await _ping(emulator, server, clock, runner)
    before = len(dms(emulator, alex))
    await tick(bot, clock, hours=24)
    assert len(dms(emulator, alex)) == before + 1, "only the next day's ping: nothing about the missed one"
    late = await (await emulator.click(alex, ping, label="Done")).reply()
    assert "has passed" in late["content"]
