"""bot/safety/resources.py: the shipped directory and the one crisis card every feature shows."""

from __future__ import annotations

import json
from datetime import date

import discord
import pytest

from bot.safety.resources import (
    EMBED_FIELD_VALUE_MAX,
    EMBED_FIELDS_MAX,
    EMBED_TOTAL_MAX,
    INTERNATIONAL,
    CrisisService,
    DirectoryError,
    crisis_card,
    load_directory,
    parse_directory,
    region_codes,
    region_for,
)

REQUIRED = ("US", "CA", "GB", "IE", "AU", "NZ", INTERNATIONAL)


def card_size(card: dict) -> int:
    return (len(card["title"]) + len(card["description"]) + len(card["footer"]["text"])
            + sum(len(f["name"]) + len(f["value"]) for f in card["fields"]))


def test_directory_covers_the_required_regions() -> None:
    assert set(REQUIRED) <= set(load_directory())
    assert region_codes()[-1] == INTERNATIONAL


@pytest.mark.parametrize("code", REQUIRED)
def test_every_service_has_a_contact_hours_and_a_checked_date(code: str) -> None:
    region = load_directory()[code]
    for service in region.services:
        assert service.phone or service.text or service.web
        assert service.hours
        assert date.fromisoformat(service.last_checked or "") <= date(2030, 1, 1)


def test_international_entry_points_to_find_a_helpline() -> None:
    assert any("findahelpline.com" in (s.web or "") for s in load_directory()[INTERNATIONAL].services)


@pytest.mark.parametrize(("code", "emergency", "service"), [
    ("US", "911", "988"), ("CA", "911", "988"), ("GB", "999", "116 123"), ("IE", "112", "116 123"),
    ("AU", "000", "13 11 14"), ("NZ", "111", "1737"),
])
def test_card_names_the_local_emergency_number_and_a_service(code: str, emergency: str, service: str) -> None:
    card = crisis_card(code)
    assert f"**{emergency}" in card["description"]
    assert any(service in f["value"] for f in card["fields"])
    assert any("findahelpline.com" in f["value"] for f in card["fields"])


@pytest.mark.parametrize("code", [*REQUIRED, "gb", "ZZ", "", None])
def test_card_is_private_warm_json_and_within_discord_limits(code: str | None) -> None:
    card = crisis_card(code)
    json.dumps(card)
    text = card["description"]
    assert "only you can see it" in text
    assert "emergency" in text
    assert "alone" in text
    assert card_size(card) <= EMBED_TOTAL_MAX
    embed = discord.Embed.from_dict(card)
    assert embed.title == card["title"]
    assert len(embed.fields) == len(card["fields"])


def test_unknown_region_gets_the_international_card() -> None:
    assert region_for("ZZ").code == INTERNATIONAL
    assert "your local emergency number" in crisis_card("ZZ")["description"]


def test_server_entries_come_first() -> None:
    local = CrisisService(name="Campus Night Line", phone="0800 000 000", hours="8pm-8am")
    card = crisis_card("GB", [local, {"name": "Town Crisis Cafe", "web": "https://example.org"}])
    names = [f["name"] for f in card["fields"]]
    assert names[:2] == ["Campus Night Line", "Town Crisis Cafe"]
    assert "Samaritans" in names


def test_many_long_server_entries_are_trimmed_not_the_checked_services() -> None:
    long = [CrisisService(name="x" * 300, phone="1" * 30, hours="h" * 2000) for _ in range(30)]
    card = crisis_card("US", long)
    assert len(card["fields"]) <= EMBED_FIELDS_MAX
    assert card_size(card) <= EMBED_TOTAL_MAX
    assert all(len(f["value"]) <= EMBED_FIELD_VALUE_MAX for f in card["fields"])
    assert any("988" in f["value"] for f in card["fields"])


def test_a_malformed_directory_is_refused() -> None:
    with pytest.raises(DirectoryError):
        parse_directory({"regions": {"GB": {"name": "UK", "services": [{"name": "x", "last_checked": "2026-01-01"}]},
                                     INTERNATIONAL: {"name": "Anywhere", "services": []}}})
    with pytest.raises(DirectoryError):
        parse_directory({"regions": {"GB": {"name": "UK", "services": [{"name": "x", "phone": "1"}]}}})
