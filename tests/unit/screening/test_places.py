"""Issue 25: street addresses and named workplaces are identifying details (bot/screening/places.py):
UK, US, Australian, Canadian and Irish address forms with their postcodes; workplaces named after
words about work; film titles, bus routes, counts, doses, generic places and medical words are not;
hostile input is read in linear time; the labelled sets and the screening sets hold their figures."""

from __future__ import annotations

import time

import pytest

from benchmarks.identifying import LABELLED, false_positives, score
from bot.screening.identifying import KINDS, find_identifying
from bot.stories.wording import IDENTIFYING_KINDS
from cogs.screening import DETAIL_NAMES


def found(text: str) -> list[tuple[str, str]]:
    return [(text[d.start:d.end], d.kind) for d in find_identifying(text)]


@pytest.mark.parametrize(("text", "span"), [
    ("I live at 14 Elm Street and the stairs hurt", "14 Elm Street"),
    ("my flat is flat 3, 22 Bridge Rd, near the shops", "flat 3, 22 Bridge Rd"),
    ("I'm in apt 4B 120 W 72nd St now", "apt 4B 120 W 72nd St"),
    ("post it to 7 Church Lane, Leeds LS6 2AB please", "7 Church Lane, Leeds LS6 2AB"),
    ("we moved to 4410 Maple Avenue, Dayton, OH 45402 last spring", "4410 Maple Avenue, Dayton, OH 45402"),
    ("our unit is 5/22 Smith Street, Fitzroy VIC 3065", "5/22 Smith Street, Fitzroy VIC 3065"),
    ("I'm at 88 Queen St W, Toronto ON M5H 2N2", "88 Queen St W, Toronto ON M5H 2N2"),
    ("our house is 12 O'Connell Street, Dublin 1, D01 F5P2", "12 O'Connell Street, Dublin 1, D01 F5P2"),
    ("I'm at 10 St Mary's Road by the church", "10 St Mary's Road"),
    ("i live at 22 oak street with my mum", "22 oak street"),
    ("it's 2100 Main Street Suite 400, Springfield IL 62701", "2100 Main Street Suite 400, Springfield IL 62701"),
])
def test_street_addresses_are_found_with_their_postcode(text: str, span: str) -> None:
    assert found(text) == [(span, "street_address")]


@pytest.mark.parametrize(("text", "span"), [
    ("I work at Tesco in Leeds and my back hates it", "Tesco in Leeds"),
    ("My manager at Amazon doesn't believe in pain", "Amazon"),
    ("I'm a nurse at St Mary's and shifts are brutal", "St Mary's"),
    ("my husband works for the council", "the council"),
    ("She works at Marks & Spencer on weekdays", "Marks & Spencer"),
    ("i work at asda on the tills", "asda"),
    ("My dad works at the Nissan plant in Sunderland", "the Nissan plant in Sunderland"),
    ("I work in Dunnes Stores in Galway", "Dunnes Stores in Galway"),
])
def test_named_workplaces_are_found(text: str, span: str) -> None:
    assert found(text) == [(span, "workplace")]


@pytest.mark.parametrize("text", [
    "Watched A Nightmare on Elm Street last night",
    "Has anyone seen 21 Jump Street? I need something silly",
    "I take the 3 Bridge Rd bus to the hospital",
    "I managed 2 miles down the road today",
    "Took 2 paracetamol and 400 mg ibuprofen",
    "The MRI showed problems at L4 L5 and C5 C6",
    "I did a 10 Minute Walk today",
    "I work at home most days now",
    "I spent the day at the hospital waiting for a scan",
    "I work in IT so at least I can sit down",
    "I work in London and the commute is hard",
    "I'm a patient at St Mary's pain clinic",
    "Gabapentin at night, naproxen in the morning, and a TENS machine at work",
    "Heat works for me, cold makes it worse",
    "There was a study in the BMJ about tapering",
    "I worked at Christmas and paid for it",
])
def test_hard_negatives_are_left_alone(text: str) -> None:
    assert found(text) == []


def test_a_phone_number_beside_an_address_stays_a_phone_number() -> None:
    text = "ring 0113 246 0000 or come to 1 Park Row, Leeds LS1 5AB"
    assert found(text) == [("0113 246 0000", "phone"), ("1 Park Row, Leeds LS1 5AB", "street_address")]


def test_every_kind_is_named_in_the_story_preview_and_the_screening_try() -> None:
    assert set(KINDS) <= set(IDENTIFYING_KINDS) and set(KINDS) <= set(DETAIL_NAMES)


@pytest.mark.parametrize("unit", [
    "1 ", "12 Ab ", "1 A A A ", "I work at ", "work at A ", "I'm a a a at ", "1 Elm St, ", "1 Elm St " + "A" * 30,
    "the council ", "1\t\t\t\t\t", "flat 1, ",
])
def test_hostile_input_is_read_in_linear_time(unit: str) -> None:
    """Ten times the input takes about ten times as long, not a hundred: a ratio in one run."""
    def cost(n: int) -> float:
        text = "aaa " + unit * n
        best = float("inf")
        for _ in range(5):  # this thread's CPU time: other processes on the machine don't count
            start = time.thread_time()
            find_identifying(text)
            best = min(best, time.thread_time() - start)
        return best

    assert cost(2000) / max(cost(200), 1e-5) < 30


def test_the_labelled_sentences_hold_their_figures() -> None:
    """The tuning part and the held-out part (benchmarks/data/identifying; docs/stories.md)."""
    for name, path in LABELLED.items():
        figures = score(path, show=False)
        for kind, f in figures.items():
            assert f["precision"] >= 0.95 and f["recall"] >= 0.9, (name, kind, f)


def test_no_sentence_of_the_screening_sets_is_flagged() -> None:
    for name, counts in false_positives(show=False).items():
        assert counts["street_address"] == 0 and counts["workplace"] == 0, (name, counts)
