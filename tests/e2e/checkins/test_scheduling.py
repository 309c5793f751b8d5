"""Organisers schedule check-ins; each upcoming session is a Discord scheduled event kept in step."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock
from emulator.events import Server
from emulator.server import DiscordEmulator
from tests.e2e.checkins.helpers import EVENT, EVENTS, circle_with_members, events_of, move_to, settle, slash


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
