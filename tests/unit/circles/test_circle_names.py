"""bot/circles/names.py: names reach Discord as role/channel names and come back in messages."""

from __future__ import annotations

import pytest

from bot.circles.names import NAME_MAX, channel_slug, clean_description, clean_name, name_key
from bot.core.errors import UserFacingError
from bot.core.text import ZWSP, display, escape_markdown, neutralise_mentions


def test_whitespace_and_invisible_characters_are_cleaned() -> None:
    assert clean_name("  Back\u200b   Pain \n Circle ") == "Back Pain Circle"
    assert clean_name("Back\u202eniaP") == "BackniaP"  # bidi override removed


@pytest.mark.parametrize("raw", ["@everyone circle", "@here now", "@EVERYONE"])
def test_mass_mentions_are_made_inert(raw: str) -> None:
    name = clean_name(raw)
    assert "@everyone" not in name.lower() and "@here" not in name.lower()
    assert "@" + ZWSP in name


def test_mention_tags_are_made_inert() -> None:
    text = neutralise_mentions("hi <@123456789012345678> and <@&42> in <#99>")
    assert "<@123456789012345678>" not in text and "<@&42>" not in text and "<#99>" not in text


def test_length_limits_match_discord_role_and_channel_names() -> None:
    assert clean_name("x" * NAME_MAX) == "x" * NAME_MAX
    with pytest.raises(UserFacingError, match="at most 100 characters"):
        clean_name("x" * (NAME_MAX + 1))
    with pytest.raises(UserFacingError, match="at least 2"):
        clean_name(" a ")
    with pytest.raises(UserFacingError, match="letter or number"):
        clean_name("*** ~~~")


@pytest.mark.parametrize("other", ["back pain", "BACK PAIN", "Back-Pain", "**Back Pain**", "back_pain", " Back  pain "])
def test_collision_key_ignores_case_markdown_and_spacing(other: str) -> None:
    assert name_key(other) == name_key("Back Pain") == "back-pain"


def test_different_names_do_not_collide() -> None:
    assert name_key("Back Pain") != name_key("Back Pain 2")


def test_channel_slug_is_lowercase_dashes_within_limit() -> None:
    assert channel_slug("Migraine Mornings (EU)") == "migraine-mornings-eu"
    assert channel_slug("Schmerz ß Straße") == "schmerz-ss-strasse"
    assert len(channel_slug("word " * 40)) <= NAME_MAX


def test_markdown_is_escaped_for_display() -> None:
    assert escape_markdown("**bold** _it_ `code` ~~s~~ ||sp||") == r"\*\*bold\*\* \_it\_ \`code\` \~\~s\~\~ \|\|sp\|\|"
    shown = display("# Big @everyone")
    assert shown.startswith(r"\#") and "@everyone" not in shown


def test_description_limits() -> None:
    assert clean_description("  A  calm   circle ") == "A calm circle"
    with pytest.raises(UserFacingError, match="short description"):
        clean_description("   ")
    with pytest.raises(UserFacingError, match="at most 300"):
        clean_description("x" * 301)
