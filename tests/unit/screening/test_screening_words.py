"""bot/screening/words.py: a server's blocked and allowed words: normalised, validated, limited,
and never visible from another server."""

from __future__ import annotations

import pytest

from bot.core.clock import FakeClock
from bot.core.db import Database
from bot.core.errors import UserFacingError
from bot.screening import contains
from bot.screening.profanity import WordSettings
from bot.screening.words import (
    MAX_WORDS_PER_SERVER,
    add_word,
    clear_words,
    list_words,
    normalise_word,
    remove_word,
    word_settings,
)

GUILD = 1001
OTHER = 2002




@pytest.mark.parametrize(("raw", "stored"), [
    ("  Flare  ", "flare"),
    ("FLARE-UP", "flare-up"),
    ("pain   train", "pain train"),
    ("Crème", "creme"),
    ("sh!t", "sh!t"),
    ("don\u2019t", "don't"),
])
def test_words_are_normalised(raw: str, stored: str) -> None:
    assert normalise_word(raw) == stored


@pytest.mark.parametrize(("raw", "message"), [
    ("a", "at least 2"),
    ("x" * 41, "at most 40"),
    ("<@123>", "letters and numbers"),
    ("two  --  dashes", "letters and numbers"),
    ("under_score", "letters and numbers"),
    ("one two three four five", "at most 4 words"),
    ("\u200b\u200b", "at least 2"),
])
def test_bad_words_are_refused_with_a_reason(raw: str, message: str) -> None:
    with pytest.raises(UserFacingError, match=message):
        normalise_word(raw)


async def test_added_words_are_screened_only_on_their_server(db: Database, clock: FakeClock) -> None:
    await add_word(db, clock, GUILD, "Flare", "block")
    await add_word(db, clock, GUILD, "damn", "allow")
    here = await word_settings(db, GUILD)
    there = await word_settings(db, OTHER)
    assert here == WordSettings(added=frozenset({"flare"}), allowed=frozenset({"damn"}))
    assert there == WordSettings()
    assert contains("another flare", here) and not contains("another flare", there)
    assert not contains("damn it", here) and contains("damn it", there)


async def test_a_word_is_either_blocked_or_allowed(db: Database, clock: FakeClock) -> None:
    await add_word(db, clock, GUILD, "crap", "block")
    await add_word(db, clock, GUILD, "CRAP", "allow")
    assert await list_words(db, GUILD) == {"block": [], "allow": ["crap"]}


async def test_remove_and_clear_are_scoped_by_server(db: Database, clock: FakeClock) -> None:
    await add_word(db, clock, GUILD, "flare", "block")
    await add_word(db, clock, OTHER, "flare", "block")
    assert await remove_word(db, GUILD, "Flare") is True
    assert await remove_word(db, GUILD, "flare") is False
    assert await list_words(db, OTHER) == {"block": ["flare"], "allow": []}
    assert await clear_words(db, OTHER) == 1
    assert await list_words(db, OTHER) == {"block": [], "allow": []}


async def test_a_server_has_a_word_limit_and_a_refusal_changes_nothing(db: Database, clock: FakeClock) -> None:
    for i in range(MAX_WORDS_PER_SERVER):
        await add_word(db, clock, GUILD, f"word{i}", "block")
    with pytest.raises(UserFacingError, match="already has"):
        await add_word(db, clock, GUILD, "onemore", "block")
    words = await list_words(db, GUILD)
    assert len(words["block"]) == MAX_WORDS_PER_SERVER and "onemore" not in words["block"]
    # Switching an existing word's kind is not a new word.
    await add_word(db, clock, GUILD, "word0", "allow")
    await add_word(db, clock, OTHER, "onemore", "block")


async def test_unknown_kind_is_refused(db: Database, clock: FakeClock) -> None:
    with pytest.raises(UserFacingError, match="block or allow"):
        await add_word(db, clock, GUILD, "flare", "maybe")
    assert await list_words(db, GUILD) == {"block": [], "allow": []}
