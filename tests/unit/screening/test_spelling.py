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
    "I want to die!",                 # a symbol after a word is punctuation, not a letter
    "done* and help!",
    "bought some hair dye.",
    "my coffee spills everywhere",    # a different first letter: another word, not a slip
    "pilled jumper, fending off the cat",
    "b4 the appointment, 4ever grateful",
])
def test_ordinary_words_are_left_alone(text: str) -> None:
    assert plain_words(text) == text


@pytest.mark.parametrize("unit", ["ab", "k1", "a1\u00e9", "!", "if ", "a "])
def test_hostile_input_is_read_in_linear_time(unit: str) -> None:
    """Ten times the input takes about ten times as long, not a hundred (the backtracking patterns
    this replaced took 0.7-2.5 s on 10,000 characters): a ratio in one run, not a time limit."""
    import time

    def cost(n: int) -> float:
        text = "aaa " + unit * n
        best = float("inf")
        for _ in range(5):  # this thread's CPU time: other processes on the machine don't count
            start = time.thread_time()
            plain_words(text)
            best = min(best, time.thread_time() - start)
        return best

    assert cost(5000) / max(cost(500), 1e-5) < 30


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
