"""Demo scene: crisis words in circle chat meet private help at once and an urgent case; nobody
claims it, so the escalation ladder re-pages on call, then (across a restart) the organisers; a
moderator claims it from the queue message, which updates in place; /support in DMs; a low message
gets a gentle check-in, and a case only when the member asks; on a server without an on-call role the
page reaches the moderator role, and a member with closed DMs gets the card at once in a private thread."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.cases.records import list_cases
from bot.circles.records import Circle, resolve_circle
from emulator.interactions import text_of

if TYPE_CHECKING:
    from bot.demo.walkthrough import Demo

CRISIS = "I can't do this anymore, I've decided to end my life tonight"
CONCERN = "honestly I feel hopeless lately, the flares never stop and I feel like a burden to everyone"


def _queue(demo: Demo) -> list[dict[str, Any]]:
    return list(demo.emulator.world.messages.get(demo.server.queue_id, {}).values())


def _dms(demo: Demo, user: str) -> list[dict[str, Any]]:
    world = demo.emulator.world
    channel = world.dm_channels.get(user)
    return list(world.messages.get(channel, {}).values()) if channel else []


async def scene(demo: Demo) -> None:
    emu, server = demo.emulator, demo.server
    gid = server.guild_id
    mo = await demo.person("mo")
    await emu.set_roles(gid, mo, [server.moderator_role_id])
    ana = await demo.person("ana")
    circle = await resolve_circle(demo.bot.db, int(gid), "Fibro Friends")

    demo.heading("Cases: crisis words in circle chat")
    before = len(_dms(demo, ana))
    queued_before = len(_queue(demo))
    await emu.send_message(str(circle.text_channel_id), ana, CRISIS)
    await emu.wait_until(lambda: len(_dms(demo, ana)) > before, 5, "the crisis card")
    demo.say("ana wrote something alarming in the circle's channel. Nothing is posted publicly; she gets the "
             "crisis card privately at once, with a button to reach a moderator:")
    demo.show("ana (DM)", _dms(demo, ana)[-1])
    # Earlier scenes may have queued cases of their own: this one is the first new queue message.
    def new_case() -> dict[str, Any] | None:
        return next((m for m in _queue(demo)[queued_before:] if m.get("embeds")), None)

    await emu.wait_until(new_case, 5, "the queue message")
    queued = new_case()
    demo.say("The moderators' queue gets an urgent case (no member text in the queue; /case show has the snapshot):")
    demo.show("#mod-queue", queued)

    demo.heading("Cases: the escalation ladder")
    demo.clock.advance(minutes=5)
    await emu.wait_until(lambda: any("waited 5 minutes" in m["content"] for m in _queue(demo)), 5, "the re-page")
    demo.say("Five minutes, nobody has claimed it: the on-call role is paged again.")
    demo.show("#mod-queue", _queue(demo)[-1])
    await demo.runner.stop()
    demo.clock.advance(minutes=10)
    demo.say("The bot restarts while the clock passes 15 minutes. The ladder lives in the database, so the "
             "organisers' page still goes out (late) after the restart:")
    await demo.runner.start()
    await demo.bot.scheduler.caught_up()
    await emu.wait_until(lambda: any("organisers" in m["content"] for m in _queue(demo)), 5, "the organiser page")
    demo.show("#mod-queue", _queue(demo)[-1])

    demo.heading("Cases: a moderator claims it")
    # The newest crisis case from circle chat (earlier scenes may have opened others).
    case = max((c for c in await list_cases(demo.bot.db, int(gid)) if c.kind == "crisis" and c.source == "chat"),
               key=lambda c: c.id)
    queued = next(m for m in _queue(demo) if m.get("embeds") and f"Case #{case.number}:" in text_of(m))
    claimed = await (await emu.click(mo, queued, label="Claim")).reply()
    demo.show("mo", claimed)
    await emu.wait_until(lambda: "Claimed by" in text_of(demo.emulator.world.messages[server.queue_id][queued["id"]]),
                         5, "the queue message updated")
    demo.say("The queue message updates in place, and the ladder stops:")
    demo.show("#mod-queue", demo.emulator.world.messages[server.queue_id][queued["id"]])

    demo.heading("Cases: /support in direct messages")
    sam = await demo.person("sam")
    demo.show("sam (DM)", await (await emu.slash(None, sam, "support")).reply())

    demo.heading("Cases: a weekly duty schedule")
    now = demo.clock.now()
    start, end = now - timedelta(hours=1), now + timedelta(hours=2)
    added = await (await emu.slash(gid, mo, "case duty add", day=start.weekday(), start=f"{start:%H:%M}",
                                   end=f"{end:%H:%M}", timezone="UTC")).reply()
    demo.say("mo is on duty every week at this time; the ladder pages moderators on duty first "
             "(a window may run past midnight, and is computed in its own time zone):")
    demo.show("mo", added)
    demo.show("mo", await (await emu.slash(gid, mo, "case duty list")).reply())
    window_id = await demo.bot.db.fetchval("SELECT id FROM case_duty_windows WHERE guild_id = ? AND user_id = ?",
                                          (int(gid), int(mo)))
    await (await emu.slash(gid, mo, "case duty remove", window=window_id)).reply()

    demo.heading("Cases: a low message gets a gentle check-in, and a case only if asked")
    ben = await demo.person("ben")  # in Fibro Friends since the circles scene
    before, queued_before = len(_dms(demo, ben)), len(_queue(demo))
    await emu.send_message(str(circle.text_channel_id), ben, CONCERN)
    await emu.wait_until(lambda: len(_dms(demo, ben)) > before, 5, "the check-in")
    demo.say("ben sounds low, not in danger (the `concern` tier). He gets a gentle private check-in with the "
             "same services and a button; nothing is posted, and no case is opened:")
    check_in = _dms(demo, ben)[-1]
    demo.show("ben (DM)", check_in)
    demo.say(f"Queue messages since: {len(_queue(demo)) - queued_before}.")
    asked = await (await emu.click(ben, check_in, label="Talk to a moderator now")).reply()
    demo.say("He asks to talk; only then do the moderators hear:")
    demo.show("ben", asked)
    await emu.wait_until(lambda: len(_queue(demo)) > queued_before, 5, "the queue message")
    demo.show("#mod-queue", _queue(demo)[-1])

    await _without_on_call(demo, circle, mo, ben)


async def _without_on_call(demo: Demo, circle: Circle, mo: str, ben: str) -> None:
    """The fallback chain on a server with no on-call role, and the card when DMs are closed."""
    emu, server = demo.emulator, demo.server
    gid, olive = server.guild_id, server.owner_id
    demo.heading("Cases: no on-call role, and a member whose DMs are closed")
    page = await (await emu.slash(gid, olive, "setup")).reply()
    page = await (await emu.select(olive, page, "circle:setup:oncall", [])).reply()
    demo.say("olive clears the on-call role in /setup (it is optional). Pages now go down the chain: "
             "moderators on duty (none), the on-call role (none), then the moderator role:")
    demo.show("olive", page)
    emu.world.dms_closed.add(ben)
    channel = str(circle.text_channel_id)
    threads_before = {c.response["id"] for c in emu.find_calls("POST", "/channels/{channel_id}/threads")
                      if c.status in (200, 201) and c.response}
    await emu.send_message(channel, ben, CRISIS)

    def new_thread() -> str | None:
        return next((c.response["id"] for c in emu.find_calls("POST", "/channels/{channel_id}/threads")
                     if c.params["channel_id"] == channel and c.status in (200, 201) and c.response
                     and c.response["id"] not in threads_before), None)

    await emu.wait_until(new_thread, 5, "the private thread")
    thread_id = new_thread()
    assert thread_id is not None
    await emu.wait_until(lambda: emu.world.messages.get(thread_id), 5, "the card in the thread")
    case = max((c for c in await list_cases(demo.bot.db, int(gid)) if c.kind == "crisis" and c.subject_user_id
                == int(ben)), key=lambda c: c.id)
    paged = await demo.bot.db.fetchval("SELECT detail FROM case_events WHERE guild_id = ? AND case_id = ?"
                                       " AND event = 'paged' ORDER BY id LIMIT 1", (int(gid), case.id))
    demo.say("ben writes crisis words in the circle's channel, and his DMs are closed. Nothing is posted "
             "publicly. The queue's page, with no on-call role, reaches the moderator role; the case "
             "history records whom:")
    demo.say(f"  case #{case.number} history: {paged}")
    thread = emu.world.channels[thread_id]
    people = sorted(emu.world.guilds[gid].members[u]["user"]["username"]
                    for u in emu.world.thread_members[thread_id] if u != emu.world.bot_id)
    demo.say(f"The card, refused by his closed DMs, comes at once in a private thread named "
             f"\"{thread['name']}\" (type {thread['type']}, not invitable) under the circle's channel, with "
             f"{' and '.join(people)}: the member and whom the chain reached. It never quotes him:")
    demo.show(f"#{thread['name']} (private)", next(iter(emu.world.messages[thread_id].values())))
    await (await emu.slash(gid, mo, "case claim", id=case.id)).reply()
    emu.world.dms_closed.discard(ben)
    page = await (await emu.slash(gid, olive, "setup")).reply()
    await (await emu.select(olive, page, "circle:setup:oncall", [server.oncall_role_id])).reply()
    demo.say("mo claims the case; olive sets the on-call role again.")
