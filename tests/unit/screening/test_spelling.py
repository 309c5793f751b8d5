"""bot/screening/spelling.py: disguised and misspelt key words are read as the plain word, real
words are left alone, and every crisis stage reads the plain form (the same verdict)."""

from __future__ import annotations

import pytest

from bot.screening import detector
from bot.screening.spelling import plain_words


@pytest.mark.parametrize(("written", "plain"), [
    ("gonna k1ll mys3lf", "gonna kill myself"),
    ("want to d!e", "want to die"),
    ("0verd0se", "overdose"),
    ("$uicide", "suicide"),
    ("p!lls are ready", "pills are ready"),
    ("diiiie", "die"),
    ("killlll me", "kill me"),
    ("sucide", "suicide"),          # a letter dropped
    ("suiicide", "suicide"),        # a letter doubled
    ("myslef", "myself"),           # two letters swapped
    ("goodbey everyone", "goodbye everyone"),
    ("i want to dye", "i want to die"),
    ("k i l l myself", "kill myself"),
])
def test_disguised_words_read_plainly(written: str, plain: str) -> None:
    assert plain_words(written) == plain


@pytest.mark.parametrize("text", [
    "I want to dye my hair purple for the meetup",
    "took 20mg at 2am, 3rd dose this week",
    "bridges and kills in the game tonight lol",
    "I feel so tierd today",          # a misspelling of a word that is not a key word stays
    "Counting the days to Galway",
    "email me at ann@example.com",
])
def test_ordinary_words_are_left_alone(text: str) -> None:
    assert plain_words(text) == text


PLAIN = [
    "I am going to kill myself tonight",
    "I want to die, I have the pills ready",
    "I took an overdose an hour ago",
]
DISGUISED = [
    ["I am going to k1ll mys3lf tonight", "I am going to kil myself tonight", "I am going to killll myself tonite"],
    ["I want to dye, I have the p1lls ready", "I want to d!e, I have the pils ready",
     "I want to diiie, I have the pills ready"],
    ["I took an 0verd0se an hour ago", "I took an overdoes an hour ago", "I took an ovverdose an hour ago"],
]


@pytest.mark.parametrize(("plain", "variants"), list(zip(PLAIN, DISGUISED, strict=True)))
def test_disguised_spellings_reach_the_plain_verdict(plain: str, variants: list[str]) -> None:
    expected = detector.verdict(plain).level
    assert expected == "crisis"
    for variant in variants:
        assert detector.verdict(variant).level == expected, variant
