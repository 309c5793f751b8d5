"""Goal rules: plans, validation, the 10-goal limit, streaks, progress counts, the picture, zones."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from PIL import Image

from bot.core.errors import UserFacingError
from bot.delivery import schedules
from bot.goals import wording
from bot.goals.picture import COLOURS, cell_centre, render_png, size
from bot.goals.progress import streak_of
from bot.goals.records import PING_KIND, GoalPlan, check_plan, check_text, create_goal, list_goals
from bot.members import changes

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)


def test_a_plan_survives_its_compact_encoding():
    plan = GoalPlan("days", "19:30", frozenset({0, 2, 4}), 1, "dm_or_circle", 12, date(2026, 12, 31))
    assert GoalPlan.decode(plan.encode().split(":")) == plan
    assert GoalPlan.decode(GoalPlan("daily", "08:00").encode().split(":")) == GoalPlan("daily", "08:00")


@pytest.mark.parametrize(("plan", "message"), [
    (GoalPlan("days", "08:00"), wording.NEED_DAYS),
    (GoalPlan("weekly", "08:00", frozenset({1, 2})), wording.NEED_ONE_DAY),
    (GoalPlan("every", "08:00", every_days=1), wording.EVERY_RANGE),
    (GoalPlan("daily", "08:00", delivery="circle"), wording.NEED_CIRCLE),
    (GoalPlan("daily", "08:00", end_date=date(2026, 1, 1)), wording.END_IN_PAST),
])
def test_plans_that_cannot_work_say_why(plan, message):
    with pytest.raises(UserFacingError, match=message[:20]):
        check_plan(plan, TODAY)


def test_goal_text_limits():
    assert check_text("  walk  ", " ") == ("walk", None)
    for text in ("", "x" * 1000):
        with pytest.raises(UserFacingError):
            check_text(text, None)


def test_weekdays_and_every_n_days_make_the_right_rules():
    rule = GoalPlan("weekdays", "08:00").rule("UTC", TODAY)
    assert [rule.occurs_on(date(2026, 11, d)) for d in range(23, 30)] == [True] * 5 + [False] * 2
    every = GoalPlan("every", "08:00", every_days=3).rule("UTC", TODAY)
    assert [d for d in range(23, 30) if every.occurs_on(date(2026, 11, d))] == [23, 26, 29]


async def test_at_most_ten_active_goals(db):
    for n in range(10):
        await create_goal(db, NOW, 1, 7, f"goal {n}", None, GoalPlan("daily", "08:00"), "UTC")
    with pytest.raises(UserFacingError, match="10 active goals"):
        await create_goal(db, NOW, 1, 7, "one more", None, GoalPlan("daily", "08:00"), "UTC")
    await create_goal(db, NOW, 2, 7, "another server", None, GoalPlan("daily", "08:00"), "UTC")
    assert len(await list_goals(db, 1, 7)) == 10


async def test_a_new_time_zone_moves_every_goal_schedule(db):
    saved = await create_goal(db, NOW, 1, 7, "walk", None, GoalPlan("daily", "19:30"), "UTC")
    goal, schedule = saved.goal, saved.schedule
    assert schedule.next_fire_at == datetime(2026, 11, 23, 19, 30, tzinfo=UTC)
    await changes.set_timezone(db, NOW, 1, 7, "Europe/Berlin")
    async with db.transaction() as conn:
        [moved] = await schedules.list_schedules(conn, 1, kind=PING_KIND, owner_id=goal.id)
    assert moved.next_fire_at == datetime(2026, 11, 23, 18, 30, tzinfo=UTC)


@pytest.mark.parametrize(("states", "streak"), [
    (["done", "minimum", "done"], 3),
    (["done", "flare", "minimum"], 2),            # flare days pause a streak
    (["done", "not_today", "done"], 1),
    (["done", "no_answer", "done", "done"], 2),
    (["done", "open"], 1),                        # today's unanswered ping changes nothing yet
    ([], 0),
])
def test_streaks_count_showing_up_and_pause_on_flare_days(states, streak):
    assert streak_of(states) == streak


def test_progress_wording_counts_minimum_with_done_and_flare_apart():
    line = wording.progress_line(3, 2, 1, 2, 4, 28)
    assert "showed up **5** times (done 3, minimum 2)" in line
    assert "2 flare days set apart" in line and "never count against you" in line
    assert "fail" not in wording.progress_line(0, 0, 5, 0, 0, 28).lower()


def test_the_picture_is_a_png_with_one_coloured_cell_per_day():
    grid = [["done", "minimum", "not_today", "flare", "no_answer", "open", "none"] * 4, ["none"] * 28]
    image = Image.open(io.BytesIO(render_png(grid)))
    assert image.format == "PNG" and image.size == size(2, 28)
    rgb = image.convert("RGB")
    for column, state in enumerate(grid[0]):
        assert rgb.getpixel(cell_centre(0, column)) == COLOURS[state]
    assert rgb.getpixel(cell_centre(1, 5)) == COLOURS["none"]


async def test_a_new_time_zone_moves_the_weekly_recap_too(db):
    from bot.goals.partners import RECAP_KIND, set_recap

    await set_recap(db, NOW, 1, 7, 6, "UTC")  # Sundays 18:00
    await changes.set_timezone(db, NOW, 1, 7, "Europe/Berlin")
    async with db.transaction() as conn:
        [recap] = await schedules.list_schedules(conn, 1, kind=RECAP_KIND, owner_id=7)
    assert recap.next_fire_at == datetime(2026, 11, 29, 17, 0, tzinfo=UTC)
    assert recap.rule.timezone == "Europe/Berlin"
