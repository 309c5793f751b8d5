"""bot/circles/cards.py: what members see, as data; custom ids that survive restarts."""

from __future__ import annotations

import pytest

from bot.circles.cards import (
    CircleLine,
    circle_list_card,
    custom_id,
    full_card,
    norms_card,
    welcome_card,
    welcome_copy_failed_card,
    with_dm_copy_note,
)
from bot.core.messages import parse_custom_id


def test_custom_ids_round_trip_and_respect_discords_limit() -> None:
    value = custom_id("agree", 12, 3, 1)
    assert value == "circle:agree:12:3:1"
    assert parse_custom_id(value) == ("agree", ["12", "3", "1"])
    assert parse_custom_id("circle:list") == ("list", [])
    assert parse_custom_id("story:agree:1") is None
    with pytest.raises(ValueError):
        custom_id("agree", "x" * 100)


def test_norms_card_has_agree_dm_tick_and_not_now() -> None:
    card = norms_card(circle_id=5, circle_name="**Fibro**", version=2, text="Be kind " * 5, seats_left=1,
                      crisis={"title": "Crisis support"})
    labels = [b.label for b in card.buttons]
    assert labels == ["I agree", "☐ Also send the welcome to my DMs", "Not now"]
    assert card.buttons[0].custom_id == "circle:agree:5:2:0"
    assert card.buttons[1].custom_id == "circle:dmcopy:5:2:1"  # pressing it ticks the box
    assert r"\*\*Fibro\*\*" in card.content and "1 seat left" in card.content
    assert [e["title"] for e in card.embeds] == [r"Norms of \*\*Fibro\*\* (version 2)", "Crisis support"]
    ticked = norms_card(circle_id=5, circle_name="F", version=2, text="t", seats_left=3, dm_copy=True)
    assert ticked.buttons[0].custom_id == "circle:agree:5:2:1" and ticked.buttons[1].label.startswith("☑")
    in_dm = norms_card(circle_id=5, circle_name="F", version=2, text="t", seats_left=3, in_dm=True)
    assert [b.label for b in in_dm.buttons] == ["I agree", "Not now"]


def test_payload_never_pings_anyone_else() -> None:
    payload = full_card(circle_id=1, circle_name="@everyone", position=3).to_payload()
    assert payload["allowed_mentions"] == {"parse": [], "users": []}
    assert "number 3" in payload["content"] and "@everyone" not in payload["content"]
    assert payload["components"][0]["components"][0]["custom_id"] == "circle:wait:1"


def test_welcome_says_what_happens_next() -> None:
    card = welcome_card(circle_name="Fibro", text_channel_id=10, voice_channel_id=11, facilitator_ids=[7])
    assert "<#10>" in card.content and "<#11>" in card.content and "<@7>" in card.content
    assert "/circle leave" in card.content


def test_list_card_caps_at_twenty_with_a_join_button_each() -> None:
    lines = [CircleLine(i, f"Circle {i}", "d", ("general",), "en", i % 3) for i in range(1, 26)]
    card = circle_list_card(lines, title="Circles", empty="none")
    assert len(card.embeds[0]["fields"]) == 20 and len(card.buttons) == 20 and len(card.rows) == 4
    assert "Showing 20 of 25" in card.content
    assert "full (waitlist open)" in card.embeds[0]["fields"][2]["value"]
    assert circle_list_card([], title="t", empty="No circles yet.").content == "No circles yet."


def test_the_dm_copy_note_is_only_on_the_welcome_shown_in_the_server() -> None:
    card = welcome_card(circle_name="Fibro", text_channel_id=1, voice_channel_id=2, facilitator_ids=())
    shown = with_dm_copy_note(card)
    assert shown.content.startswith(card.content) and shown.content.endswith("A copy is on its way to your DMs.")
    assert "copy" not in card.content


def test_a_failed_dm_copy_says_why_only_when_known() -> None:
    closed = welcome_copy_failed_card(dms_closed=True).content
    other = welcome_copy_failed_card(dms_closed=False).content
    assert "couldn't send the copy" in closed and "closed" in closed
    assert "couldn't send the copy" in other and "closed" not in other
