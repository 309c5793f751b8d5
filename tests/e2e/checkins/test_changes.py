"""Skip, move, edit and cancel keep sessions, their Discord events and reminders in step; bad input
changes nothing; a circle that loses its voice channel or is archived pauses its series."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock
from emulator import state as S
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DiscordEmulator
from tests.e2e.checkins.helpers import (
    EVENT,
    EVENTS,
    channel_texts,
    circle_with_members,
    dm_texts,
    events_of,
    move_to,
    rows,
    settle,
    slash,
    until,
)
from tests.e2e.circles.helpers import answer


def starts(emulator: DiscordEmulator, server: Server, status: int = 1) -> list[str]:
    return [e["scheduled_start_time"][:16] for e in events_of(emulator, server) if e["status"] == status]


async def test_skip_move_edit_and_cancel(bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server,
                                         clock: FakeClock) -> None:
    circle, (ann,) = await circle_with_members(emulator, bot, server, "ann")
    cid = str(circle.id)
    await slash(emulator, server, ann, "checkin reminders", circle=cid, turn="on", offsets="15m")
    await slash(emulator, server, server.owner_id, "checkin-admin schedule", circle=cid, weekdays="mon,thu",
                time="19:00", timezone="UTC")
    await settle(bot)
    assert starts(emulator, server) == ["2026-11-23T19:00", "2026-11-26T19:00"]

    text = await slash(emulator, server, server.owner_id, "checkin-facilitator skip", circle=cid, date="2026-11-26",
                       note="Our facilitator is away")
    assert "is skipped" in text and "circle's channel is told" in text
    await settle(bot)
    assert starts(emulator, server, 4) == ["2026-11-26T19:00"], "the skipped session's event is cancelled"
    assert starts(emulator, server) == ["2026-11-23T19:00", "2026-11-30T19:00"], "two upcoming still listed"
    told = [t for t in channel_texts(emulator, circle.text_channel_id) if "no check-in" in t]
    assert len(told) == 1 and "Our facilitator is away" in told[0]

    moved = await slash(emulator, server, server.owner_id, "checkin-facilitator move", circle=cid, date="2026-11-30",
                        new_time="6:30pm")
    assert "now starts at <t:" in moved
    await settle(bot)
    assert starts(emulator, server) == ["2026-11-23T19:00", "2026-11-30T18:30"]
    assert any("moves to" in t for t in channel_texts(emulator, circle.text_channel_id))

    series_id = (await rows(bot, "SELECT id FROM checkin_series"))[0][0]
    choices = await (await emulator.autocomplete(server.guild_id, server.owner_id, "checkin-admin edit", "series",
                                                 series="fibro")).choices()
    assert [c["value"] for c in choices] == [str(series_id)]
    edited = await slash(emulator, server, server.owner_id, "checkin-admin edit", series=str(series_id),
                         time="20:00", duration=90)
    assert "is updated" in edited
    await settle(bot)
    events = [e for e in events_of(emulator, server) if e["status"] == 1]
    assert [(e["scheduled_start_time"][:16], e["scheduled_end_time"][:16]) for e in events] == [
        ("2026-11-23T20:00", "2026-11-23T21:30"),   # follows the new time
        ("2026-11-30T18:30", "2026-11-30T20:00"),   # the moved session keeps its time, gets the new length
    ]
    listed = await slash(emulator, server, server.owner_id, "checkin-facilitator list")
    assert "Mon, Thu at 20:00 UTC, 90 min" in listed

    # The skipped Thursday sends no reminder; Monday's comes at the new time.
    await move_to(bot, clock, datetime(2026, 11, 23, 19, 45, tzinfo=UTC))
    await move_to(bot, clock, datetime(2026, 11, 26, 18, 45, tzinfo=UTC))
    reminders = [t for t in dm_texts(emulator, ann) if "\nReminder:" in t]
    assert len(reminders) == 1 and f"<t:{int(datetime(2026, 11, 23, 20, tzinfo=UTC).timestamp())}:F>" in reminders[0]

    cancelled = await slash(emulator, server, server.owner_id, "checkin-admin cancel", series=str(series_id))
    assert "is cancelled" in cancelled
    await settle(bot)
    assert starts(emulator, server) == [], "every upcoming event is cancelled"
    assert "No check-ins are scheduled" in await slash(emulator, server, server.owner_id, "checkin-facilitator list")
    await move_to(bot, clock, datetime(2026, 11, 30, 18, 30, tzinfo=UTC))
    assert len([t for t in dm_texts(emulator, ann) if "\nReminder:" in t]) == 1


async def test_bad_input_is_answered_and_changes_nothing(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                         server: Server) -> None:
    circle, (ann,) = await circle_with_members(emulator, bot, server, "ann")
    cid, owner = str(circle.id), server.owner_id
    cases = [
        ({"weekdays": "mon", "time": "19:00", "timezone": "Mars/Olympus"}, "isn't a time zone I know"),
        ({"weekdays": "mon", "time": "25:00"}, "couldn't read the time '25:00'"),
        ({"weekdays": "mon", "time": "19:00", "duration": 0}, "between 15 and 240 minutes"),
        ({"weekdays": "mon", "time": "19:00", "start": "2026-11-01"}, "already in the past"),
        ({"weekdays": "mon", "time": "19:00", "title": "x" * 101}, "up to 100 characters (this one has 101)"),
        ({"weekdays": "someday", "time": "19:00"}, "isn't a weekday"),
        ({"weekdays": "mon", "time": "19:00", "every": 5}, "every 1 to 4 weeks"),
    ]
    for options, expected in cases:
        ix = await emulator.slash(server.guild_id, owner, "checkin-admin schedule", circle=cid, **options)
        reply = await ix.reply()
        assert expected in text_of(reply) and "Nothing was changed" in text_of(reply), text_of(reply)
        assert reply["flags"] & 64, "ephemeral"
    assert await rows(bot, "SELECT * FROM checkin_series") == []
    assert emulator.find_calls("POST", EVENTS) == []

    await slash(emulator, server, owner, "checkin-admin schedule", circle=cid, weekdays="mon", time="19:00",
                timezone="UTC")
    await settle(bot)
    before = await rows(bot, "SELECT * FROM checkin_sessions")
    for path, options, expected in [
        ("checkin-facilitator skip", {"date": "2026-11-25"}, "has no check-in on 2026-11-25"),
        ("checkin-facilitator skip", {"date": "2026-11-02"}, "already in the past"),
        ("checkin-facilitator skip", {"date": "30/11/2026"}, "couldn't read the date"),
        ("checkin-facilitator move", {"date": "2026-11-23", "new_time": "08:00"}, "already passed"),
        ("checkin-facilitator move", {"date": "2026-11-30", "new_time": "7"}, "couldn't read the time"),
        ("checkin-facilitator move", {"date": "2026-12-14", "new_time": "25:00"}, "couldn't read the time"),
    ]:
        text = await slash(emulator, server, owner, path, circle=cid, **options)
        assert expected in text, text
    assert await rows(bot, "SELECT * FROM checkin_sessions") == before
    # A date beyond the sessions made so far can be skipped ahead of time; it is never made again.
    assert "is skipped" in await slash(emulator, server, owner, "checkin-facilitator skip", circle=cid,
                                       date="2026-12-14")
    assert await rows(bot, "SELECT local_date, status FROM checkin_sessions WHERE local_date = '2026-12-14'") == [
        ("2026-12-14", "skipped")]
    assert "was skipped" in await slash(emulator, server, owner, "checkin-facilitator move", circle=cid,
                                        date="2026-12-14", new_time="18:00")
    # Members cannot use organiser commands, whatever Discord's defaults say.
    refused = await slash(emulator, server, ann, "checkin-admin schedule", circle=cid, weekdays="mon", time="19:00")
    assert "Only organisers" in refused
    assert "couldn't find that check-in series" in await slash(emulator, server, owner, "checkin-admin cancel",
                                                              series="9999")


async def test_a_deleted_voice_channel_pauses_the_series_and_tells_the_organiser(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    circle, _ = await circle_with_members(emulator, bot, server, "ann")
    await slash(emulator, server, server.owner_id, "checkin-admin schedule", circle=str(circle.id),
                weekdays="mon,thu", time="19:00", timezone="UTC")
    await settle(bot)
    await emulator.delete_channel(str(circle.voice_channel_id))
    await until(lambda: rows(bot, "SELECT status FROM checkin_series"), [("paused",)])
    await settle(bot)
    assert events_of(emulator, server) == [], "Discord removed the channel's events with it"
    assert await rows(bot, "SELECT status FROM checkin_sessions") == [("cancelled",), ("cancelled",)]
    assert emulator.find_calls("PATCH", EVENT) == [], "nothing left to cancel, nothing tried"
    told = dm_texts(emulator, server.owner_id)
    assert len(told) == 1 and "is paused: the circle's voice channel was deleted" in told[0] and "Pain Peers" in told[0]
    await move_to(bot, clock, datetime(2026, 11, 23, 19, 0, tzinfo=UTC))
    assert not any("starting now" in t for t in channel_texts(emulator, circle.text_channel_id))


async def test_archiving_the_circle_pauses_its_series(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                      server: Server) -> None:
    circle, _ = await circle_with_members(emulator, bot, server, "ann")
    await slash(emulator, server, server.owner_id, "checkin-admin schedule", circle=str(circle.id),
                weekdays="mon,thu", time="19:00", timezone="UTC")
    await settle(bot)
    card = await (await emulator.slash(server.guild_id, server.owner_id, "circle-admin archive",
                                       circle=str(circle.id))).reply()
    await answer(await emulator.click(server.owner_id, card, label="Archive it"))
    await until(lambda: rows(bot, "SELECT status FROM checkin_series"), [("paused",)])
    await settle(bot)
    assert starts(emulator, server) == []
    assert any("the circle was archived" in t for t in dm_texts(emulator, server.owner_id))


async def test_without_manage_events_the_organiser_is_told_and_reminders_still_work(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    circle, (ann,) = await circle_with_members(emulator, bot, server, "ann")
    bot_role = emulator.world.guilds[server.guild_id].members[emulator.world.bot_id]["roles"][0]
    await emulator.set_role_permissions(server.guild_id, bot_role, S.BOT_DEFAULT & ~S.MANAGE_EVENTS)
    await slash(emulator, server, ann, "checkin reminders", circle=str(circle.id), turn="on", offsets="15m",
                start_ping=True)
    text = await slash(emulator, server, server.owner_id, "checkin-admin schedule", circle=str(circle.id),
                       weekdays="mon", time="19:00", timezone="UTC")
    assert "lack the **Manage Events** permission" in text
    await settle(bot)
    assert [c.status for c in emulator.find_calls("POST", EVENTS)] == [403, 403], "tried once per session"
    assert await rows(bot, "SELECT event_state FROM checkin_sessions") == [("failed",), ("failed",)]
    await move_to(bot, clock, datetime(2026, 11, 23, 18, 45, tzinfo=UTC))
    await move_to(bot, clock, datetime(2026, 11, 23, 19, 0, tzinfo=UTC))
    assert any("\nReminder:" in t for t in dm_texts(emulator, ann))
    assert any("starting now" in t for t in channel_texts(emulator, circle.text_channel_id))
    assert emulator.find_calls("PATCH", EVENT) == []
