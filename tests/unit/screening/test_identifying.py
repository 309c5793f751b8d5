"""bot/screening/identifying.py: mentions, @everyone, handles, tags, e-mail, phone numbers, links and
invites are found with their spans; dates, doses and pain scores are not phone numbers."""

from __future__ import annotations

from itertools import pairwise

import pytest

from bot.screening.identifying import find_identifying


def found(text: str) -> list[tuple[str, str]]:
    return [(text[d.start:d.end], d.kind) for d in find_identifying(text)]


@pytest.mark.parametrize(("text", "expected"), [
    ("thanks <@123456789012345678>!", [("<@123456789012345678>", "user_mention")]),
    ("thanks <@!123456789012345678>", [("<@!123456789012345678>", "user_mention")]),
    ("ask <@&123456789012345678>", [("<@&123456789012345678>", "role_mention")]),
    ("@everyone and @here", [("@everyone", "everyone"), ("@here", "everyone")]),
    ("write to jane.doe+pain@example.co.uk.", [("jane.doe+pain@example.co.uk", "email")]),
    ("add me: janedoe#1234", [("janedoe#1234", "discord_tag")]),
    ("I'm @jane_doe on there", [("@jane_doe", "handle")]),
    ("join discord.gg/abc123 now", [("discord.gg/abc123", "invite")]),
    ("https://discord.com/invite/xyz", [("https://discord.com/invite/xyz", "invite")]),
    ("see https://example.com/my-story?id=4.", [("https://example.com/my-story?id=4", "url")]),
    ("my blog www.painjournal.net", [("www.painjournal.net", "url")]),
    ("it's at myblog.co.uk/about", [("myblog.co.uk/about", "url")]),
])
def test_each_kind_is_found(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize("number", [
    "07700 900123", "+44 20 7946 0958", "(555) 123-4567", "555-123-4567", "+1 555 123 4567",
    "0412 345 678", "943 476 5919",
])
def test_phone_numbers(number: str) -> None:
    assert found(f"call me on {number} tonight") == [(number, "phone")]


@pytest.mark.parametrize("text", [
    "pain 8/10 today, 6/10 yesterday",
    "appointment on 2026-11-21 at 9.30",
    "from 21.11.2026 to 28.11.2026",
    "I was ill 1998-2004 and again in 2019 2020 2021",
    "took 500mg then 250 mg, 3 times",
    "group runs 9.30-11.00",
    "e.g. heat, i.e. rest, etc.",
    "my score went from 12 to 4",
])
def test_numbers_that_are_not_phones_and_abbreviations_are_left_alone(text: str) -> None:
    assert found(text) == []


def test_email_is_not_also_a_handle_or_a_link() -> None:
    assert found("me@example.com") == [("me@example.com", "email")]


def test_spans_are_sorted_and_do_not_overlap() -> None:
    text = "<@123456789012345678> mail a@b.io or call 07700 900123, see www.x.org"
    details = find_identifying(text)
    assert details == sorted(details)
    assert all(a.end <= b.start for a, b in pairwise(details))
    assert [d.kind for d in details] == ["user_mention", "email", "phone", "url"]


def test_plain_story_has_nothing() -> None:
    assert found("My back pain is bad today and the flare won't stop. Heat helps a little.") == []
