"""Organisers schedule check-ins; each upcoming session is a Discord scheduled event kept in step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock
from emulator.events import Server
from emulator.server import DiscordEmulator
from tests.e2e.checkins.helpers import (
    EVENT,
    EVENTS,
    circle_with_members,
    dm_texts,
    events_of,
    move_to,
    rows,
    settle,
    slash,
    until,
)


async def test_schedule_replies_with_the_next_five_and_makes_the_next_two_events(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    circle, _ = await circle_with_members(emulator, bot, server)
    text = await slash(emulator, server, server.owner_id, "checkin-admin schedule", circle=str(circle.id),
                       weekdays="mon,thu", time="7pm", timezone="Europe/London", duration=60)
    assert "Scheduled **Fibro Friends check\\-in** for **Fibro Friends**" in text
    expected = [datetime(2026, 11, d, 19, tzinfo=UTC) for d in (23, 26, 30)] + [
        datetime(2026, 12, d, 19, tzinfo=UTC) for d in (3, 7)]
    assert [f"<t:{int(t.timestamp())}:F>" in text for t in expected] == [True] * 5
    assert "Manage Events" not in text
    await settle(bot)
    events = events_of(emulator, server)
    assert [e["scheduled_start_time"] for e in events] == ["2026-11-23T19:00:00+00:00", "2026-11-26T19:00:00+00:00"]
    first = events[0]
    assert first["channel_id"] == str(circle.voice_channel_id) and first["entity_type"] == 2
    assert first["scheduled_end_time"] == "2026-11-23T20:00:00+00:00" and first["status"] == 1
    assert first["name"] == "Fibro Friends check-in" and "Fibro Friends" in first["description"]

    # Start: the event goes active; end: completed; and the next session's event is made.
    await move_to(bot, clock, datetime(2026, 11, 23, 19, 0, tzinfo=UTC))
    assert events_of(emulator, server)[0]["status"] == 2
    await move_to(bot, clock, datetime(2026, 11, 23, 20, 0, tzinfo=UTC))
    events = events_of(emulator, server)
    assert [e["status"] for e in events] == [3, 1, 1]
    assert events[2]["scheduled_start_time"] == "2026-11-30T19:00:00+00:00"
    patches = [c.json.get("status") for c in emulator.find_calls("PATCH", EVENT)]
    assert patches == [2, 3]
    assert len(emulator.find_calls("POST", EVENTS)) == 3


async def test_a_one_off_open_to_newcomers_reminds_anyone_interested(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    circle, _ = await circle_with_members(emulator, bot, server)
    newcomer = await emulator.member_join(server.guild_id, "newcomer")
    text = await slash(emulator, server, server.owner_id, "checkin-admin once", circle=str(circle.id),
                       date="2026-11-28", time="3pm", timezone="Europe/Berlin", duration=90,
                       title="Introduction for newcomers", open_to_all=True)
    when = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)
    assert f"on <t:{int(when.timestamp())}:F>, open to people who are not members yet" in text
    await settle(bot)
    (event,) = events_of(emulator, server)
    assert event["name"] == "Introduction for newcomers" and "/circle join Fibro Friends" in event["description"]
    assert event["scheduled_end_time"] == "2026-11-28T15:30:00+00:00"
    await emulator.event_interest(server.guild_id, newcomer, event["id"])
    await until(lambda: rows(bot, "SELECT user_id FROM checkin_interest"), [(int(newcomer),)])
    await move_to(bot, clock, when - timedelta(hours=24))
    assert any("Introduction for newcomers" in t for t in dm_texts(emulator, newcomer))
    await move_to(bot, clock, when + timedelta(minutes=90))
    assert [e["status"] for e in events_of(emulator, server)] == [3]
    assert len(events_of(emulator, server)) == 1, "a one-off makes no further sessions"
