"""bot/screening/detector.py: the model is loaded once, off the event loop, and its absence
leaves the rules deciding; nothing of a message is logged."""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path

import pytest

from bot import screening
from bot.screening import detector


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> detector._Holder:
    holder = detector._Holder()
    monkeypatch.setattr(detector, "_HOLDER", holder)
    return holder


async def test_prepare_loads_the_model_once_in_a_thread(fresh: detector._Holder,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[threading.Thread] = []
    real_load = detector.load

    def spy() -> detector.ModelState:
        threads.append(threading.current_thread())
        return real_load()

    monkeypatch.setattr(detector, "load", spy)
    state = await screening.prepare()
    await screening.prepare()
    screening.screen("i swallowed all of my oxycodone an hour ago")
    assert state.loaded and fresh.loads == 1
    assert threads and all(t is not threading.main_thread() for t in threads)


async def test_a_model_that_cannot_load_leaves_the_rules_and_is_logged_once(
        fresh: detector._Holder, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    from bot.screening import encoder, semantic

    def broken(*args: object, **kwargs: object) -> None:
        raise semantic.ModelUnavailable("the wordllama wheel has no l2_supercat_256.safetensors")

    monkeypatch.setattr(semantic, "CrisisModel", broken)
    monkeypatch.setattr(encoder, "Encoder", broken)  # both models gone: the rules alone
    with caplog.at_level(logging.WARNING, logger="bot.screening.detector"):
        state = await screening.prepare()
        await screening.prepare()
        result = screening.screen("I want to kill myself")
        quiet = screening.screen("i swallowed all of my oxycodone an hour ago")
    assert not state.loaded and "safetensors" in (state.reason or "")
    assert (result.crisis, result.signal) == ("crisis", "rule")
    assert quiet.crisis == "none"  # only the model catches this one
    assert len([r for r in caplog.records if "crisis model not loaded" in r.getMessage()]) == 1


def test_nothing_of_the_text_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    text = "i carved into my arm again last night, goodbye everyone"
    with caplog.at_level(logging.DEBUG):
        screening.screen(text)
        screening.crisis_level(text)
    for record in caplog.records:
        message = record.getMessage()
        assert "carved" not in message and "goodbye" not in message


def test_availability_is_reported_without_loading(fresh: detector._Holder) -> None:
    assert detector.availability().startswith("available")
    assert fresh.model is None and not fresh.tried


def test_status_prints_the_model_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.__main__ import main

    config = tmp_path / "config.toml"
    config.write_text('[database]\npath = "data/bot.sqlite3"\n', encoding="utf-8")
    assert main(["migrate", "--config", str(config)]) == 0
    capsys.readouterr()
    assert main(["status", "--config", str(config)]) == 0
    assert "crisis model: available (wordllama 0.4.0.post1" in capsys.readouterr().out


def test_scores_are_not_kept(fresh: detector._Holder) -> None:
    """The model holds no per-message state: scoring leaves its attributes as they were."""
    detector.load()
    model = fresh.model
    assert model is not None
    before = {k: id(v) for k, v in vars(model).items()}
    sizes = (len(model.word_scores), len(model.vocab.words))
    asyncio.run(asyncio.sleep(0))
    screening.screen("some words the table has never seen: zorblax quixotic flibbertigibbet")
    assert {k: id(v) for k, v in vars(model).items()} == before
    assert (len(model.word_scores), len(model.vocab.words)) == sizes
