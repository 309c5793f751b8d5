"""bot/circles/catalogue.py: topics and languages organisers and members pick from."""

from __future__ import annotations

import pytest

from bot.circles.catalogue import (
    TOPICS,
    autocomplete_languages,
    autocomplete_topics,
    language_name,
    parse_language,
    parse_topics,
)
from bot.core.errors import UserFacingError


def test_topics_from_keys_labels_and_aliases_in_catalogue_order() -> None:
    assert parse_topics("back pain, Fibromyalgia, migraine") == ("fibro", "migraine", "back")
    assert parse_topics(["pelvic pain", "general", "GENERAL"]) == ("general", "pelvic")


def test_unknown_topic_is_named_and_known_ones_listed() -> None:
    with pytest.raises(UserFacingError) as caught:
        parse_topics("migraine, toe stubbing")
    assert "'toe stubbing'" in str(caught.value) and "fibromyalgia" in str(caught.value)


def test_at_least_one_topic() -> None:
    with pytest.raises(UserFacingError, match="at least one topic"):
        parse_topics(" , ")


def test_topic_keys_fit_in_custom_ids() -> None:
    assert all(len(k) <= 9 and k.isalnum() for k in TOPICS)
    assert len(TOPICS) <= 25  # one select menu


def test_languages_by_code_native_or_english_name() -> None:
    assert parse_language("en") == parse_language("English") == "en"
    assert parse_language("Español") == parse_language("spanish") == "es"
    assert language_name("de") == "Deutsch"
    with pytest.raises(UserFacingError, match="Klingon"):
        parse_language("Klingon")


def test_topic_autocomplete_completes_the_last_item() -> None:
    choices = autocomplete_topics("Migraine and headache, fib")
    assert choices == [("Migraine and headache, Fibromyalgia", "Migraine and headache, Fibromyalgia")]
    assert len(autocomplete_topics("")) == len(TOPICS)


def test_language_autocomplete() -> None:
    assert ("English", "en") in autocomplete_languages("eng")
    assert len(autocomplete_languages("")) <= 25
