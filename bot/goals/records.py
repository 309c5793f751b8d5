"""Goals as rows: validating what a member asks for, creating, editing, pausing, resuming and
deleting goals, and keeping each goal's ping schedule (kind ``goal_ping``) in step with it.

The goal's words are screened before they are kept (``bot.goals.goal_words``): crisis language
keeps nothing and raises ``CrisisWords`` for the caller's crisis response, a slur is declined,
other profanity is kept censored; the level (``concern`` too) comes back with the saved goal.

A goal's schedule runs in the member's time zone (``/me timezone``, else the server's); a change
of zone moves every schedule of the member's goals (listener on ``bot.members.hooks``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.clock import iso_utc
from bot.core.db import Conn, Database, read_one
from bot.core.errors import UserFacingError
from bot.delivery import schedules
from bot.delivery.recurrence import Recurrence, parse_local_time
from bot.goals import wording
from bot.goals.goal_words import CrisisWords, screen_words
from bot.members.hooks import on_zone_change
from bot.members.prefs import prefs_on

PING_KIND = "goal_ping"
_COLUMNS = ("id, guild_id, user_id, text, minimum, cadence, weekdays, every_days, local_time, delivery,"
            " circle_id, end_date, status, paused_reason")


@dataclass(frozen=True)
class GoalPlan:
    """What a member asked for, validated (no text yet: that comes from the modal)."""

    cadence: str
    local_time: str  # 'HH:MM'
    weekdays: frozenset[int] = frozenset()
    every_days: int = 1
    delivery: str = "dm"
    circle_id: int | None = None
    end_date: date | None = None

    def rule(self, zone: str, start: date) -> Recurrence:
        at = parse_local_time(self.local_time)
        if self.cadence == "daily":
            return Recurrence.daily(at, zone, start=start, until=self.end_date)
        if self.cadence == "every":
            return Recurrence.daily(at, zone, start=start, every_days=self.every_days, until=self.end_date)
        days = frozenset(range(5)) if self.cadence == "weekdays" else self.weekdays
        return Recurrence.weekly(at, zone, days, start=start, until=self.end_date)

    def encode(self) -> str:
        """Compact, for a modal's custom_id (so a submit still works after a restart)."""
        days = sum(1 << d for d in self.weekdays)
        end = self.end_date.strftime("%Y%m%d") if self.end_date else "0"
        return ":".join([self.cadence, self.local_time.replace(":", ""), str(days), str(self.every_days),
                         self.delivery.replace("_", ""), str(self.circle_id or 0), end])

    @classmethod
    def decode(cls, parts: list[str]) -> GoalPlan:
        cadence, hhmm, days, every, delivery, circle, end = parts[:7]
        delivery = {"dmorcircle": "dm_or_circle"}.get(delivery, delivery)
        return cls(cadence, f"{hhmm[:2]}:{hhmm[2:]}", frozenset(d for d in range(7) if int(days) >> d & 1),
                   int(every), delivery, int(circle) or None,
                   None if end == "0" else date(int(end[:4]), int(end[4:6]), int(end[6:])))


@dataclass(frozen=True)
class Goal:
    id: int
    guild_id: int
    user_id: int
    text: str
    minimum: str | None
    cadence: str
    weekdays: frozenset[int]
    every_days: int
    local_time: str
    delivery: str
    circle_id: int | None
    end_date: str | None
    status: str
    paused_reason: str | None

    @classmethod
    def from_row(cls, row: Any) -> Goal:
        return cls(row[0], row[1], row[2], row[3], row[4], row[5], frozenset(d for d in range(7) if row[6] >> d & 1),
                   row[7], row[8], row[9], row[10], row[11], row[12], row[13])

    @property
    def plan(self) -> GoalPlan:
        return GoalPlan(self.cadence, self.local_time, self.weekdays, self.every_days, self.delivery, self.circle_id,
                        date.fromisoformat(self.end_date) if self.end_date else None)

    def when(self) -> str:
        return wording.when_text(self.cadence, sorted(self.weekdays), self.every_days, self.local_time)


def check_plan(plan: GoalPlan, today: date) -> GoalPlan:
    if plan.cadence not in wording.CADENCES:
        raise UserFacingError("Please choose how often from the list.")
    if plan.cadence == "days" and not plan.weekdays:
        raise UserFacingError(wording.NEED_DAYS)
    if plan.cadence == "weekly" and len(plan.weekdays) != 1:
        raise UserFacingError(wording.NEED_ONE_DAY)
    if plan.cadence == "every" and not 2 <= plan.every_days <= wording.MAX_EVERY_DAYS:
        raise UserFacingError(wording.EVERY_RANGE)
    if plan.delivery not in wording.DELIVERIES:
        raise UserFacingError("Please choose where pings go from the list.")
    if plan.delivery != "dm" and plan.circle_id is None:
        raise UserFacingError(wording.NEED_CIRCLE)
    if plan.end_date is not None and plan.end_date < today:
        raise UserFacingError(wording.END_IN_PAST)
    return plan


def check_text(text: str, minimum: str | None) -> tuple[str, str | None]:
    text = (text or "").strip()
    minimum = (minimum or "").strip() or None
    if not text:
        raise UserFacingError(wording.GOAL_EMPTY)
    if len(text) > wording.MAX_GOAL_TEXT:
        raise UserFacingError(wording.GOAL_TOO_LONG.format(n=len(text)))
    if minimum is not None and len(minimum) > wording.MAX_MINIMUM_TEXT:
        raise UserFacingError(wording.MINIMUM_TOO_LONG.format(n=len(minimum)))
    return text, minimum


async def check_circle(db: Database, guild_id: int, user_id: int, circle_id: int | None) -> None:
    """The member holds an active seat in this (open) circle of this server."""
    if circle_id is None:
        return
    row = await db.fetchone(
        "SELECT 1 FROM circle_seats s JOIN circles c ON c.id = s.circle_id AND c.guild_id = s.guild_id"
        " WHERE s.guild_id = ? AND s.circle_id = ? AND s.user_id = ? AND s.status = 'active'"
        " AND c.archived_at IS NULL AND c.text_channel_id IS NOT NULL",
        (guild_id, circle_id, user_id),
    )
    if row is None:
        raise UserFacingError(wording.NOT_IN_CIRCLE)


async def seated_circles(db: Database, guild_id: int, user_id: int) -> list[tuple[int, str]]:
    """(id, name) of the open circles where the member holds an active seat: the circle choices."""
    rows = await db.fetchall(
        "SELECT c.id, c.name FROM circle_seats s JOIN circles c ON c.id = s.circle_id AND c.guild_id = s.guild_id"
        " WHERE s.guild_id = ? AND s.user_id = ? AND s.status = 'active' AND c.archived_at IS NULL"
        " AND c.text_channel_id IS NOT NULL ORDER BY c.name",
        (guild_id, user_id),
    )
    return [(int(r[0]), str(r[1])) for r in rows]


async def circle_channel(conn: Conn, guild_id: int, circle_id: int | None,
                         user_id: int) -> int | None:
    """The circle's channel, only while ``user_id`` holds an active seat there (a member who left,
    or whose seat is paused, is never pinged in it)."""
    if circle_id is None:
        return None
    async with conn.execute(
        "SELECT c.text_channel_id FROM circles c JOIN circle_seats s ON s.circle_id = c.id AND s.guild_id = c.guild_id"
        " WHERE c.guild_id = ? AND c.id = ? AND c.archived_at IS NULL AND s.user_id = ? AND s.status = 'active'",
        (guild_id, circle_id, user_id),
    ) as cursor:
        row = await cursor.fetchone()
    return None if row is None else row[0]


async def active_count(db: Database, guild_id: int, user_id: int) -> int:
    return int(await db.fetchval(
        "SELECT COUNT(*) FROM goals WHERE guild_id = ? AND user_id = ? AND status = 'active'", (guild_id, user_id)
    ) or 0)


async def require_room(db: Database, guild_id: int, user_id: int) -> None:
    if await active_count(db, guild_id, user_id) >= wording.MAX_GOALS:
        raise UserFacingError(wording.TOO_MANY)


async def member_zone(conn: Conn, guild_id: int, user_id: int, default_zone: str) -> str:
    return (await prefs_on(conn, guild_id, user_id)).timezone or default_zone


async def _schedule(conn: Conn, now: datetime, goal: Goal, zone: str) -> schedules.Schedule:
    await schedules.delete_for_owner(conn, goal.guild_id, PING_KIND, goal.id)
    today = now.astimezone(ZoneInfo(zone)).date()
    plan = goal.plan
    if plan.end_date is not None and plan.end_date < today:
        plan = GoalPlan(plan.cadence, plan.local_time, plan.weekdays, plan.every_days, plan.delivery,
                        plan.circle_id, today)
    schedule = await schedules.create(conn, now, guild_id=goal.guild_id, kind=PING_KIND, owner_id=goal.id,
                                      rule=plan.rule(zone, today), payload={"goal": goal.id})
    if goal.status != "active":
        await schedules.set_active(conn, now, goal.guild_id, schedule.id, False)
    return schedule


async def get_goal(conn: Conn, guild_id: int, goal_id: int) -> Goal | None:
    sql = f"SELECT {_COLUMNS} FROM goals WHERE guild_id = ? AND id = ?"
    row = await read_one(conn, sql, (guild_id, goal_id))
    return None if row is None else Goal.from_row(row)


async def own_goal(db: Database, guild_id: int, user_id: int, typed: str) -> Goal:
    """The member's goal named by an autocomplete value (its id) or its text."""
    goals = await list_goals(db, guild_id, user_id)
    for goal in goals:
        if typed.strip() == str(goal.id):
            return goal
    lowered = typed.strip().lower()
    matches = [g for g in goals if g.text.lower() == lowered]
    if not matches:
        matches = [g for g in goals if lowered and lowered in g.text.lower()]
    if len(matches) == 1:
        return matches[0]
    raise UserFacingError(wording.NO_GOAL)


async def list_goals(db: Database, guild_id: int, user_id: int) -> list[Goal]:
    rows = await db.fetchall(f"SELECT {_COLUMNS} FROM goals WHERE guild_id = ? AND user_id = ? ORDER BY id",
                             (guild_id, user_id))
    return [Goal.from_row(r) for r in rows]


@dataclass(frozen=True)
class Saved:
    goal: Goal
    schedule: schedules.Schedule
    level: str = "none"  # the words' screening level: none or concern (crisis keeps nothing)


async def _screened(db: Database, guild_id: int, text: str, minimum: str | None) -> tuple[str, str | None, str]:
    text, minimum = check_text(text, minimum)
    verdict = await screen_words(db, guild_id, text, minimum)
    if verdict.status == "crisis":
        raise CrisisWords(verdict)
    if verdict.status == "slur":
        raise UserFacingError(wording.GOAL_SLUR)
    return verdict.text, verdict.minimum, verdict.level


async def create_goal(db: Database, now: datetime, guild_id: int, user_id: int, text: str, minimum: str | None,
                      plan: GoalPlan, default_zone: str) -> Saved:
    text, minimum, level = await _screened(db, guild_id, text, minimum)
    await check_circle(db, guild_id, user_id, plan.circle_id)
    async with db.transaction() as conn:
        async with conn.execute(
            "SELECT COUNT(*) FROM goals WHERE guild_id = ? AND user_id = ? AND status = 'active'", (guild_id, user_id)
        ) as cursor:
            count = (await cursor.fetchone())[0]  # type: ignore[index]
        if count >= wording.MAX_GOALS:
            raise UserFacingError(wording.TOO_MANY)
        stamp = iso_utc(now)
        cursor = await conn.execute(
            "INSERT INTO goals (guild_id, user_id, text, minimum, cadence, weekdays, every_days, local_time, delivery,"
            " circle_id, end_date, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (guild_id, user_id, text, minimum, plan.cadence, sum(1 << d for d in plan.weekdays), plan.every_days,
             plan.local_time, plan.delivery, plan.circle_id,
             plan.end_date.isoformat() if plan.end_date else None, stamp, stamp),
        )
        goal = await get_goal(conn, guild_id, cursor.lastrowid or 0)
        assert goal is not None
        schedule = await _schedule(conn, now, goal, await member_zone(conn, guild_id, user_id, default_zone))
    return Saved(goal, schedule, level)


async def edit_goal(db: Database, now: datetime, goal: Goal, text: str, minimum: str | None, plan: GoalPlan,
                    default_zone: str) -> Saved:
    text, minimum, level = await _screened(db, goal.guild_id, text, minimum)
    await check_circle(db, goal.guild_id, goal.user_id, plan.circle_id)
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE goals SET text = ?, minimum = ?, cadence = ?, weekdays = ?, every_days = ?, local_time = ?,"
            " delivery = ?, circle_id = ?, end_date = ?, updated_at = ? WHERE guild_id = ? AND id = ?",
            (text, minimum, plan.cadence, sum(1 << d for d in plan.weekdays), plan.every_days, plan.local_time,
             plan.delivery, plan.circle_id, plan.end_date.isoformat() if plan.end_date else None, iso_utc(now),
             goal.guild_id, goal.id),
        )
        updated = await get_goal(conn, goal.guild_id, goal.id)
        assert updated is not None
        schedule = await _schedule(conn, now, updated, await member_zone(conn, goal.guild_id, goal.user_id,
                                                                          default_zone))
    return Saved(updated, schedule, level)


async def set_status(conn: Conn, now: datetime, goal: Goal, active: bool,
                     reason: str | None = None) -> schedules.Schedule | None:
    await conn.execute(
        "UPDATE goals SET status = ?, paused_reason = ?, updated_at = ? WHERE guild_id = ? AND id = ?",
        ("active" if active else "paused", None if active else (reason or "member"), iso_utc(now), goal.guild_id,
         goal.id),
    )
    found = await schedules.list_schedules(conn, goal.guild_id, kind=PING_KIND, owner_id=goal.id)
    result = None
    for schedule in found:
        result = await schedules.set_active(conn, now, goal.guild_id, schedule.id, active)
    return result


async def pause_goal(db: Database, now: datetime, goal: Goal) -> None:
    async with db.transaction() as conn:
        await set_status(conn, now, goal, False, "member")


async def resume_goal(db: Database, now: datetime, goal: Goal) -> schedules.Schedule | None:
    if goal.status != "active":
        await require_room(db, goal.guild_id, goal.user_id)
    async with db.transaction() as conn:
        return await set_status(conn, now, goal, True)


async def delete_goal(db: Database, goal: Goal) -> None:
    async with db.transaction() as conn:
        await schedules.delete_for_owner(conn, goal.guild_id, PING_KIND, goal.id)
        for kind in ("goal_partner_weekly", "goal_partner_dm"):
            await conn.execute(
                "DELETE FROM schedules WHERE guild_id = ? AND kind = ? AND owner_id IN"
                " (SELECT id FROM goal_partners WHERE guild_id = ? AND goal_id = ?)",
                (goal.guild_id, kind, goal.guild_id, goal.id),
            )
        await conn.execute("DELETE FROM goal_partners WHERE guild_id = ? AND goal_id = ?", (goal.guild_id, goal.id))
        await conn.execute(  # held or snoozed pings of this goal
            "DELETE FROM schedules WHERE guild_id = ? AND kind = 'goal_release' AND owner_id IN"
            " (SELECT id FROM goal_pings WHERE guild_id = ? AND goal_id = ?)", (goal.guild_id, goal.guild_id, goal.id))
        await conn.execute("DELETE FROM goal_pings WHERE guild_id = ? AND goal_id = ?", (goal.guild_id, goal.id))
        await conn.execute("DELETE FROM goals WHERE guild_id = ? AND id = ?", (goal.guild_id, goal.id))


async def _move_zone(conn: Conn, now: datetime, guild_id: int, user_id: int, zone: str) -> None:
    async with conn.execute(f"SELECT {_COLUMNS} FROM goals WHERE guild_id = ? AND user_id = ?",
                            (guild_id, user_id)) as cursor:
        goals = [Goal.from_row(r) for r in await cursor.fetchall()]
    for goal in goals:
        await _schedule(conn, now, goal, zone)
    # The member's weekly recap, and the weekly counts they receive as someone's partner.
    async with conn.execute(
        "SELECT id FROM schedules WHERE guild_id = ? AND ((kind = 'goal_recap' AND owner_id = ?) OR"
        " (kind = 'goal_partner_weekly' AND owner_id IN"
        " (SELECT id FROM goal_partners WHERE guild_id = ? AND partner_id = ?)))",
        (guild_id, user_id, guild_id, user_id),
    ) as cursor:
        ids = [r[0] for r in await cursor.fetchall()]
    for schedule_id in ids:
        found = await schedules.get(conn, guild_id, schedule_id)
        if found is not None:
            await schedules.update(conn, now, guild_id, schedule_id, rule=replace(found.rule, timezone=zone))


on_zone_change(_move_zone)
