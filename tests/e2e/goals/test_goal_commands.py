"""Goal commands end to end: bad input, list/edit/pause/resume/delete, progress picture, DST,
downtime, closed DMs, channel delivery, partners and the weekly recap."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from PIL import Image

from bot.goals.picture import COLOURS, cell_centre
from emulator.interactions import text_of
from tests.e2e.circles.helpers import create_circle, dms, join, press, set_up
from tests.e2e.goals.helpers import pings_to, set_goal, tick


async def _say(emulator, server, user, command, **options):
    return await (await emulator.slash(server.guild_id, user, command, **options)).reply()


async def test_bad_input_gets_clear_messages_and_changes_nothing(emulator, server, clock, runner):
    alex = emulator.add_person(server.guild_id, "alex")
    bot = await runner.start()
    assert "don't know the time zone" in (await _say(emulator, server, alex, "me timezone", zone="Mars/Olympus"))[
        "content"]
    assert "couldn't read" in (await _say(emulator, server, alex, "goal set", cadence="daily", time="25:61"))[
        "content"]
    assert "mon,wed,fri" in (await _say(emulator, server, alex, "goal set", cadence="days", time="9am"))["content"]
    long = await set_goal(emulator, server, alex, text="x" * 1000)
    assert "at most 150 characters" in long["content"]
    assert await bot.db.fetchval("SELECT COUNT(*) FROM goals") == 0
    for n in range(10):
        assert "Saved" in (await set_goal(emulator, server, alex, text=f"goal {n}"))["content"]
    eleventh = await _say(emulator, server, alex, "goal set", cadence="daily", time="8am")
    assert "10 active goals" in eleventh["content"]
    assert await bot.db.fetchval("SELECT COUNT(*) FROM goals") == 10
    assert await bot.db.fetchval("SELECT timezone FROM member_prefs") is None


async def test_list_edit_pause_resume_delete_with_autocomplete(emulator, server, clock, runner):
    alex = emulator.add_person(server.guild_id, "alex")
    bot = await runner.start()
    await set_goal(emulator, server, alex, text="stretch before bed", cadence="days", days="mon,wed", time="9pm")
    await set_goal(emulator, server, alex, text="drink water with meds", minimum="", time="8am")
    choices = await (await emulator.autocomplete(server.guild_id, alex, "goal pause", "goal", goal="water")).choices()
    assert [c["name"] for c in choices] == ["drink water with meds"]
    water = choices[0]["value"]
    listed = await _say(emulator, server, alex, "goal list")
    assert "on Mon, Wed at 21:00" in text_of(listed) and "every day at 08:00" in text_of(listed)
    ix = await emulator.slash(server.guild_id, alex, "goal edit", goal=water, time="7:30am")
    edited = await (await emulator.submit_modal(alex, ix, {"goal": "water with meds"})).reply()
    assert "every day at 07:30" in edited["content"]
    assert "Paused" in (await _say(emulator, server, alex, "goal pause", goal=water))["content"]
    await tick(bot, clock, days=1)
    assert pings_to(emulator, alex) == []
    assert "Resumed" in (await _say(emulator, server, alex, "goal resume", goal=water))["content"]
    confirm = await _say(emulator, server, alex, "goal delete", goal=water)
    kept = await press(emulator, alex, confirm, "Keep it")
    assert "Nothing was deleted" in text_of(kept)
    confirm = await _say(emulator, server, alex, "goal delete", goal=water)
    gone = await press(emulator, alex, confirm, "Delete it")
    assert "Deleted" in text_of(gone)
    assert await bot.db.fetchval("SELECT COUNT(*) FROM goals") == 1
    assert await bot.db.fetchval("SELECT COUNT(*) FROM schedules WHERE kind = 'goal_ping'") == 1
    sam = emulator.add_person(server.guild_id, "sam")
    other = await _say(emulator, server, sam, "goal pause", goal=water)
    assert "couldn't find that goal" in other["content"]


async def test_progress_picture_is_a_png_with_a_cell_per_answer(emulator, server, clock, runner):
    alex = emulator.add_person(server.guild_id, "alex")
    bot = await runner.start()
    await set_goal(emulator, server, alex, time="10:00")  # UTC (server default)
    answers = ["Done", "Did the minimum", "Not today", "Flare day", None, "Done", "Done"]
    await tick(bot, clock, hours=1)  # Monday 10:00: the first ping
    for n, label in enumerate(answers):
        if n:
            await tick(bot, clock, days=1)
        if label:
            await press(emulator, alex, pings_to(emulator, alex)[-1], label)
    await tick(bot, clock, hours=14)  # Monday 30 Nov, midnight
    ix = await emulator.slash(server.guild_id, alex, "goal progress")
    message = await ix.followup(0)
    assert "showed up **4** times" in message["content"] and "(done 3, minimum 1)" in message["content"]
    assert "1 flare day set apart" in message["content"]
    assert "The last **2** times you were nudged, you showed up." in message["content"]
    assert "streak" not in message["content"].lower(), "gaps are never framed as a broken streak"
    attachment = message["attachments"][0]
    png = emulator.world.uploads[attachment["id"]]
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png)).convert("RGB")
    # 28 days ending today (Monday 30 Nov): the goal's pings were 23-29 Nov, columns 20-26.
    expected = ["done", "minimum", "not_today", "flare", "no_answer", "done", "done"]
    for n, state in enumerate(expected):
        assert image.getpixel(cell_centre(0, 20 + n)) == COLOURS[state], (n, state)
    assert image.getpixel(cell_centre(0, 0)) == COLOURS["none"]
    assert image.getpixel(cell_centre(0, 27)) == COLOURS["none"]


async def test_pings_keep_local_time_across_daylight_saving(emulator, server, clock, runner):
    clock.set(datetime(2027, 3, 26, 12, 0, tzinfo=UTC))  # Friday before Europe's spring change (Sunday 28)
    alex = emulator.add_person(server.guild_id, "alex")
    bot = await runner.start()
    await _say(emulator, server, alex, "me timezone", zone="Europe/Berlin")
    await set_goal(emulator, server, alex, time="8am")
    expected = [datetime(2027, 3, 27, 7, 0, tzinfo=UTC), datetime(2027, 3, 28, 6, 0, tzinfo=UTC),
                datetime(2027, 3, 29, 6, 0, tzinfo=UTC)]
    for instant in expected:
        clock.set(instant.replace(minute=0) - timedelta(minutes=1))
        await bot.scheduler.run_due()
        count = len(pings_to(emulator, alex))
        await tick(bot, clock, minutes=1)
        assert len(pings_to(emulator, alex)) == count + 1, instant
    sent_at = [r[0] for r in await bot.db.fetchall("SELECT scheduled_at FROM goal_pings ORDER BY id")]
    assert sent_at == ["2027-03-27T07:00:00Z", "2027-03-28T06:00:00Z", "2027-03-29T06:00:00Z"]
    assert len(pings_to(emulator, alex)) == 3


async def test_after_downtime_one_late_ping_within_two_hours_else_missed(emulator, server, clock, runner):
    alex = emulator.add_person(server.guild_id, "alex")
    bot = await runner.start()
    await set_goal(emulator, server, alex, time="10:00")
    await runner.stop()
    clock.set(datetime(2026, 11, 24, 11, 30, tzinfo=UTC))  # 90 minutes after Tuesday's ping: sent late, once
    bot = await runner.start()
    await bot.scheduler.caught_up()
    await bot.outbox.drain()
    sent = pings_to(emulator, alex)
    assert len(sent) == 1 and "bot was offline" in text_of(sent[0])
    await runner.stop()
    clock.set(datetime(2026, 11, 27, 13, 0, tzinfo=UTC))  # three days down, 3 h past Friday's: all missed
    bot = await runner.start()
    await bot.scheduler.caught_up()
    await bot.outbox.drain()
    assert len(pings_to(emulator, alex)) == 1
    missed = await bot.db.fetchval(
        "SELECT COUNT(*) FROM schedule_occurrences WHERE outcome = 'missed' AND kind = 'goal_ping'")
    assert missed == 1 + 3  # Monday's (first downtime), then Wednesday's to Friday's


async def test_closed_dms_pause_goals_and_say_so_once(emulator, server, clock, runner):
    alex = emulator.add_person(server.guild_id, "alex")
    bot = await runner.start()
    await set_goal(emulator, server, alex, time="10:00")
    emulator.world.dms_closed.add(alex)
    await tick(bot, clock, hours=1)
    assert await bot.db.fetchval("SELECT status || ':' || paused_reason FROM goals") == "paused:dm_closed"
    told = await (await emulator.slash(server.guild_id, alex, "me show")).followup(0)  # any command
    assert "DMs are closed" in told["content"] and told["flags"] & 64
    listed = await (await emulator.slash(server.guild_id, alex, "goal list")).reply()
    assert "paused (DMs closed)" in text_of(listed)
    again = await emulator.slash(server.guild_id, alex, "goal list")
    await again.reply()
    assert not again.record.followup_ids, "told once"
    await tick(bot, clock, days=1)
    assert len(emulator.find_calls("POST", "/users/@me/channels")) == 1, "no more DM attempts while paused"


async def test_circle_channel_delivery_and_dm_fallback_to_the_circle(emulator, server, clock, runner):
    alex = emulator.add_person(server.guild_id, "alex")
    bot = await runner.start()
    await set_up(bot, server)
    circle = await create_circle(emulator, bot, server)
    await join(emulator, server, alex, circle)
    await set_goal(emulator, server, alex, text="walk", time="10:00", delivery="dm_or_circle", circle=str(circle.id))
    await set_goal(emulator, server, alex, text="stretch", time="11:00", delivery="circle", circle=str(circle.id))
    emulator.world.dms_closed.add(alex)
    await tick(bot, clock, hours=1)
    channel = [m for m in emulator.world.messages[str(circle.text_channel_id)].values()
               if "Goal check-in" in text_of(m)]
    assert len(channel) == 1 and "walk" in text_of(channel[0]) and f"<@{alex}>" in channel[0]["content"]
    await tick(bot, clock, hours=1)
    channel = [m for m in emulator.world.messages[str(circle.text_channel_id)].values()
               if "Goal check-in" in text_of(m)]
    assert len(channel) == 2 and "stretch" in text_of(channel[1])
    sam = emulator.add_person(server.guild_id, "sam")
    assert "someone else's" in (await (await emulator.click(sam, channel[1], label="Done")).reply())["content"]
    assert "Recorded" in text_of(await press(emulator, alex, channel[1], "Done"))
    told = await (await emulator.slash(server.guild_id, alex, "goal list")).followup(0)
    assert "circle's channel" in told["content"]


async def test_partner_invite_accept_weekly_count_cheer_and_end(emulator, server, clock, runner):
    alex = emulator.add_person(server.guild_id, "alex")
    sam = emulator.add_person(server.guild_id, "sam")
    bot = await runner.start()
    await set_goal(emulator, server, alex, time="10:00")
    goal = str(await bot.db.fetchval("SELECT id FROM goals"))
    invited = await _say(emulator, server, alex, "goal partner", goal=goal, member=sam)
    assert "Invited" in invited["content"]
    await bot.outbox.drain()
    invite = next(m for m in dms(emulator, sam) if "accountability partner" in text_of(m))
    assert "Recorded" not in text_of(invite)
    accepted = await press(emulator, sam, invite, "Accept")
    assert "weekly count" in text_of(accepted)
    await tick(bot, clock, days=1, hours=1)  # Tuesday 10:00
    await press(emulator, alex, pings_to(emulator, alex)[-1], "Did the minimum")
    ix = await emulator.click(alex, pings_to(emulator, alex)[-1], label="Add a note")
    await (await emulator.submit_modal(alex, ix, {"note": "secret words"})).reply()
    await tick(bot, clock, days=6, hours=8)  # next Monday 18:00, the weekday sam accepted on
    counts = [m for m in dms(emulator, sam) if "Weekly count" in text_of(m)]
    assert len(counts) == 1
    assert "showed up 1 time" in text_of(counts[0]) and "secret" not in text_of(counts[0])
    cheer = await (await emulator.click(sam, counts[0], label="Cheer them on")).reply()
    assert "Sent" in cheer["content"]
    again = await (await emulator.click(sam, counts[0], label="Cheer them on")).reply()
    assert "already cheered" in again["content"]
    await bot.outbox.drain()
    assert len([m for m in dms(emulator, alex) if "cheering you on" in text_of(m)]) == 1
    ended = await press(emulator, sam, counts[0], "End partnership")
    assert "quietly" in text_of(ended).lower()
    before = len(dms(emulator, alex))
    await tick(bot, clock, days=7)
    assert not [m for m in dms(emulator, sam) if "Weekly count" in text_of(m)][1:]
    assert not [m for m in dms(emulator, alex)[before:] if "partner" in text_of(m).lower()], "nobody told"


async def test_partner_can_decline_and_owner_can_end(emulator, server, clock, runner):
    alex = emulator.add_person(server.guild_id, "alex")
    sam = emulator.add_person(server.guild_id, "sam")
    bot = await runner.start()
    await set_goal(emulator, server, alex, time="10:00")
    goal = str(await bot.db.fetchval("SELECT id FROM goals"))
    assert "own accountability partner" in (await _say(emulator, server, alex, "goal partner", goal=goal,
                                                       member=alex))["content"]
    await _say(emulator, server, alex, "goal partner", goal=goal, member=sam)
    await bot.outbox.drain()
    invite = next(m for m in dms(emulator, sam) if "accountability partner" in text_of(m))
    assert "No problem" in text_of(await press(emulator, sam, invite, "No thanks"))
    assert await bot.db.fetchval("SELECT COUNT(*) FROM goal_partners") == 0
    await tick(bot, clock, days=30)  # a decline holds repeat invitations (tests/e2e/goals/test_rough_edges.py)
    await _say(emulator, server, alex, "goal partner", goal=goal, member=sam)
    assert "Ended quietly" in (await _say(emulator, server, alex, "goal partner-end", goal=goal))["content"]


async def test_weekly_recap_is_private_text_with_a_picture_on_request(emulator, server, clock, runner):
    alex = emulator.add_person(server.guild_id, "alex")
    bot = await runner.start()
    await set_goal(emulator, server, alex, time="10:00")
    assert "Sunday" in (await _say(emulator, server, alex, "goal summary", day=6))["content"]
    await tick(bot, clock, hours=1)
    await press(emulator, alex, pings_to(emulator, alex)[-1], "Done")
    await tick(bot, clock, days=6, hours=8)  # Sunday 18:00 UTC
    recaps = [m for m in dms(emulator, alex) if "Your week" in text_of(m)]
    assert len(recaps) == 1 and "showed up 1" in text_of(recaps[0])
    ix = await emulator.click(alex, recaps[0], label="Show my picture")
    picture = await ix.followup(0)
    assert emulator.world.uploads[picture["attachments"][0]["id"]].startswith(b"\x89PNG")
    await tick(bot, clock, hours=2)
    assert len([m for m in dms(emulator, alex) if "Your week" in text_of(m)]) == 1
