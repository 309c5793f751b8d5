"""Demo scene: a member's daily reminder through the scheduler and the outbox: once on a daylight
saving change day, exactly once across a restart, a closed DM falling back to the circle channel,
and what `python -m bot status` shows an operator; and the daily clean-up a month later."""

from __future__ import annotations

import asyncio
import io
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.core.db import Conn
from bot.delivery import housekeeping, schedules
from bot.delivery.outbox import OutboxRow, dm_reachable, nonce_for
from bot.delivery.recurrence import Recurrence
from bot.delivery.scheduler import MissedPolicy, Occurrence
from bot.delivery.status import print_status

if TYPE_CHECKING:
    from bot.demo.walkthrough import Demo

KIND = "demo_reminder"
FALLBACK = "demo_reminder_in_channel"
BERLIN = ZoneInfo("Europe/Berlin")


def _wire(demo: Demo) -> None:
    """Register the reminder kind and its fallback on the running bot, as a cog would."""
    bot = demo.bot
    if KIND in bot.scheduler.kinds:
        return

    async def remind(conn: Conn, occurrence: Occurrence) -> None:
        text = f"Your {occurrence.local_time:%H:%M} reminder: a glass of water and a gentle stretch, if it suits."
        await bot.outbox.enqueue(conn, key=occurrence.key, kind=KIND, guild_id=occurrence.guild_id,
                                 target_kind="dm", target_id=occurrence.owner_id, payload={"content": text},
                                 fallback=FALLBACK)

    async def in_channel(conn: Conn, row: OutboxRow, reason: str) -> None:
        # Only because ren chose "my circle's channel if DMs fail" when setting the reminder.
        if reason == "dm_closed" and row.payload is not None:
            await bot.outbox.enqueue(conn, key=f"{row.key}:channel", kind=KIND, guild_id=row.guild_id,
                                     target_kind="channel", target_id=await _circle_channel(demo),
                                     payload={"content": f"<@{row.target_id}> {row.payload['content']}",
                                              "allowed_mentions": {"users": [str(row.target_id)]}})

    bot.scheduler.register_kind(KIND, remind, MissedPolicy.SKIP)
    bot.outbox.register_fallback(FALLBACK, in_channel)


async def _circle_channel(demo: Demo) -> int:
    """The text channel of the demo's circle (made by the circles scene), else #general."""
    found = await demo.bot.db.fetchval(
        "SELECT text_channel_id FROM circles WHERE guild_id = ? AND archived_at IS NULL ORDER BY id LIMIT 1",
        (int(demo.server.guild_id),))
    return int(found or demo.server.general_id)


def _next_dst_change(after: date) -> date:
    day = after + timedelta(days=1)
    while BERLIN.utcoffset(datetime.combine(day, time(12))) == BERLIN.utcoffset(
            datetime.combine(day - timedelta(days=1), time(12))):
        day += timedelta(days=1)
    return day


def _dms(demo: Demo, user: str) -> list[dict[str, Any]]:
    world = demo.emulator.world
    channel = world.dm_channels.get(user)
    return list(world.messages.get(channel, {}).values()) if channel else []


async def _run_to(demo: Demo, when: datetime) -> None:
    demo.clock.set(when)
    await demo.bot.scheduler.run_due()
    await demo.bot.outbox.drain()


async def scene(demo: Demo) -> None:
    _wire(demo)
    gid = int(demo.server.guild_id)
    ren = await demo.person("ren")

    change = _next_dst_change(demo.clock.now().astimezone(BERLIN).date())
    demo.heading(f"Delivery: a daily 02:30 Europe/Berlin reminder across the clock change on {change}")
    demo.clock.set(datetime.combine(change - timedelta(days=1), time(12), BERLIN))
    async with demo.bot.db.transaction() as conn:
        reminder = await schedules.create(conn, demo.clock.now(), guild_id=gid, kind=KIND, owner_id=int(ren),
                                          rule=Recurrence.daily(time(2, 30), "Europe/Berlin", start=change))
    demo.bot.scheduler.notify(reminder)
    step, fired = demo.clock.now(), []
    while step < datetime.combine(change + timedelta(days=1), time(12), BERLIN):
        step += timedelta(minutes=15)
        before = len(_dms(demo, ren))
        await _run_to(demo, step)
        fired += [step] * (len(_dms(demo, ren)) - before)
    for at in fired:
        demo.say(f"Sent at {at:%Y-%m-%d %H:%M} UTC ({at.astimezone(BERLIN):%H:%M %Z} in Berlin).")
    demo.show("ren", _dms(demo, ren)[0])
    demo.say(f"{len(fired)} reminders over two days: once on the change day, none twice, none lost.")

    demo.heading("Delivery: the bot stops between a reminder firing and its sending, then restarts")
    await demo.bot.outbox.stop()  # the reminder fires and is committed; nothing is sent before the stop
    stored = await schedules.get(demo.bot.db.reader, gid, reminder.id)
    assert stored is not None and stored.next_fire_at is not None
    nxt = stored.next_fire_at
    demo.clock.set(nxt)
    await demo.bot.scheduler.run_due()
    demo.say(f"Fired at {nxt:%H:%M} UTC; messages sent before the restart: "
             f"{len(_dms(demo, ren)) - len(fired)}.")
    await demo.runner.restart()
    _wire(demo)
    await demo.bot.scheduler.caught_up()
    await demo.bot.outbox.drain()
    nonce = nonce_for(reminder.occurrence_key(nxt))
    copies = [m for m in _dms(demo, ren) if str(m.get("nonce")) == nonce]
    demo.say(f"After the restart ren has {len(copies)} copy of that reminder (the outbox row survived the "
             "stop; a resend carries the same nonce, so Discord would not make a second one).")

    demo.heading("Delivery: ren closes their DMs; the reminder goes to their circle's channel, as ren chose")
    demo.emulator.world.dms_closed.add(ren)
    stored = await schedules.get(demo.bot.db.reader, gid, reminder.id)
    assert stored is not None and stored.next_fire_at is not None
    nxt = stored.next_fire_at
    await _run_to(demo, nxt)
    await demo.bot.outbox.drain()  # the fallback's channel post
    row = await demo.bot.db.fetchone("SELECT state, failure_reason FROM outbox WHERE guild_id = ? AND key = ?",
                                     (gid, reminder.occurrence_key(nxt)))
    demo.say(f"The DM's outbox row: {row['state']} ({row['failure_reason']}); ren reachable by DM: "
             f"{await dm_reachable(demo.bot.db.reader, gid, int(ren))}.")
    channel = str(await _circle_channel(demo))
    post = list(demo.emulator.world.messages[channel].values())[-1]
    demo.show("ren's circle, in its private channel", post)
    demo.emulator.world.dms_closed.discard(ren)

    demo.heading("Delivery: what `python -m bot status` shows the operator (no message content)")
    report = io.StringIO()
    await print_status(demo.bot.config, report, now=demo.clock.now())
    for line in report.getvalue().splitlines():
        print(f"  {line}", file=demo.out)


async def _spent(demo: Demo) -> tuple[set[int], set[int], set[int]]:
    """What the daily clean-up looks at in this server: the ids of spent outbox rows, of those kept
    for later edits (their kinds), and of spent one-off schedules."""
    gid, db = int(demo.server.guild_id), demo.bot.db
    kept = housekeeping.kept_kinds()
    rows = await db.fetchall("SELECT id, kind FROM outbox WHERE guild_id = ? AND state IN ('sent', 'failed')", (gid,))
    once = await db.fetchall(
        "SELECT id FROM schedules WHERE guild_id = ? AND frequency = 'once' AND next_fire_at IS NULL", (gid,))
    return ({int(r[0]) for r in rows}, {int(r[0]) for r in rows if r[1] in kept}, {int(r[0]) for r in once})


async def cleanup_scene(demo: Demo) -> None:
    gid = int(demo.server.guild_id)
    ren = await demo.person("ren")
    demo.heading("Delivery: the daily clean-up, a month later")
    async with demo.bot.db.transaction() as conn:  # ren stops the reminder, so the month is quiet
        await schedules.delete_for_owner(conn, gid, KIND, int(ren))
    rows, kept, once = await _spent(demo)
    demo.say(f"The outbox holds {len(rows)} sent or failed rows for this server: ids, kinds, targets and"
             " times only (each message's text was cleared once it was sent). "
             f"{len(kept)} of them are posts the bot may still edit or delete (a case's queue card, a named"
             " strategy's post), kept until what they belong to goes. "
             f"Spent one-off schedules (fired, nothing left to do): {len(once)}.")
    demo.say("A month goes by. Once a day the scheduler runs the clean-up: spent rows older than 30 days go,"
             " spent one-off schedules a day after they fired.")
    demo.clock.advance(days=31)
    demo.bot.scheduler.notify(demo.clock.now())
    left_rows, left_once = rows, once
    for _ in range(500):  # the scheduler's pass runs in the background after the clock moves
        now_rows, _, now_once = await _spent(demo)
        left_rows, left_once = rows & now_rows, once & now_once
        if left_rows == kept and not left_once:
            break
        await asyncio.sleep(0.01)
    which = ("all of them posts the bot may still edit or delete" if left_rows == kept
             else f"{len(left_rows & kept)} of them posts the bot may still edit or delete")
    demo.say(f"After the clean-up, of those {len(rows)} rows {len(left_rows)} remain, {which}; of the"
             f" {len(once)} spent one-off schedules, {len(left_once)} remain.")
