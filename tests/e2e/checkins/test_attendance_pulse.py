"""Attendance from voice states (private to the circle's facilitators and organisers) and the
anonymous post-session pulse with its under-3 rule."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock, iso_utc
from bot.members.prefs import MemberPrefs, save_prefs
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DiscordEmulator
from tests.e2e.checkins.helpers import circle_with_members, move_to, rows, slash, voice
from tests.e2e.circles.helpers import answer, create_circle, dms

MON = datetime(2026, 11, 23, 19, 0, tzinfo=UTC)


def minutes(hour: int, minute: int, week: int = 0) -> datetime:
    return datetime(2026, 11, 23, hour, minute, tzinfo=UTC) + timedelta(weeks=week)


async def test_attendance_counts_time_in_voice_during_the_session_for_facilitators_only(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    circle, (ann, bea, cat, dan) = await circle_with_members(emulator, bot, server, "ann", "bea", "cat", "dan")
    other = await create_circle(emulator, bot, server, "Migraine Mates")
    fac = await emulator.member_join(server.guild_id, "fac")
    zed = await emulator.member_join(server.guild_id, "zed")
    await slash(emulator, server, server.owner_id, "circle-admin facilitator-add", circle=str(circle.id), member=fac)
    await slash(emulator, server, server.owner_id, "circle-admin facilitator-add", circle=str(other.id), member=zed)
    await slash(emulator, server, server.owner_id, "checkin-admin schedule", circle=str(circle.id),
                weekdays="mon", time="19:00", timezone="UTC")
    room, lounge = circle.voice_channel_id, server.lounge_voice_id

    await move_to(bot, clock, minutes(18, 55))
    await voice(bot, emulator, server, ann, room)          # 5 minutes early: inside the 10 minutes' grace
    await move_to(bot, clock, minutes(19, 0))
    await voice(bot, emulator, server, cat, room)
    await move_to(bot, clock, minutes(19, 10))
    await voice(bot, emulator, server, bea, lounge)        # another channel does not count ...
    await move_to(bot, clock, minutes(19, 20))
    await voice(bot, emulator, server, bea, room)          # ... moving into the circle's does
    await move_to(bot, clock, minutes(19, 30))
    await voice(bot, emulator, server, ann, None)          # leaves
    await move_to(bot, clock, minutes(19, 40))
    await voice(bot, emulator, server, ann, room)          # and comes back
    await move_to(bot, clock, minutes(20, 0))
    await voice(bot, emulator, server, bea, None)
    await move_to(bot, clock, minutes(20, 5))
    await voice(bot, emulator, server, ann, None)
    await move_to(bot, clock, minutes(20, 30))
    await voice(bot, emulator, server, cat, None)          # stayed on: counted to the end of the grace

    text = await slash(emulator, server, fac, "checkin-facilitator attendance", circle=str(circle.id),
                       date="2026-11-23")
    assert f"<@{cat}>: 70 min" in text and f"<@{ann}>: 60 min" in text and f"<@{bea}>: 40 min" in text
    assert f"<@{dan}>" not in text, "counts who came; nobody is listed as missing"
    assert "never a register" in text
    weeks = await slash(emulator, server, server.owner_id, "checkin-facilitator attendance", circle=str(circle.id))
    assert "(1 sessions)" in weeks and f"<@{ann}>: came to 1 (60 min in all)" in weeks

    for outsider in (zed, dan):
        refused = await slash(emulator, server, outsider, "checkin-facilitator attendance", circle=str(circle.id))
        assert refused.startswith("Only this circle's facilitators and the server's organisers"), refused
        assert "<@" not in refused
    stored = await rows(bot, "SELECT * FROM checkin_voice LIMIT 1")
    assert len(stored[0]) == 6, "ids and times only"


async def test_pulse_is_asked_of_attendees_who_opted_in_and_shown_only_from_three_answers(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    circle, people = await circle_with_members(emulator, bot, server, "ann", "bea", "cat", "dan")
    ann, bea, cat, dan = people
    for user in people:
        await slash(emulator, server, user, "checkin reminders", circle=str(circle.id), turn="on", pulse=user != dan)
    await slash(emulator, server, server.owner_id, "checkin-admin schedule", circle=str(circle.id),
                weekdays="mon", time="19:00", timezone="UTC")
    room = circle.voice_channel_id

    async def session(week: int, comers: list[str], scores: dict[str, str]) -> set[str]:
        await move_to(bot, clock, minutes(19, 0, week))
        for user in comers:
            await voice(bot, emulator, server, user, room)
        await move_to(bot, clock, minutes(19, 45, week))
        for user in comers:
            await voice(bot, emulator, server, user, None)
        await move_to(bot, clock, minutes(20, 0, week))
        asked = {u for u in people if any("How are you feeling" in text_of(m) for m in dms(emulator, u))}
        for user, label in scores.items():
            ask = [m for m in dms(emulator, user) if "How are you feeling" in text_of(m)][-1]
            done = await answer(await emulator.click(user, copy.deepcopy(ask), label=label))
            assert "kept without your name" in text_of(done) or "Take care" in text_of(done)
        return asked

    asked = await session(0, [ann, bea, dan], {ann: "4", bea: "Skip"})
    assert asked == {ann, bea}, "only members who came and opted in (cat stayed away, dan did not opt in)"
    pending = await rows(bot, "SELECT user_id, score FROM checkin_pulse_pending ORDER BY user_id")
    assert sorted(pending) == sorted([(int(ann), 4), (int(bea), None)])
    await move_to(bot, clock, minutes(20, 0) + timedelta(hours=24))
    assert await rows(bot, "SELECT * FROM checkin_pulse_pending") == [], "the window closed"
    assert await rows(bot, "SELECT score FROM checkin_pulse_answers") == [(4,)]
    assert "Fewer than 3" in await slash(emulator, server, server.owner_id, "checkin-facilitator pulse",
                                         circle=str(circle.id))

    await session(1, [ann, bea, cat], {ann: "2", bea: "4", cat: "5"})
    await move_to(bot, clock, minutes(20, 0, 1) + timedelta(hours=24))
    shown = await slash(emulator, server, server.owner_id, "checkin-facilitator pulse", circle=str(circle.id))
    assert "average 3.7 from 3 answers" in shown
    assert "from 1 answers" not in shown, "the first session had fewer than 3 answers"
    answers = await rows(bot, "SELECT * FROM checkin_pulse_answers")
    assert all(len(r) == 5 for r in answers) and len(answers) == 4, "no member id is kept"
    first_ask = emulator.find_calls("POST", "/channels/{channel_id}/messages",
                                    where=lambda c: "How are you feeling" in c.json.get("content", "")
                                    and c.params["channel_id"] == emulator.world.dm_channels[ann])[0]
    closed = await answer(await emulator.click(ann, copy.deepcopy(first_ask.response), label="3"))
    assert "has closed" in text_of(closed)


async def test_no_pulse_for_members_in_flare_mode_or_quiet_hours(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    circle, people = await circle_with_members(emulator, bot, server, "ann", "bea", "cat")
    ann, bea, cat = people
    gid = int(server.guild_id)
    for user in people:
        await slash(emulator, server, user, "checkin reminders", circle=str(circle.id), turn="on", pulse=True)
    await slash(emulator, server, server.owner_id, "checkin-admin schedule", circle=str(circle.id),
                weekdays="mon", time="19:00", timezone="UTC")
    # bea goes into flare mode during the session; cat's quiet hours begin before it ends (her zone: UTC).
    await save_prefs(bot.db, MemberPrefs(gid, int(bea), flare_until=iso_utc(minutes(23, 0))), clock.now())
    await save_prefs(bot.db, MemberPrefs(gid, int(cat), quiet_start="19:30", quiet_end="07:00"), clock.now())

    await move_to(bot, clock, minutes(19, 0))
    for user in people:
        await voice(bot, emulator, server, user, circle.voice_channel_id)
    await move_to(bot, clock, minutes(19, 45))
    for user in people:
        await voice(bot, emulator, server, user, None)
    await move_to(bot, clock, minutes(20, 0))
    asked = {u for u in people if any("How are you feeling" in text_of(m) for m in dms(emulator, u))}
    assert asked == {ann}, "flare mode and quiet hours are respected"
    assert await rows(bot, "SELECT user_id FROM checkin_pulse_pending") == [(int(ann),)], "nobody else is waited on"
