"""Slurs by category (bot/screening/data/slurs.txt) and animal names cleared by context."""

from __future__ import annotations

import pytest

from bot.screening import screen
from bot.screening.profanity import _normalise_entry, read_slurs, read_source_words


@pytest.mark.parametrize("text", ["you absolute spaz", "what a mong", "stop being a window licker", "libtard"])
def test_ableist_slurs_are_screened_as_slurs(text: str) -> None:
    result = screen(text)
    assert result.profane and result.slur


@pytest.mark.parametrize("text", ["you troon", "look at that tranny", "trannies everywhere", "he-she"])
def test_transphobic_slurs_are_screened_as_slurs(text: str) -> None:
    result = screen(text)
    assert result.profane and result.slur


@pytest.mark.parametrize("text", ["you're a retard", "what a faggot"])
def test_slurs_better_profanity_already_had_count_as_slurs(text: str) -> None:
    assert screen(text).slur


@pytest.mark.parametrize(("text", "aimed"), [
    ("you spastic", True),
    ("you are a cripple", True),
    ("what a bunch of spastics", True),
    ("you fucking gimp", True),
    ("I feel like a cripple today", False),      # about oneself: reclaimed, never screened
    ("crippled by pain again this week", False),
    ("he has spastic paraplegia", False),        # clinical
    ("spasticity in my legs is worse", False),
    ("GIMP is a free photo editor", False),
    ("my prescription is late", False),          # contains "crip"
])
def test_ambiguous_slurs_count_only_when_aimed_at_someone(text: str, aimed: bool) -> None:
    result = screen(text)
    assert (result.profane, result.slur) == (aimed, aimed)


@pytest.mark.parametrize("text", [
    "the cock crowed at dawn on the farm",
    "our rooster, a proper cock, chased the hens",
    "my donkey is a stubborn ass",
    "our bitch had six puppies last night, the breeder is thrilled",
    "blue tits at the bird feeder this morning",
    "a peacock and a cockatoo at the wildlife park",
])
def test_animal_names_are_cleared_by_their_context(text: str) -> None:
    result = screen(text)
    assert not result.profane and result.censored == text


@pytest.mark.parametrize("text", ["what a cock", "you ass", "shut up bitch"])
def test_without_animal_context_the_rude_sense_is_screened_but_is_no_slur(text: str) -> None:
    result = screen(text)
    assert result.profane and not result.slur


@pytest.mark.parametrize("text", [
    "my vagina hurts after the procedure",
    "the anal fissure is healing",
    "I'm gay and my partner comes to appointments with me",
    "they did a rectal exam",
    "as a transsexual woman I get asked odd questions at the clinic",
])
def test_medical_and_identity_words_stay_allowed(text: str) -> None:
    assert not screen(text).profane


def test_the_list_is_by_category_and_adds_only_what_better_profanity_lacks() -> None:
    slurs = read_slurs()
    assert {"ableist", "transphobic"} <= slurs.categories()
    source = {_normalise_entry(w) for w in read_source_words()}
    assert not source & set(slurs.screened)  # new entries only
    assert set(slurs.listed) <= source       # "listed" ones really are in better-profanity's list
    assert {"it", "trap", "mutilated"}.isdisjoint(slurs.screened | slurs.aimed)  # moderators judge these
    assert {"rooster", "donkey", "puppy", "dog"} <= slurs.clears
