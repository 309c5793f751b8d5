"""Check-in rough edges found from outside (issue 26): what facilitators can reach, what organisers
are told after an edit, the finder's time zone, quiet hours' wording, strict weekdays, the pulse and
non-members' reminders, attendance after downtime, and events made exactly once across a crash."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock
from bot.demo.runner import BotRunner
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DiscordEmulator
from tests.e2e.checkins.helpers import (
    circle_with_members,
    dm_texts,
    events_of,
    move_to,
    rows,
    settle,
    slash,
    until,
    voice,
)
from tests.e2e.circles.helpers import answer

FACILITATOR_ACTIONS = ("list", "skip", "move", "attendance", "pulse")


def ts(*args: int) -> str:
    return f"<t:{int(datetime(*args, tzinfo=UTC).timestamp())}:F>"


async def test_facilitator_commands_are_not_hidden_by_default_permissions(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    synced = [c for scope in emulator.world.commands.values() for c in scope]
    holders = {}
    for command in synced:
        for sub in command.get("options") or []:
            if sub.get("type") == 1:  # a subcommand
                holders.setdefault(sub["name"], []).append(command)
    for action in FACILITATOR_ACTIONS:
        groups = [c for c in holders[action] if c["name"].startswith("checkin")]
        assert len(groups) == 1, action
        # Discord hides a command whose default_member_permissions the member lacks: facilitators
        # are ordinary members, so their actions must carry none (checked in the bot instead).
        assert groups[0].get("default_member_permissions") is None, (action, groups[0]["name"])
    organiser_only = next(c for c in synced if c["name"] == "checkin-admin")
    assert organiser_only.get("default_member_permissions") not in (None, "0"), "organiser actions stay hidden"


async def test_a_facilitator_skips_a_session_of_their_circle(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                             server: Server) -> None:
    circle, (fay, ann) = await circle_with_members(emulator, bot, server, "fay", "ann")
    cid = str(circle.id)
    await slash(emulator, server, server.owner_id, "circle-admin facilitator-add", circle=cid, member=fay)
    await slash(emulator, server, server.owner_id, "checkin-admin schedule", circle=cid, weekdays="mon,thu",
                time="19:00", timezone="UTC")
    text = await slash(emulator, server, fay, "checkin-facilitator skip", circle=cid, date="2026-11-26")
    assert "is skipped" in text
    refused = await slash(emulator, server, ann, "checkin-facilitator skip", circle=cid, date="2026-11-30")
    assert "Only this circle's facilitators" in refused
    assert await rows(bot, "SELECT local_date FROM checkin_sessions WHERE status = 'skipped'") == [("2026-11-26",)]


async def test_edit_confirms_the_sessions_that_will_happen(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                           server: Server) -> None:
    circle, _ = await circle_with_members(emulator, bot, server, "ann")
    cid = str(circle.id)
    await slash(emulator, server, server.owner_id, "checkin-admin schedule", circle=cid, weekdays="mon,thu",
                time="19:00", timezone="UTC")
    await slash(emulator, server, server.owner_id, "checkin-facilitator skip", circle=cid, date="2026-11-26")
    await slash(emulator, server, server.owner_id, "checkin-facilitator move", circle=cid, date="2026-11-30",
                new_time="6:30pm")
    await settle(bot)
    series_id = (await rows(bot, "SELECT id FROM checkin_series"))[0][0]
    edited = await slash(emulator, server, server.owner_id, "checkin-admin edit", series=str(series_id),
                         duration=90)
    assert "is updated" in edited
    assert ts(2026, 11, 26, 19, 0) not in edited, "the skipped Thursday is not listed"
    assert ts(2026, 11, 30, 19, 0) not in edited, "nor the moved Monday at its old time"
    assert edited.endswith(f"{ts(2026, 11, 23, 19, 0)}, {ts(2026, 11, 30, 18, 30)}, {ts(2026, 12, 3, 19, 0)}")


async def test_the_finder_says_which_zone_it_read_days_in(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                          server: Server) -> None:
    circle, _ = await circle_with_members(emulator, bot, server, "ann")
    await slash(emulator, server, server.owner_id, "checkin-admin schedule", circle=str(circle.id),
                weekdays="mon", time="19:00", timezone="UTC")
    max_ = await emulator.member_join(server.guild_id, "max")
    zone = bot.config.bot.default_timezone
    finder = await answer(await emulator.slash(server.guild_id, max_, "circle find"))
    assert f"read in **{zone}**, this server's time zone" in text_of(finder) and "/me timezone" in text_of(finder)
    monday = await answer(await emulator.select(
        max_, finder, finder["components"][2]["components"][0]["custom_id"], ["0"]))
    assert f"read in {zone}, the server's time zone" in text_of(monday)
    assert "your time" not in text_of(monday)

    await slash(emulator, server, max_, "me timezone", zone="Europe/Berlin")
    finder = await answer(await emulator.slash(server.guild_id, max_, "circle find"))
    assert "this server's time zone" not in text_of(finder)
    monday = await answer(await emulator.select(
        max_, finder, finder["components"][2]["components"][0]["custom_id"], ["0"]))
    assert "your time" in text_of(monday)


async def test_quiet_hours_say_what_happens_to_each_kind(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                          server: Server) -> None:
    _, (ann,) = await circle_with_members(emulator, bot, server, "ann")
    saved = await slash(emulator, server, ann, "me quiet-hours", start="22:00", end="08:00")
    assert "none are dropped" not in saved
    assert "goal nudges, partner invitations and cheers wait until they end" in saved
    assert "check-in reminders, start-notice mentions and after-session questions are not sent" in saved


async def test_a_misspelt_weekday_is_refused_with_the_words_accepted(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                                      server: Server) -> None:
    circle, _ = await circle_with_members(emulator, bot, server, "ann")
    refused = await slash(emulator, server, server.owner_id, "checkin-admin schedule", circle=str(circle.id),
                          weekdays="mon,thurz", time="19:00", timezone="UTC")
    assert "'thurz' isn't a weekday I know" in refused and "mon, tue, wed, thu, fri, sat or sun" in refused
    assert await rows(bot, "SELECT id FROM checkin_series") == []
    goal = await (await emulator.slash(server.guild_id, server.owner_id, "goal set", cadence="days", days="thurz",
                                       time="9am")).reply()
    assert "'thurz' isn't a weekday I know" in text_of(goal)
    assert await rows(bot, "SELECT id FROM goals") == []


async def test_a_non_member_is_told_how_to_join_and_the_pulse_says_anonymity_first(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    circle, (ann,) = await circle_with_members(emulator, bot, server, "ann")
    await slash(emulator, server, ann, "checkin reminders", circle=str(circle.id), turn="on", pulse=True)
    stranger = await emulator.member_join(server.guild_id, "stranger")
    await slash(emulator, server, server.owner_id, "checkin-admin once", circle=str(circle.id), date="2026-11-26",
                time="19:00", timezone="UTC", open_to_all=True)
    await settle(bot)
    event = events_of(emulator, server)[0]
    for user in (ann, stranger):
        await emulator.event_interest(server.guild_id, user, event["id"])
    await until(lambda: rows(bot, "SELECT user_id FROM checkin_interest ORDER BY user_id"),
                sorted([(int(ann),), (int(stranger),)]))
    await move_to(bot, clock, datetime(2026, 11, 26, 18, 45, tzinfo=UTC))
    told = [t for t in dm_texts(emulator, stranger) if "\nReminder:" in t or t.startswith("Reminder:")]
    assert told and f"<#{circle.voice_channel_id}>" in told[-1]
    assert "/circle join Fibro Friends shows the circle's norms first" in told[-1]
    member_reminder = [t for t in dm_texts(emulator, ann) if "Reminder:" in t][-1]
    assert "/circle join" not in member_reminder, "a member needs no joining instructions"

    await move_to(bot, clock, datetime(2026, 11, 26, 19, 0, tzinfo=UTC))
    await voice(bot, emulator, server, ann, circle.voice_channel_id)
    await move_to(bot, clock, datetime(2026, 11, 26, 20, 0, tzinfo=UTC))
    ask = [t for t in dm_texts(emulator, ann) if "How are you feeling" in t][-1]
    assert ask.index("kept without your name") < ask.index("Tap one"), "anonymity is said before the answer"


async def test_attendance_after_downtime_follows_who_is_in_voice_now(
        runner: BotRunner, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    bot = await runner.start()
    circle, (ann, bea) = await circle_with_members(emulator, bot, server, "ann", "bea")
    room = circle.voice_channel_id
    await slash(emulator, server, server.owner_id, "checkin-admin schedule", circle=str(circle.id),
                weekdays="mon", time="19:00", timezone="UTC")
    await voice(bot, emulator, server, ann, room)
    await runner.stop()
    # While the bot is down: ann leaves, bea sits down in the circle's voice channel.
    await emulator.voice(server.guild_id, ann, None)
    await emulator.voice(server.guild_id, bea, str(room))
    bot = await runner.start()
    # The bot compares once it is ready (a listener the test cannot await): wait for its effect.
    await until(lambda: rows(bot, "SELECT user_id FROM checkin_voice WHERE left_at IS NULL"), [(int(bea),)])
    await move_to(bot, clock, datetime(2026, 11, 23, 20, 15, tzinfo=UTC))
    seen = await slash(emulator, server, server.owner_id, "checkin-facilitator attendance", circle=str(circle.id),
                       date="2026-11-23")
    assert f"<@{bea}>: 80 min" in seen, "already in voice when the bot started: recorded"
    assert f"<@{ann}>" not in seen, "left while the bot was down: not present at a later session"


async def test_an_event_made_just_before_a_crash_is_not_made_again(
        runner: BotRunner, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    bot = await runner.start()
    circle, _ = await circle_with_members(emulator, bot, server, "ann")
    await slash(emulator, server, server.owner_id, "checkin-admin schedule", circle=str(circle.id),
                weekdays="mon,thu", time="19:00", timezone="UTC")
    await settle(bot)
    assert len(events_of(emulator, server)) == 2
    # The crash: Discord made the events, but the bot died before writing down their ids.
    await bot.db.execute("UPDATE checkin_sessions SET event_id = NULL, event_state = 'none', event_sig = NULL")
    await runner.stop()
    # Back as Monday's session starts: the start-up catch-up (start, horizon) brings events in step
    # at once, possibly before the server's cache has arrived from the gateway.
    clock.set(datetime(2026, 11, 23, 19, 0, 30, tzinfo=UTC))
    bot = await runner.start()
    await settle(bot)
    starts = [e["scheduled_start_time"][:16] for e in events_of(emulator, server)]
    assert starts == ["2026-11-23T19:00", "2026-11-26T19:00", "2026-11-30T19:00"], "no session has two events"
    recorded = await rows(bot, "SELECT local_date, event_id FROM checkin_sessions WHERE local_date > '2026-11-23'")
    assert {str(r[1]) for r in recorded} == {e["id"] for e in events_of(emulator, server)[1:]}, "ids written down"


async def test_events_are_looked_up_at_discord_before_one_is_made(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    circle, _ = await circle_with_members(emulator, bot, server, "ann")
    await slash(emulator, server, server.owner_id, "checkin-admin schedule", circle=str(circle.id),
                weekdays="mon,thu", time="19:00", timezone="UTC")
    await settle(bot)
    made = {e["id"] for e in events_of(emulator, server)}
    assert len(made) == 2
    # The ids were never written down, and the bot's view of the server is not there yet (as in a
    # sync at start-up, before the gateway delivers the server): Discord is asked, not the cache.
    await bot.db.execute("UPDATE checkin_sessions SET event_id = NULL, event_state = 'none', event_sig = NULL")
    guild = bot.get_guild(int(server.guild_id))
    assert guild is not None
    guild._scheduled_events.clear()
    assert bot.checkin_events is not None
    await bot.checkin_events.sync(int(server.guild_id))
    assert {e["id"] for e in events_of(emulator, server)} == made, "no second event"
    assert {str(r[0]) for r in await rows(bot, "SELECT event_id FROM checkin_sessions")} == made
