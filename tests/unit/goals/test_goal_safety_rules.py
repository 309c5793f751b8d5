"""Goal safety rules: the goal's words screened, the schedules erasure cancels, the partner's count."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.errors import UserFacingError
from bot.core.personal_data import member_schedule_kinds
from bot.goals import data_rights, partners, pings, records, wording
from bot.goals.goal_words import CrisisWords, screen_goal_words
from bot.members import changes

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "minimum", "status", "level"), [
    ("walk the dog", None, "ok", "none"),
    ("walk the dog", "I want to kill myself tonight", "crisis", "crisis"),
    ("I dont want to live like this anymore", None, "ok", "concern"),
    ("stretch, what a mong", None, "slur", "none"),
])
async def test_both_fields_are_screened(text, minimum, status, level):
    verdict = await screen_goal_words(text, minimum, None)
    assert (verdict.status, verdict.level) == (status, level)


async def test_profanity_is_kept_censored_and_crisis_keeps_no_words():
    verdict = await screen_goal_words("walk the damn dog", "damn door", None)
    assert (verdict.text, verdict.minimum) == ("walk the d*** dog", "d*** door")
    assert (await screen_goal_words("I want to kill myself tonight", None, None)).text == ""


async def test_create_refuses_crisis_and_slurs_and_keeps_nothing(db):
    plan = records.GoalPlan("daily", "08:00")
    with pytest.raises(CrisisWords):
        await records.create_goal(db, NOW, 1, 7, "I want to kill myself tonight", None, plan, "UTC")
    with pytest.raises(UserFacingError, match="wasn't saved"):
        await records.create_goal(db, NOW, 1, 7, "stretch, what a mong", None, plan, "UTC")
    assert await records.list_goals(db, 1, 7) == []
    saved = await records.create_goal(db, NOW, 1, 7, "walk the damn dog", None, plan, "UTC")
    assert saved.goal.text == "walk the d*** dog" and saved.level == "none"


def test_erasure_knows_every_kind_the_goals_and_members_schedule():
    assert data_rights.GOAL_PING_KIND == records.PING_KIND
    assert data_rights.RELEASE_KIND == pings.RELEASE_KIND
    assert set(data_rights.PARTNER_KINDS) == {partners.PARTNER_KIND, partners.HELD_KIND}
    assert {partners.RECAP_KIND, changes.FLARE_OFF_KIND} <= set(member_schedule_kinds())


def test_the_partners_count_has_no_flare_days():
    text = wording.partner_summary("Alex", "walk", "Server", 2, 1)
    assert "showed up 3 times" in text and "flare" not in text.lower()


def test_the_note_label_and_placeholder_fit_discords_limits():
    assert len(wording.NOTE_LABEL) <= 45 and len(wording.NOTE_PLACEHOLDER) <= 100
