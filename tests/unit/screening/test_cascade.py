"""bot/screening/cascade.py and the detector's two stages: what reaches the encoder, what it reads,
how it decides, that it runs off the event loop, and that a missing model file is loud."""

from __future__ import annotations

import dataclasses
import shutil
import threading
from pathlib import Path

import pytest

from bot import screening
from bot.screening import cascade, detector
from bot.screening import encoder as enc

T = cascade.Thresholds(crisis=0.9, crisis_with_sign=0.6, concern=0.5, model_only_floor=0.1, concern_floor=0.2,
                       mark=0.6)


def test_a_short_message_is_read_whole() -> None:
    [window] = cascade.windows("thanks for everything. the bridge tonight.")
    assert window.text == "thanks for everything. the bridge tonight."
    assert {"farewell", "time_place"} <= set(window.signs)


def test_a_long_message_gives_only_its_marked_sentences_with_the_one_before() -> None:
    filler = "The physio had me doing wall squats and my knees complained the whole time. " * 6
    text = filler + "I sorted the cat's new home last week. Thank you all for everything, truly."
    windows = cascade.windows(text)
    assert len(windows) <= cascade.MAX_WINDOWS and windows
    assert all(len(w.text) < 2 * cascade.WHOLE_CHARS for w in windows)
    assert any("Thank you all for everything" in w.text and "cat's new home" in w.text for w in windows)
    assert not any(w.text.startswith("The physio") and not w.signs for w in windows)


def test_marks_follow_rules_the_fast_model_and_signs() -> None:
    assert cascade.marks("anyone watching the snooker?", "none", 0.1, 0.6) is False
    assert cascade.marks("anyone watching the snooker?", "none", 0.7, 0.6) is True
    assert cascade.marks("anyone watching the snooker?", "concern", None, 0.6) is True
    assert cascade.marks("my last message here, goodbye everyone", "none", 0.1, 0.6) is True


@pytest.mark.parametrize(("stage_one", "probs", "expected"), [
    (("none", None), [(0.95, 0.97, False, "")], ("crisis", "encoder")),
    (("none", None), [(0.7, 0.9, True, "")], ("crisis", "encoder")),      # sign and encoder agree
    (("none", None), [(0.7, 0.9, False, "")], ("concern", "encoder")),    # no sign: the higher bar
    (("concern", "rule"), [(0.95, 0.99, False, "")], ("crisis", "encoder")),
    (("crisis", "rule"), [(0.95, 0.99, False, "")], ("crisis", "rule+encoder")),
    (("crisis", "both"), [(0.01, 0.1, False, "")], ("crisis", "both")),   # a rule's crisis stands
    (("crisis", "model"), [(0.01, 0.6, False, "")], ("concern", "model+encoder")),  # model alone: lowered
    (("concern", "model"), [(0.01, 0.05, False, "")], ("none", None)),    # everyday words, encoder sure
    (("concern", "rule"), [(0.01, 0.05, False, "")], ("concern", "rule")),
    (("none", None), [(0.99, 0.99, True, "denied")], ("none", None)),     # "I'm not suicidal": no vote
    (("none", None), [(0.99, 0.99, True, "held")], ("concern", "encoder")),  # "no plan", recovered: concern
    (("none", None), [(0.99, 0.4, True, "held")], ("none", None)),        # ... only at the concern bar
    # A rule's crisis the encoder finds far from one is a check-in (rule_floor), unless a window votes crisis.
    (("crisis", "rule"), [(0.05, 0.96, True, "")], ("crisis", "rule")),  # rule_floor 0 in T: stands
    # A denial in one window does not silence a farewell in another.
    (("none", None), [(0.99, 0.99, True, "denied"), (0.95, 0.97, True, "")], ("crisis", "encoder")),
])
def test_decide(stage_one: tuple[str, str | None], probs: list[tuple[float, float, bool, str]],
                expected: tuple[str, str | None]) -> None:
    assert cascade.decide(stage_one, probs, T) == expected


def test_a_window_reads_its_own_cue() -> None:
    assert cascade.Window("I'm not suicidal, just so tired of this flare").cue == "denied"
    assert cascade.Window("I used to be suicidal years ago but therapy helped, I'm doing well now").cue == "held"
    assert cascade.Window("the thoughts are back this week. no plan, they just sit with me").cue == "held"
    # Denying intent is not denying the wish; denying the wish is.
    assert cascade.Window("I keep wishing a car would hit me. not going to do anything, just the wish").cue == "held"
    assert cascade.Window("not going to do anything stupid, I don't want to die, just tired").cue == "denied"
    assert cascade.Window("Thank you all for everything. Goodbye everyone, tonight is the night.").cue == ""


def test_everyday_signs_need_the_fast_model_to_agree() -> None:
    # "tonight" and a charity-shop run fill ordinary chat: alone they go on only with a fast-model score.
    assert cascade.marks("anyone doing the voice check in tonight?", "none", 0.05, 0.6) is False
    assert cascade.marks("anyone doing the voice check in tonight?", "none", cascade.WEAK_SIGN_SCORE, 0.6) is True
    assert cascade.marks("giving my old books to the charity shop", "none", 0.05, 0.6) is False
    # A farewell, a stash or a method always goes on, whatever the fast model says.
    assert cascade.marks("thank you all for everything, goodbye everyone", "none", 0.0, 0.6) is True
    assert cascade.marks("i've been saving my tramadol for weeks", "none", 0.0, 0.6) is True
    # Without the fast model, a sign is not held back.
    assert cascade.marks("the bridge tonight", "none", None, 0.6) is True


@pytest.mark.parametrize("text", [
    "my family deserve better than someone who can't get out of bed",
    "nothing is ever going to get better, twelve years of this",
    "kinda hoping the next flare is the one that finishes me off",
    "the old itch to hurt myself is back",
    "just a useless mouth to feed now",
    "if I went to sleep and never woke up it'd be a relief",
    "kinda hoping this next flare takes me out",
    "if a bus hit me tomorrow I wouldn't be that bothered",
    "I don't think it's ever going to get better",
    "les idées noires reviennent",
])
def test_words_of_the_concern_tier_reach_the_encoder(text: str) -> None:
    assert cascade.marks(text, "none", 0.0, 0.6) is True


def test_a_farewell_made_of_emoji_is_a_sign_and_a_greeting_wave_is_not() -> None:
    assert cascade.marks("🕯️🖤👋🕊️", "none", 0.0, 0.6) is True
    assert cascade.marks("morning all 👋", "none", 0.0, 0.6) is False
    # A wave beside a dove or a candle is a farewell, words or not.
    assert cascade.marks("last one from me \U0001F54A\ufe0f\U0001F44B", "none", 0.0, 0.6) is True
    assert cascade.marks("rip to my old phone \U0001F56F\ufe0f", "none", 0.0, 0.6) is False


def test_repeated_sentences_do_not_crowd_out_the_last_one() -> None:
    filler = "The physio had me doing wall squats and my knees complained the whole time. " * 4
    text = filler + "I gave my books away. " * 6 + "Thank you all for everything, the bridge tonight."
    windows = cascade.windows(text)
    assert len({w.text for w in windows}) == len(windows), "each window once"
    assert any("the bridge tonight" in w.text for w in windows), "the last marked sentence is read"


def test_window_text_never_shows_in_a_repr() -> None:
    assert "secret words" not in repr(cascade.Window("secret words", ("farewell",)))


async def test_the_encoder_runs_in_its_worker_thread_and_only_for_marked_messages(
        monkeypatch: pytest.MonkeyPatch) -> None:
    await screening.prepare()
    threads: list[str] = []
    real = detector.finish

    def spy(stage: detector.FirstStage) -> detector.Verdict:
        threads.append(threading.current_thread().name)
        return real(stage)

    monkeypatch.setattr(detector, "finish", spy)
    await screening.screen_async("anyone watching the snooker tonight? my husband loves it")
    await screening.screen_async("new episode drops on friday, no spoilers please")
    assert len(threads) <= 1
    threads.clear()
    await screening.screen_async("I took the whole box of my tablets an hour ago, goodbye everyone")
    assert threads and all(name.startswith("crisis-encoder") for name in threads)
    assert threading.main_thread().name not in threads


def test_screen_and_screen_async_agree() -> None:
    import asyncio

    for text in ("gave my guitar to my nephew, won't be needing it after this weekend",
                 "bye all, off to bed", "this migraine is killing me"):
        assert screening.screen(text).crisis == asyncio.run(screening.screen_async(text)).crisis


@pytest.fixture
def broken_encoder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "encoder"
    shutil.copytree(enc.DATA, data)
    (data / enc.WEIGHTS.name).unlink()
    monkeypatch.setattr(enc, "DATA", data)
    monkeypatch.setattr(detector, "_HOLDER", detector._Holder())
    return data / enc.WEIGHTS.name


def test_a_missing_encoder_file_is_loud_and_the_rules_still_run(broken_encoder: Path) -> None:
    state = detector.load()
    assert not state.loaded and enc.WEIGHTS.name in (state.reason or "")
    assert detector.status_line().startswith("crisis model: not loaded")
    assert detector.verdict("I am going to kill myself tonight").level == "crisis"


def test_check_config_exits_non_zero_naming_the_file(broken_encoder: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from bot.__main__ import main

    config = tmp_path / "config.toml"
    config.write_text('[database]\npath = "data/bot.sqlite3"\n', encoding="utf-8")
    assert main(["check-config", str(config)]) != 0
    err = capsys.readouterr().err
    assert "crisis model: not loaded" in err and enc.WEIGHTS.name in err


def test_status_says_not_loaded(broken_encoder: Path) -> None:
    assert detector.availability().startswith("not loaded") and enc.WEIGHTS.name in detector.availability()


def test_the_bot_screens_only_through_screen_async() -> None:
    """The encoder must never run on the event loop: outside bot/screening (and its CLI) no code
    calls the inline ``screen()`` or ``crisis_level()``."""
    import re

    root = Path(__file__).resolve().parents[3]
    inline = re.compile(r"\bscreening\.(?:screen|crisis_level)\("
                        r"|\bfrom bot\.screening import [^\n]*\b(?:screen|crisis_level)\b(?!_)")
    offenders = [str(path.relative_to(root)) for folder in ("bot", "cogs") for path in (root / folder).rglob("*.py")
                 if "screening" not in path.relative_to(root).parts[:2] and inline.search(path.read_text("utf-8"))]
    assert offenders == [], f"call `await screening.screen_async(...)` instead in {offenders}"


def test_a_rule_crisis_the_encoder_finds_far_from_one_is_a_check_in() -> None:
    t = dataclasses.replace(T, rule_floor=0.2)
    assert cascade.decide(("crisis", "rule"), [(0.05, 0.96, True, "")], t) == ("concern", "rule+encoder")
    assert cascade.decide(("crisis", "both"), [(0.05, 0.96, True, "")], t)[0] == "concern"
    assert cascade.decide(("crisis", "rule"), [(0.3, 0.96, True, "")], t) == ("crisis", "rule")
    # A window that votes crisis keeps it, whatever another window says.
    assert cascade.decide(("crisis", "rule"), [(0.05, 0.9, True, ""), (0.95, 0.99, True, "")], t)[0] == "crisis"
