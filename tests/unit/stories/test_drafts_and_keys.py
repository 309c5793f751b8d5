"""Checking drafts, what screening finds in them, and receipts."""

from __future__ import annotations

import asyncio

import pytest

from bot import screening
from bot.core.errors import UserFacingError
from bot.stories.drafts import Draft, check_draft, screen_draft
from bot.stories.keys import new_receipt, normalise_receipt, receipt_hash
from bot.stories.settings import StorySettings

SETTINGS = StorySettings(1, min_length=20)
BODY = "A long day with my knees, but the sun came out in the afternoon."


@pytest.fixture(scope="module", autouse=True)
def _compiled() -> None:
    asyncio.run(screening.prepare())


@pytest.mark.parametrize(("body", "message"), [
    ("", "empty"), (" \u200b \n ", "empty"), ("x" * 4001, "4,001"), ("short one", "at least 20"),
])
def test_bad_drafts_are_refused_with_what_to_change(body: str, message: str) -> None:
    with pytest.raises(UserFacingError, match=message):
        check_draft(Draft(1, body), SETTINGS)


def test_a_draft_is_tidied_and_its_fields_limited() -> None:
    draft = check_draft(Draft(1, "  " + BODY + "\u200b\n\nSecond paragraph.  ", "  pain\n flare ", " Title "), SETTINGS)
    assert draft.body == BODY + "\n\nSecond paragraph." and draft.content_warning == "pain flare"
    assert draft.title == "Title"
    assert check_draft(Draft(1, "x" * 4000), SETTINGS).body == "x" * 4000
    with pytest.raises(UserFacingError, match="title"):
        check_draft(Draft(1, BODY, title="t" * 101), SETTINGS)


async def test_screening_finds_identifying_details_censors_and_neutralises() -> None:
    verdict = await screen_draft(Draft(1, BODY + " shit. Mail ann@example.com <@123456789012345678> @everyone"))
    kinds = [k for k, _ in verdict.identifying]
    assert "email" in kinds and "user_mention" in kinds
    assert "s***" in verdict.body and "<@123456789012345678>" not in verdict.body and "@everyone" not in verdict.body
    # An ordinary day with a swear word, an address and a mention: no crisis tier at all.
    assert verdict.crisis == "none" and not verdict.aimed_slur


@pytest.mark.parametrize(("text", "aimed"), [
    ("you fucking idiot, stop slamming doors", True),
    ("they're all bloody shit at listening", True),
    ("my fucking back hurts so much today", False),
    ("you know, this fucking flare is the worst", False),
])
async def test_insults_aimed_at_people_are_told_from_swearing_about_pain(text: str, aimed: bool) -> None:
    assert (await screen_draft(Draft(1, text))).aimed_slur is aimed


async def test_crisis_language_anywhere_in_the_draft_counts() -> None:
    assert (await screen_draft(Draft(1, BODY, title="I want to kill myself tonight"))).crisis == "crisis"
    calm = Draft(1, "This pain is killing me but I keep going, one day at a time.")
    assert (await screen_draft(calm)).crisis == "none"


def test_receipts_are_random_typed_loosely_and_hashed() -> None:
    receipt = new_receipt()
    assert len(receipt) == 19 and receipt.count("-") == 3 and receipt != new_receipt()
    assert normalise_receipt(receipt.lower().replace("-", " ")) == receipt
    assert normalise_receipt("ABCD-EFGH-IJKL-MNOP") is None, "I and O are not in the alphabet"
    assert normalise_receipt("nope") is None
    assert receipt_hash(receipt) != receipt_hash(new_receipt()) and receipt not in receipt_hash(receipt)


async def test_a_slur_in_the_content_warning_counts_as_aimed() -> None:
    assert (await screen_draft(Draft(1, BODY, content_warning="you retard"))).aimed_slur
    assert not (await screen_draft(Draft(1, BODY, content_warning="surgery, grief"))).aimed_slur
