"""bot/screening/warning_signs.py: each category's words are found; everyday chat shows none."""

from __future__ import annotations

import pytest

from bot.screening.spelling import plain_words
from bot.screening.warning_signs import CATEGORIES, signs


@pytest.mark.parametrize(("category", "text"), [
    ("preparation", "i've been giving away my record collection to the people who'd love it"),
    ("preparation", "found a new home for my greyhound, she deserves someone who'll be around"),
    ("preparation", "wrote letters for each of the kids, they're in the top drawer"),
    ("farewell", "thank you all for everything, you were the best part of these years"),
    ("farewell", "this is my last message here. look after each other"),
    ("burden_finality", "they won't have to look after me for much longer"),
    ("time_place", "going up to the quarry when the house is empty"),
    ("time_place", "please don't come looking for me"),
    ("method_research", "what's the lethal dose of amitriptyline for someone my size"),
    ("stockpiling", "been putting aside a few of my oxycodone every week"),
    ("conditional_plan", "if the nerve block doesn't work then i'm done"),
    ("self_harm_done", "stopped my insulin on purpose three days ago"),
    ("self_harm_done", "burned my arm with the lighter again"),
    ("overdose_taken", "took the whole box of co-codamol twenty minutes ago"),
])
def test_each_category_is_found(category: str, text: str) -> None:
    assert category in signs(plain_words(text).lower())


@pytest.mark.parametrize("text", [
    "anyone else's joints hate this rain?",
    "physio went ok, more exercises to do",
    "my cat keeps stealing my heating pad",
    "new episode drops on friday, no spoilers",
    "pharmacy finally sorted my repeat prescription",
])
def test_everyday_chat_shows_no_sign(text: str) -> None:
    assert signs(plain_words(text).lower()) == ()


def test_categories_are_the_issues_warning_signs() -> None:
    assert set(CATEGORIES) >= {"preparation", "farewell", "burden_finality", "time_place", "method_research",
                               "stockpiling", "conditional_plan", "self_harm_done", "overdose_taken"}
