"""Demo scene: a circle's weekly voice check-in with its Discord event, a reminder, the start
notice, attendance from voice and the facilitators' private view."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from bot.delivery.recurrence import WEEKDAY_NAMES
from emulator.interactions import text_of

if TYPE_CHECKING:
    from bot.demo.walkthrough import Demo



async def _settle(demo: Demo, when: datetime) -> None:
    demo.clock.set(when)
    await demo.bot.scheduler.run_due()
    assert demo.bot.checkin_events is not None, "the check-ins cog is loaded"
    await demo.bot.checkin_events.idle.wait()
    await demo.bot.outbox.drain(5)


def _dms(demo: Demo, user: str) -> list[dict[str, Any]]:
    world = demo.emulator.world
    channel = world.dm_channels.get(user)
    return list(world.messages.get(channel, {}).values()) if channel else []


async def scene(demo: Demo) -> None:
    emu, server = demo.emulator, demo.server
    gid, olive = server.guild_id, server.owner_id

    demo.heading("Check-ins: an organiser schedules a weekly voice check-in")
    await (await emu.slash(gid, olive, "circle-admin create", name="Evening Circle",
                           description="A weekly evening call for anyone living with chronic pain",
                           topics="general", language="English", capacity=8)).reply()
    ria = await demo.person("ria")
    card = await (await emu.slash(gid, ria, "circle join", circle="Evening Circle")).reply()
    await demo.answer(await emu.click(ria, card, label="I agree"))
    day = (demo.clock.now() + timedelta(days=2)).date()
    scheduled = await (await emu.slash(gid, olive, "checkin-admin schedule", circle="Evening Circle",
                                       weekdays=WEEKDAY_NAMES[day.weekday()], time="7pm", timezone="UTC",
                                       duration=60, start=day.isoformat())).reply()
    demo.show("olive (times show in each reader's own time zone)", scheduled)
    start = datetime.combine(day, time(19), UTC)
    await _settle(demo, demo.clock.now())
    events = [e for e in emu.world.guilds[gid].scheduled_events.values() if e["name"] == "Evening Circle check-in"]
    demo.say(f"Discord's Events list now holds {len(events)} sessions of it, each a voice event with an end time: "
             + ", ".join(e["scheduled_start_time"][:16] for e in events) + " (UTC).")

    demo.heading("Check-ins: a member asks for reminders and gets one")
    on = await (await emu.slash(gid, ria, "checkin reminders", circle="Evening Circle", turn="on",
                                offsets="15m", start_ping=True)).reply()
    demo.show("ria", on)
    await _settle(demo, start - timedelta(minutes=15))
    reminder = next(m for m in _dms(demo, ria) if "\nReminder:" in text_of(m))
    demo.show("ria, in her DMs, 15 minutes before", reminder)

    demo.heading("Check-ins: the session starts, ria comes, and the facilitator sees who came")
    await _settle(demo, start)
    circle_channel = next(c for c in emu.world.guilds[gid].channel_ids
                          if emu.world.channels[c].get("name") == "evening-circle")
    notice = next(m for m in emu.world.messages.get(circle_channel, {}).values() if "starting now" in m["content"])
    demo.show("the circle's channel (only ria, who asked, is mentioned)", notice)
    voice = next(c for c in emu.world.guilds[gid].channel_ids
                 if emu.world.channels[c].get("name") == "Evening Circle" and emu.world.channels[c]["type"] == 2)
    await emu.voice(gid, ria, voice)
    await emu.wait_until(lambda: demo.bot.get_guild(int(gid)).get_member(int(ria)).voice is not None, 5, "voice")
    await _settle(demo, start + timedelta(minutes=40))
    await emu.voice(gid, ria, None)
    await emu.wait_until(lambda: demo.bot.get_guild(int(gid)).get_member(int(ria)).voice is None, 5, "voice")
    await _settle(demo, start + timedelta(minutes=60))
    statuses = {e["scheduled_start_time"][:16]: e["status"] for e in emu.world.guilds[gid].scheduled_events.values()
                if e["name"] == "Evening Circle check-in"}
    demo.say(f"The bot started the session's Discord event at 19:00 and completed it at 20:00 (statuses {statuses}: "
             "1 scheduled, 2 active, 3 completed).")
    seen = await (await emu.slash(gid, olive, "checkin-facilitator attendance", circle="Evening Circle",
                                  date=day.isoformat())).reply()
    demo.show("olive, privately", seen)
