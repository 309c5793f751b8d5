"""Progress over the last four weeks: the day-by-day states for the picture, the counts for the
text line (done and minimum together as showing up, flare days apart) and the streak.

A streak counts days showing up (done or minimum). Flare days and days with no ping (paused goals,
days off the cadence, flare breaks) pause it; "not today" and pings left without an answer for a
day end it quietly (nothing ever says so). Today's unanswered ping changes nothing yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.core.clock import parse_iso_utc
from bot.core.db import Database
from bot.goals.pings import NO_ANSWER_AFTER
from bot.goals.records import Goal

DAYS = 28


@dataclass(frozen=True)
class Progress:
    goal: Goal
    states: list[str]  # DAYS entries, oldest first: keys of bot.goals.picture.COLOURS
    streak: int

    def count(self, state: str) -> int:
        return self.states.count(state)


def day_state(answer: str | None, created_at: str, now: datetime) -> str:
    if answer is not None:
        return answer
    return "no_answer" if now - parse_iso_utc(created_at) >= NO_ANSWER_AFTER else "open"


def streak_of(states: list[str]) -> int:
    streak = 0
    for state in states:
        if state in ("done", "minimum"):
            streak += 1
        elif state in ("not_today", "no_answer"):
            streak = 0
    return streak


async def goal_progress(db: Database, goal: Goal, today: date, now: datetime, days: int = DAYS) -> Progress:
    first = today - timedelta(days=days - 1)
    rows = await db.fetchall(
        "SELECT local_date, answer, created_at FROM goal_pings WHERE guild_id = ? AND goal_id = ?"
        " AND local_date >= ? AND local_date <= ? ORDER BY id",
        (goal.guild_id, goal.id, first.isoformat(), today.isoformat()),
    )
    by_day = {r[0]: day_state(r[1], r[2], now) for r in rows}
    states = [by_day.get((first + timedelta(days=n)).isoformat(), "none") for n in range(days)]
    # The streak looks further back than the picture: up to a year.
    older = await db.fetchall(
        "SELECT local_date, answer, created_at FROM goal_pings WHERE guild_id = ? AND goal_id = ?"
        " AND local_date < ? AND local_date >= ? ORDER BY local_date, id",
        (goal.guild_id, goal.id, first.isoformat(), (today - timedelta(days=366)).isoformat()),
    )
    history = [day_state(r[1], r[2], now) for r in older] + [s for s in states if s != "none"]
    return Progress(goal, states, streak_of(history))


def totals(items: list[Progress]) -> dict[str, int]:
    keys = ("done", "minimum", "not_today", "flare", "no_answer")
    return {k: sum(p.count(k) for p in items) for k in keys}
