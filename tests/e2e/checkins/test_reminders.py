"""Members' reminders: at each offset they chose, only to those who asked, never in flare or quiet
hours; the start notice mentions only members who asked for it; "Can't make it" tells the facilitator."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock, iso_utc
from bot.members.prefs import MemberPrefs, save_prefs
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DiscordEmulator
from tests.e2e.checkins.helpers import channel_texts, circle_with_members, dm_texts, move_to, rows, settle, slash, until
from tests.e2e.circles.helpers import answer, dms

THU = datetime(2026, 11, 26, 19, 0, tzinfo=UTC)
ANN_ON = "Reminders for **Fibro Friends** are on: a DM 24h, 15m before each session."


def reminders(emulator: DiscordEmulator, user: str) -> list[str]:
    return [t for t in dm_texts(emulator, user) if "\nReminder:" in t]


async def test_reminders_go_at_each_chosen_offset_to_opted_in_members_only(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    circle, (ann, bea, cat, dan, eve, fay) = await circle_with_members(
        emulator, bot, server, "ann", "bea", "cat", "dan", "eve", "fay")
    gid = int(server.guild_id)
    on = await slash(emulator, server, ann, "checkin reminders", circle=str(circle.id), turn="on")
    assert on.startswith(ANN_ON)
    on = await slash(emulator, server, bea, "checkin reminders", circle=str(circle.id), turn="on",
                     offsets="48h,5m", start_ping=True)
    assert "48h, 5m before each session, a mention when it starts" in on
    for quiet in (dan, eve):
        await slash(emulator, server, quiet, "checkin reminders", circle=str(circle.id), turn="on", start_ping=True)
    await slash(emulator, server, fay, "checkin reminders", circle=str(circle.id), turn="off")
    # dan is in flare mode all week; eve's quiet hours cover the evening (her zone: UTC).
    await save_prefs(bot.db, MemberPrefs(gid, int(dan), flare_until=iso_utc(THU + timedelta(days=2))), clock.now())
    await save_prefs(bot.db, MemberPrefs(gid, int(eve), quiet_start="17:00", quiet_end="23:00"), clock.now())
    fac = await emulator.member_join(server.guild_id, "fac")
    await slash(emulator, server, server.owner_id, "checkin-admin schedule", circle=str(circle.id),
                weekdays="thu", time="19:00", timezone="UTC", facilitator=fac)
    await settle(bot)

    await move_to(bot, clock, THU - timedelta(hours=48))
    assert (len(reminders(emulator, bea)), len(reminders(emulator, ann))) == (1, 0)
    await move_to(bot, clock, THU - timedelta(hours=24))
    assert (len(reminders(emulator, bea)), len(reminders(emulator, ann))) == (1, 1)
    await move_to(bot, clock, THU - timedelta(minutes=15))
    assert (len(reminders(emulator, bea)), len(reminders(emulator, ann))) == (1, 2)
    await move_to(bot, clock, THU - timedelta(minutes=5))
    assert (len(reminders(emulator, bea)), len(reminders(emulator, ann))) == (2, 2)
    first = reminders(emulator, ann)[0]
    assert f"<t:{int(THU.timestamp())}:F>" in first and f"<#{circle.voice_channel_id}>" in first
    assert "Pain Peers" in first and "Fibro Friends" in first and "Can't make it" in first
    assert "late" not in first
    for nobody in (cat, dan, eve, fay):
        assert reminders(emulator, nobody) == [], "no reminder without opting in, in flare or in quiet hours"

    await move_to(bot, clock, THU)
    notice = emulator.find_calls("POST", "/channels/{channel_id}/messages",
                                 where=lambda c: c.params["channel_id"] == str(circle.text_channel_id)
                                 and "is starting now" in c.json.get("content", ""))
    assert len(notice) == 1
    assert f"<#{circle.voice_channel_id}>" in notice[0].json["content"]
    assert notice[0].json["allowed_mentions"]["users"] == [bea], "only bea asked for a start ping"
    assert f"<@{bea}>" in notice[0].json["content"] and f"<@{dan}>" not in notice[0].json["content"]
    assert any("is starting now" in t for t in channel_texts(emulator, circle.text_channel_id))


async def test_cant_make_it_tells_the_facilitator_privately(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    circle, (ann,) = await circle_with_members(emulator, bot, server, "ann")
    fac = await emulator.member_join(server.guild_id, "fac")
    await slash(emulator, server, ann, "checkin reminders", circle=str(circle.id), turn="on", offsets="24h")
    await slash(emulator, server, server.owner_id, "checkin-admin schedule", circle=str(circle.id),
                weekdays="thu", time="19:00", timezone="UTC", facilitator=fac)
    await move_to(bot, clock, THU - timedelta(hours=24))
    reminder = copy.deepcopy(next(m for m in dms(emulator, ann) if "\nReminder:" in text_of(m)))
    thanks = await answer(await emulator.click(ann, reminder, label="Can't make it"))
    assert "told the facilitator privately" in text_of(thanks)
    assert thanks["components"] == [], "the button is gone from the reminder"
    await settle(bot)
    told = dm_texts(emulator, fac)
    assert len(told) == 1 and f"<@{ann}> can't make it" in told[0] and "No reason needed" in told[0]
    assert not any("can't make it" in t for t in channel_texts(emulator, circle.text_channel_id))
    # A second press (e.g. on a copy of the reminder in another client) tells nobody again.
    again = await answer(await emulator.click(ann, reminder, label="Can't make it"))
    assert "told the facilitator" in text_of(again)
    await settle(bot)
    assert len(dm_texts(emulator, fac)) == 1, "pressing twice tells the facilitator once"


async def test_a_member_who_pressed_interested_gets_the_reminders(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    circle, (ann, bea) = await circle_with_members(emulator, bot, server, "ann", "bea")
    stranger = await emulator.member_join(server.guild_id, "stranger")
    await slash(emulator, server, server.owner_id, "checkin-admin schedule", circle=str(circle.id),
                weekdays="thu", time="19:00", timezone="UTC")
    await settle(bot)
    event = next(e for e in emulator.world.guilds[server.guild_id].scheduled_events.values()
                 if e["scheduled_start_time"].startswith("2026-11-26"))
    for user in (ann, bea, stranger):
        await emulator.event_interest(server.guild_id, user, event["id"])
    await emulator.event_interest(server.guild_id, bea, event["id"], interested=False)
    await until(lambda: rows(bot, "SELECT user_id FROM checkin_interest"), [(int(ann),)])
    await move_to(bot, clock, THU - timedelta(hours=24))
    await move_to(bot, clock, THU - timedelta(minutes=15))
    assert len(reminders(emulator, ann)) == 2, "Interested: the default 24h and 15m"
    assert reminders(emulator, bea) == [], "un-pressed"
    assert reminders(emulator, stranger) == [], "not a member of the circle"
