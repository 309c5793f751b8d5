"""Local times across daylight saving (two zones), a restart mid-week, the finder's time filter for
a member in another zone, and /checkin upcoming."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock
from bot.demo.runner import BotRunner
from bot.members.prefs import MemberPrefs, save_prefs
from emulator.events import Server
from emulator.interactions import iter_components, text_of
from emulator.server import DiscordEmulator
from tests.e2e.checkins.helpers import circle_with_members, dm_texts, events_of, move_to, settle, slash
from tests.e2e.circles.helpers import answer, create_circle, join


def ts(*parts: int) -> str:
    return f"<t:{int(datetime(*parts, tzinfo=UTC).timestamp())}:F>"


async def test_sessions_keep_their_local_time_across_dst_in_two_zones(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    clock.set(datetime(2027, 3, 8, 9, 0, tzinfo=UTC))  # US clocks change on 14 March, UK on 28 March
    london, (ann,) = await circle_with_members(emulator, bot, server, "ann", circle_name="London Evenings")
    new_york = await create_circle(emulator, bot, server, "New York Evenings")
    await slash(emulator, server, ann, "checkin reminders", circle=str(london.id), turn="on", offsets="24h")
    uk = await slash(emulator, server, server.owner_id, "checkin-admin schedule", circle=str(london.id),
                     weekdays="mon", time="19:00", timezone="Europe/London")
    us = await slash(emulator, server, server.owner_id, "checkin-admin schedule", circle=str(new_york.id),
                     weekdays="mon", time="7pm", timezone="America/New_York")
    assert all(ts(2027, 3, d, 19) in uk for d in (8, 15, 22)) and all(ts(2027, m, d, 18) in uk
                                                                       for m, d in ((3, 29), (4, 5)))
    assert ts(2027, 3, 9, 0) in us and all(ts(2027, 3, d, 23) in us for d in (15, 22, 29))

    # Walk the weeks through every start and end (the horizon makes events two sessions ahead).
    instants = sorted({datetime(2027, 3, 8, 19, tzinfo=UTC) + timedelta(weeks=w, hours=h)
                       for w in range(4) for h in (0, 1, 4, 5, -1)} | {datetime(2027, 3, 29, 18, tzinfo=UTC)})
    reminder_due = datetime(2027, 3, 28, 18, tzinfo=UTC)
    for instant in instants:
        if instant > reminder_due > clock.now():
            await move_to(bot, clock, reminder_due - timedelta(minutes=1))
            assert not any(ts(2027, 3, 29, 18) in t for t in dm_texts(emulator, ann))
            await move_to(bot, clock, reminder_due)
            assert any(ts(2027, 3, 29, 18) in t for t in dm_texts(emulator, ann)), "24 h before, in UTC"
        if instant > clock.now():
            await move_to(bot, clock, instant)
    by_channel: dict[str, list[str]] = {}
    for event in events_of(emulator, server):
        by_channel.setdefault(event["channel_id"], []).append(event["scheduled_start_time"][:16])
    assert by_channel[str(london.voice_channel_id)][:6] == [
        "2027-03-08T19:00", "2027-03-15T19:00", "2027-03-22T19:00", "2027-03-29T18:00", "2027-04-05T18:00",
        "2027-04-12T18:00"]
    assert by_channel[str(new_york.voice_channel_id)][:4] == [
        "2027-03-09T00:00", "2027-03-15T23:00", "2027-03-22T23:00", "2027-03-29T23:00"]
    uk_events = [e for e in events_of(emulator, server) if e["channel_id"] == str(london.voice_channel_id)]
    assert [e["status"] for e in uk_events[:4]] == [3, 3, 3, 3]
    assert uk_events[3]["scheduled_end_time"].startswith("2027-03-29T19:00"), "an hour long, in UTC too"


async def test_a_restart_mid_week_loses_and_doubles_no_reminder(
        runner: BotRunner, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    bot = await runner.start()
    circle, (ann, bea) = await circle_with_members(emulator, bot, server, "ann", "bea")
    await slash(emulator, server, ann, "checkin reminders", circle=str(circle.id), turn="on", offsets="24h,15m")
    await slash(emulator, server, bea, "checkin reminders", circle=str(circle.id), turn="on", offsets="24h,5m",
                start_ping=True)
    await slash(emulator, server, server.owner_id, "checkin-admin schedule", circle=str(circle.id),
                weekdays="thu", time="19:00", timezone="UTC")
    await move_to(bot, clock, datetime(2026, 11, 25, 19, 0, tzinfo=UTC))   # the 24 h reminders
    await runner.stop()

    clock.set(datetime(2026, 11, 26, 18, 52, tzinfo=UTC))   # ann's 15 min reminder fell while down
    bot = await runner.start()
    await bot.scheduler.caught_up()
    await settle(bot)
    ann_got = [t for t in dm_texts(emulator, ann) if "\nReminder:" in t]
    assert len(ann_got) == 2 and "a little late" in ann_got[1] and "late" not in ann_got[0]
    assert len([t for t in dm_texts(emulator, bea) if "\nReminder:" in t]) == 1
    await runner.stop()

    clock.set(datetime(2026, 11, 26, 19, 5, tzinfo=UTC))    # bea's 5 min one fell, and the session began
    bot = await runner.start()
    await bot.scheduler.caught_up()
    await settle(bot)
    assert len([t for t in dm_texts(emulator, bea) if "\nReminder:" in t]) == 1, "skipped: it has started"
    assert len([t for t in dm_texts(emulator, ann) if "\nReminder:" in t]) == 2, "nothing twice"
    notices = [m for m in emulator.world.messages.get(str(circle.text_channel_id), {}).values()
               if "is starting now" in m["content"]]
    assert len(notices) == 1, "the start notice still goes while the session runs"
    await emulator.wait_until(lambda: any(e["status"] == 2 for e in events_of(emulator, server)), 5,
                              "the event to be started after the restart")


async def test_the_finder_matches_meeting_times_in_the_members_own_zone(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    evening, _ = await circle_with_members(emulator, bot, server, circle_name="London Evenings")
    morning = await create_circle(emulator, bot, server, "London Mornings")
    for circle, at in ((evening, "19:00"), (morning, "09:00")):
        await slash(emulator, server, server.owner_id, "checkin-admin schedule", circle=str(circle.id),
                    weekdays="mon", time=at, timezone="Europe/London")
    kim = await emulator.member_join(server.guild_id, "kim")   # lives in New York: 19:00 London is 14:00 there
    await save_prefs(bot.db, MemberPrefs(int(server.guild_id), int(kim), timezone="America/New_York"), clock.now())

    finder = await (await emulator.slash(server.guild_id, kim, "circle find")).reply()
    parts = next(c for c in iter_components(finder["components"]) if c.get("placeholder") == "Which times of day?")
    afternoon = await answer(await emulator.select(kim, finder, parts["custom_id"], ["afternoon"]))
    text = text_of(afternoon)
    assert "London Evenings" in text and "London Mornings" not in text
    assert "meets at times you chose" in text
    night = await answer(await emulator.select(kim, finder, parts["custom_id"], ["night"]))
    assert "London Mornings" in text_of(night) and "London Evenings" not in text_of(night), "09:00 is 04:00 for kim"

    await join(emulator, server, kim, evening)
    upcoming = await slash(emulator, server, kim, "checkin upcoming")
    assert upcoming.startswith("Your next check-ins") and ts(2026, 11, 23, 19) in upcoming
    assert "London Mornings" not in upcoming
    card = await slash(emulator, server, kim, "circle list")
    # The list and circle cards show each circle's next check-in (09:00 today has just begun: next week's).
    assert f"Next check-in: {ts(2026, 11, 23, 19)}" in card and f"Next check-in: {ts(2026, 11, 30, 9)}" in card
