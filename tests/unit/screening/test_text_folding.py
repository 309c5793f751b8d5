"""bot/screening/folding.py: folding keeps every character where it was."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.screening.folding import IGNORABLE, fold


def test_case_accents_full_width_and_look_alikes() -> None:
    assert fold("Fück ＦＵＣＫ 𝐟𝐮𝐜𝐤 fuсk") == "fuck fuck fuck fuck"


def test_zero_width_and_combining_marks_become_ignorable() -> None:
    assert fold("f\u200bu\u0308ck") == f"f{IGNORABLE}u{IGNORABLE}ck"


def test_dotted_capital_i_keeps_its_length() -> None:
    assert fold("İstanbul") == "istanbul"


@given(st.text())
def test_length_is_kept_and_folding_twice_changes_nothing(text: str) -> None:
    folded = fold(text)
    assert len(folded) == len(text)
    assert fold(folded) == folded
