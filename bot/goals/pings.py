"""Goal pings: what happens when a goal's occurrence comes, and when the member answers.

- An occurrence (schedule kind ``goal_ping``) makes one ``goal_pings`` row (unique by occurrence
  key) and, in the same transaction, one outbox row keyed by the ping: exactly once.
- Flare break on: nothing is sent; the day is recorded as a flare day (no backlog afterwards).
- Quiet hours: the ping is held (state ``held``) and a one-off ``goal_release`` schedule sends it
  when they end (flare checked again then). Snoozes use the same release kind.
- After downtime the scheduler hands over at most the latest occurrence, marked late, within the
  2-hour grace; older ones are recorded missed by the scheduler and send nothing.
- DMs closed: the outbox fallback ``goals_dm_closed`` posts in the circle channel when the member
  chose that, otherwise pauses their DM goals (reason ``dm_closed``); either way the member is told
  once, the next time they use the bot.
- Answers come from buttons that carry the server and the ping id (older buttons carry the ping id
  alone: the cog looks it up among the servers the bot is in, ``locate_ping``); only the member it
  was sent to can answer, once.
- The circle channel is used only while the member holds an active seat in that circle (checked
  at send time); otherwise the ping goes by DM.
  A ping left unanswered for 24 hours simply reads as "no answer" (nothing is sent about it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.clock import iso_utc, parse_iso_utc
from bot.core.db import Conn, Database, read_one
from bot.core.messages import DANGER, PRIMARY, SECONDARY, SUCCESS, Button, Card, custom_id, embed
from bot.core.text import display
from bot.delivery import schedules
from bot.delivery.outbox import Outbox, dm_reachable
from bot.delivery.recurrence import Recurrence
from bot.goals import wording
from bot.goals.records import Goal, circle_channel, get_goal, set_status
from bot.members.prefs import prefs_on
from bot.members.timeparse import parse_moment

RELEASE_KIND = "goal_release"
DM_FALLBACK = "goals_dm_closed"
NO_ANSWER_AFTER = timedelta(hours=24)
LATE_GRACE = timedelta(hours=2)
SNOOZES = {"1h": "in an hour", "3h": "in 3 hours", "tmr": "tomorrow morning"}
SNOOZE_TOMORROW = "tomorrow 9am"


@dataclass(frozen=True)
class Ping:
    id: int
    guild_id: int
    goal_id: int
    user_id: int
    local_date: str
    state: str
    answer: str | None
    created_at: str
    snoozes: int


_PING_COLUMNS = "id, guild_id, goal_id, user_id, local_date, state, answer, created_at, snoozes"


async def get_ping(conn: Conn, guild_id: int, ping_id: int) -> Ping | None:
    sql = f"SELECT {_PING_COLUMNS} FROM goal_pings WHERE guild_id = ? AND id = ?"
    row = await read_one(conn, sql, (guild_id, ping_id))
    return None if row is None else Ping(*row)


async def locate_ping(db: Database, guild_ids: Iterable[int], ping_id: int, user_id: int) -> int | None:
    """The server of a ping named by an older button that carried no server: looked for only among
    ``guild_ids`` (the servers the bot is in) and only among the presser's own pings."""
    ids = sorted(set(guild_ids))
    if not ids:
        return None
    marks = ", ".join("?" for _ in ids)
    row = await db.fetchone(f"SELECT guild_id FROM goal_pings WHERE guild_id IN ({marks}) AND id = ? AND user_id = ?",
                            (*ids, ping_id, user_id))
    return None if row is None else int(row[0])


def ping_card(goal: Goal, ping_id: int, server: str, *, late: bool = False, in_channel: bool = False) -> Card:
    lines = [f"Your goal: **{display(goal.text)}**"]
    if goal.minimum:
        lines.append(f"On a hard day, this counts too: **{display(goal.minimum)}**")
    lines.append("However today goes, any answer is fine.")
    if late:
        lines.append(wording.LATE_NOTE)
    gid = goal.guild_id
    answers = [Button(custom_id("goalans", gid, ping_id, "done"), wording.ANSWERS["done"], SUCCESS)]
    if goal.minimum:
        answers.append(Button(custom_id("goalans", gid, ping_id, "minimum"), wording.ANSWERS["minimum"], PRIMARY))
    answers += [Button(custom_id("goalans", gid, ping_id, "not"), wording.ANSWERS["not_today"], SECONDARY),
                Button(custom_id("goalans", gid, ping_id, "flare"), wording.ANSWERS["flare"], DANGER)]
    later = [Button(custom_id("goalsnz", gid, ping_id, "1h"), "Snooze 1 h"),
             Button(custom_id("goalsnz", gid, ping_id, "3h"), "Snooze 3 h"),
             Button(custom_id("goalsnz", gid, ping_id, "tmr"), "Snooze till tomorrow morning"),
             Button(custom_id("goalnote", gid, ping_id), "Add a note")]
    content = f"<@{goal.user_id}> a gentle nudge" if in_channel else f"A gentle nudge from **{display(server)}**"
    return Card(content, (embed("Goal check-in", "\n".join(lines)),), (tuple(answers), tuple(later)),
                mention_user_ids=(goal.user_id,) if in_channel else ())


def answered_card(goal: Goal, ping_id: int, answer: str) -> Card:
    return Card("", (embed("Goal check-in", f"**{display(goal.text)}**\n{wording.ANSWER_REPLIES[answer]}"),),
                ((Button(custom_id("goalnote", goal.guild_id, ping_id), "Add a note"),),))


ANSWER_CODES = {"done": "done", "minimum": "minimum", "not": "not_today", "flare": "flare"}


async def _enqueue_ping(conn: Conn, outbox: Outbox, goal: Goal, ping_id: int, server: str,
                        suffix: str = "", *, late: bool = False) -> str:
    """Queue the ping where the member asked. Returns where it went ('dm', 'circle' or 'none')."""
    key = f"goal_ping:{ping_id}{suffix}"
    channel = await circle_channel(conn, goal.guild_id, goal.circle_id, goal.user_id)
    use_circle = goal.delivery == "circle" or (
        goal.delivery == "dm_or_circle" and not await dm_reachable(conn, goal.guild_id, goal.user_id))
    if use_circle and channel is not None:
        await outbox.enqueue(conn, key=key, kind=RELEASE_KIND if suffix else "goal_ping", guild_id=goal.guild_id,
                             target_kind="channel", target_id=channel,
                             payload=ping_card(goal, ping_id, server, late=late, in_channel=True).to_payload())
        return "circle"
    await outbox.enqueue(conn, key=key, kind="goal_ping", guild_id=goal.guild_id, target_kind="dm",
                         target_id=goal.user_id, payload=ping_card(goal, ping_id, server, late=late).to_payload(),
                         fallback=DM_FALLBACK)
    return "dm"


async def on_occurrence(conn: Conn, now: datetime, outbox: Outbox, *, guild_id: int, goal_id: int,
                        key: str, scheduled_at: datetime, local_date: str, late: bool, default_zone: str,
                        server: str) -> str:
    """One occurrence of a goal: record it and send, hold, or (flare) set it apart. Returns what happened."""
    goal = await get_goal(conn, guild_id, goal_id)
    if goal is None or goal.status != "active":
        return "inactive"
    prefs = await prefs_on(conn, guild_id, goal.user_id)
    flare = prefs.in_flare(now)
    quiet = not flare and prefs.in_quiet_hours(now, default_zone)
    state = "flare" if flare else "held" if quiet else "sent"
    cursor = await conn.execute(
        "INSERT INTO goal_pings (guild_id, goal_id, user_id, occurrence_key, local_date, scheduled_at,"
        " state, answer, answered_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (guild_id, goal.id, goal.user_id, key, local_date, iso_utc(scheduled_at), state,
         "flare" if flare else None, iso_utc(now) if flare else None, iso_utc(now)),
    )
    if cursor.rowcount != 1:
        return "already"
    ping_id = cursor.lastrowid or 0
    if flare:
        return "flare"
    if quiet:
        until = prefs.quiet_ends_after(now, default_zone)
        await schedules.create(conn, now, guild_id=guild_id, kind=RELEASE_KIND, owner_id=ping_id,
                               rule=Recurrence.once(until), payload={"ping": ping_id, "suffix": ""})
        return "held"
    return await _enqueue_ping(conn, outbox, goal, ping_id, server, late=late)


async def on_release(conn: Conn, now: datetime, outbox: Outbox, *, guild_id: int, ping_id: int,
                     suffix: str, late: bool, default_zone: str, server: str) -> str:
    """A held (quiet hours) or snoozed ping's time has come."""
    ping = await get_ping(conn, guild_id, ping_id)
    if ping is None or ping.answer is not None:
        return "answered"
    goal = await get_goal(conn, ping.guild_id, ping.goal_id)
    if goal is None or goal.status != "active":
        return "inactive"
    if now - parse_iso_utc(ping.created_at) >= NO_ANSWER_AFTER:
        return "passed"
    prefs = await prefs_on(conn, ping.guild_id, ping.user_id)
    if prefs.in_flare(now):
        if ping.state == "held":
            await conn.execute(
                "UPDATE goal_pings SET state = 'flare', answer = 'flare', answered_at = ?"
                " WHERE guild_id = ? AND id = ?",
                (iso_utc(now), ping.guild_id, ping.id))
        return "flare"
    if prefs.in_quiet_hours(now, default_zone):
        await schedules.create(conn, now, guild_id=ping.guild_id, kind=RELEASE_KIND, owner_id=ping.id,
                               rule=Recurrence.once(prefs.quiet_ends_after(now, default_zone)),
                               payload={"ping": ping.id, "suffix": suffix})
        return "held"
    await conn.execute("UPDATE goal_pings SET state = 'sent' WHERE guild_id = ? AND id = ?", (ping.guild_id, ping.id))
    return await _enqueue_ping(conn, outbox, goal, ping.id, server, suffix, late=late)


@dataclass(frozen=True)
class AnswerResult:
    status: str  # recorded, already, not_yours, gone, passed
    goal: Goal | None = None
    answer: str | None = None


async def answer_ping(db: Database, now: datetime, guild_id: int, ping_id: int, user_id: int,
                      code: str) -> AnswerResult:
    answer = ANSWER_CODES.get(code)
    ping = await get_ping(db.reader, guild_id, ping_id)
    if ping is None or answer is None:
        return AnswerResult("gone")
    if ping.user_id != user_id:
        return AnswerResult("not_yours")
    goal = await get_goal(db.reader, ping.guild_id, ping.goal_id)
    if goal is None:
        return AnswerResult("gone")
    if ping.answer is not None:
        return AnswerResult("already", goal, ping.answer)
    if now - parse_iso_utc(ping.created_at) >= NO_ANSWER_AFTER:
        return AnswerResult("passed", goal)
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "UPDATE goal_pings SET answer = ?, answered_at = ? WHERE id = ? AND guild_id = ? AND answer IS NULL",
            (answer, iso_utc(now), ping.id, ping.guild_id),
        )
        if cursor.rowcount != 1:  # a second click that raced the first: report what the first stored
            async with conn.execute("SELECT answer FROM goal_pings WHERE id = ? AND guild_id = ?",
                                    (ping.id, ping.guild_id)) as stored:
                row = await stored.fetchone()
            return AnswerResult("already", goal, row[0] if row is not None else None)
        await conn.execute("DELETE FROM schedules WHERE guild_id = ? AND kind = ? AND owner_id = ?",
                           (ping.guild_id, RELEASE_KIND, ping.id))
    return AnswerResult("recorded", goal, answer)


async def snooze_ping(db: Database, now: datetime, guild_id: int, ping_id: int, user_id: int, how: str,
                      default_zone: str) -> tuple[AnswerResult, datetime | None]:
    ping = await get_ping(db.reader, guild_id, ping_id)
    if ping is None or how not in SNOOZES:
        return AnswerResult("gone"), None
    if ping.user_id != user_id:
        return AnswerResult("not_yours"), None
    goal = await get_goal(db.reader, ping.guild_id, ping.goal_id)
    if goal is None:
        return AnswerResult("gone"), None
    if ping.answer is not None:
        return AnswerResult("already", goal, ping.answer), None
    async with db.transaction() as conn:
        prefs = await prefs_on(conn, ping.guild_id, ping.user_id)
        if how == "tmr":
            # Read by the kept time parser, in the member's zone: tomorrow morning (quiet hours still hold it).
            at = parse_moment(SNOOZE_TOMORROW, now, prefs.zone(default_zone))
        else:
            at = now + timedelta(hours=int(how[0]))
        await conn.execute("DELETE FROM schedules WHERE guild_id = ? AND kind = ? AND owner_id = ?",
                           (ping.guild_id, RELEASE_KIND, ping.id))
        await conn.execute("UPDATE goal_pings SET snoozes = snoozes + 1, created_at = ? WHERE guild_id = ? AND id = ?",
                           (iso_utc(now), ping.guild_id, ping.id))
        await schedules.create(conn, now, guild_id=ping.guild_id, kind=RELEASE_KIND, owner_id=ping.id,
                               rule=Recurrence.once(at),
                               payload={"ping": ping.id, "suffix": f":snooze{ping.snoozes + 1}"})
    return AnswerResult("recorded", goal), at


async def on_dm_closed(conn: Conn, now: datetime, outbox: Outbox, guild_id: int, key: str,
                       server: str) -> str:
    """The outbox could not DM a ping (DMs closed): the circle channel if chosen (and the member
    still holds an active seat there), else pause their DM goals and this one."""
    parts = key.split(":")
    if len(parts) < 2 or not parts[1].isdigit():
        return "unknown"
    ping = await get_ping(conn, guild_id, int(parts[1]))
    if ping is None:
        return "unknown"
    goal = await get_goal(conn, ping.guild_id, ping.goal_id)
    if goal is None:
        return "unknown"
    suffix = key[len(f"goal_ping:{ping.id}"):]
    channel = await circle_channel(conn, goal.guild_id, goal.circle_id, goal.user_id)
    if goal.delivery != "dm" and channel is not None:
        await outbox.enqueue(conn, key=f"goal_ping:{ping.id}{suffix}:circle", kind="goal_ping",
                             guild_id=goal.guild_id, target_kind="channel", target_id=channel,
                             payload=ping_card(goal, ping.id, server, in_channel=True).to_payload())
        await _notice(conn, goal.guild_id, goal.user_id, "circle")
        return "circle"
    async with conn.execute(
        "SELECT id FROM goals WHERE guild_id = ? AND user_id = ? AND status = 'active' AND delivery = 'dm'",
        (goal.guild_id, goal.user_id),
    ) as cursor:
        ids = [r[0] for r in await cursor.fetchall()]
    if goal.status == "active" and goal.id not in ids:  # a circle goal whose seat is gone
        ids.append(goal.id)
    for goal_id in ids:
        found = await get_goal(conn, goal.guild_id, goal_id)
        if found is not None:
            await set_status(conn, now, found, False, "dm_closed")
    await _notice(conn, goal.guild_id, goal.user_id, "paused")
    return "paused"


async def _notice(conn: Conn, guild_id: int, user_id: int, what: str) -> None:
    await conn.execute(
        "INSERT INTO goal_members (guild_id, user_id, dm_notice) VALUES (?, ?, ?)"
        " ON CONFLICT (guild_id, user_id) DO UPDATE SET dm_notice = excluded.dm_notice",
        (guild_id, user_id, what),
    )


async def take_dm_notice(db: Database, guild_id: int, user_id: int) -> str | None:
    """The closed-DMs notice for this member, once: returns its words and forgets it.

    Asked after every slash command, so it reads first (on the reader, no write lock) and opens a
    transaction only for a member who has a notice; the conditional update hands it to one command
    even when two finish together."""
    sql = "SELECT dm_notice FROM goal_members WHERE guild_id = ? AND user_id = ?"
    row = await db.fetchone(sql, (guild_id, user_id))
    if row is None or row[0] is None:
        return None
    async with db.transaction() as conn:
        cursor = await conn.execute("UPDATE goal_members SET dm_notice = NULL"
                                    " WHERE guild_id = ? AND user_id = ? AND dm_notice = ?",
                                    (guild_id, user_id, row[0]))
    if cursor.rowcount != 1:
        return None  # another command took it meanwhile
    return wording.MOVED_TO_CIRCLE if row[0] == "circle" else wording.PAUSED_DM_CLOSED
