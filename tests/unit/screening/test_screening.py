"""bot/screening/__init__.py: the facade every feature calls, and properties that hold for any input."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.screening import (
    WordSettings,
    censor,
    contains,
    crisis_level,
    find,
    identifying_details,
    neutralise_mentions,
    screen,
)

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"


def test_screen_combines_all_three_checks() -> None:
    text = "this fucking flare, I want to kill myself. Text me on 07700 900123"
    result = screen(text)
    assert result.profane and result.censored.startswith("this f****** flare")
    assert (result.crisis, result.rule, result.crisis_category) == ("crisis", "kill_myself", "explicit_ideation")
    assert [(d.kind, text[d.start:d.end]) for d in result.identifying] == [("phone", "07700 900123")]
    assert result.to_json() == {
        "profane": True,
        "slur": False,
        "censored": result.censored,
        "crisis": "crisis",
        "signal": "rule",  # the rule reached crisis; the round-9 encoder does not add its vote here
        "rule": "kill_myself",
        "identifying": [[result.identifying[0].start, result.identifying[0].end, "phone"]],
    }


def test_clean_text_is_returned_as_is() -> None:
    result = screen("Heat pads and gentle walks are helping this week.")
    assert (result.profane, result.crisis, result.rule, result.identifying) == (False, "none", None, ())
    assert result.censored == "Heat pads and gentle walks are helping this week."


def test_facade_functions_take_server_words() -> None:
    words = WordSettings(added=frozenset({"flare"}))
    assert contains("flare", words) and find("a flare", words) == [(2, 7)]
    assert censor("a flare", words) == "a f****"
    assert crisis_level("I can't go on like this").level == "concern"
    assert identifying_details("@everyone")[0].kind == "everyone"


def test_neutralise_mentions_makes_pings_inert() -> None:
    out = neutralise_mentions("@everyone hi <@123456789012345678> <@&123456789012345678> @here")
    assert "@everyone" not in out and "@here" not in out
    assert "<@123456789012345678>" not in out and "<@&123456789012345678>" not in out
    assert out.replace("\u200b", "") == "@everyone hi <@123456789012345678> <@&123456789012345678> @here"


def _check_result(text: str) -> None:
    result = screen(text)
    assert len(result.censored) == len(text)
    assert result.crisis in ("none", "concern", "crisis")
    for start, end in result.profanity_spans:
        assert 0 <= start < end <= len(text)
    previous = 0
    for detail in result.identifying:
        assert previous <= detail.start < detail.end <= len(text)
        previous = detail.end


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_unicode_text_screens_without_error(text: str) -> None:
    _check_result(text)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["fuck", "shit", "kill myself", "i", "f u c k", "@", "<@", "07700 900",
                                 ZERO_WIDTH, " ", "é", "\u0301", "*", "$", "|", "\n", "🙂", "İ", "ß"]),
                max_size=40).map("".join))
def test_adversarial_mixtures_screen_without_error(text: str) -> None:
    _check_result(text)


@settings(max_examples=20, deadline=None)
@given(st.text(min_size=1, max_size=50), st.sampled_from(list(ZERO_WIDTH)))
def test_long_inputs_with_zero_width_characters(chunk: str, zero_width: str) -> None:
    text = ((chunk + zero_width) * (10_000 // (len(chunk) + 1) + 1))[:10_000]
    _check_result(text)


def test_zero_width_characters_do_not_hide_profanity() -> None:
    for zw in ZERO_WIDTH:
        assert contains(f"f{zw}u{zw}c{zw}k"), repr(zw)
