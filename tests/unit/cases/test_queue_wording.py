"""The queue card's words follow the case's state; a takeover names the moderator."""

from __future__ import annotations


def test_the_queue_headline_follows_the_state_and_a_takeover_is_a_mention() -> None:
    from bot.cases.wording import claim_detail, event_detail, queue_headline
    assert "please claim it" in queue_headline(3, "crisis", "urgent", "open", None)
    assert queue_headline(3, "crisis", "urgent", "claimed", 77) == "🙋 Case #3 (crisis) is claimed by <@77>."
    assert "please claim" not in queue_headline(3, "crisis", "urgent", "resolved", 77)
    assert claim_detail(77) == "took over from <@77>" and claim_detail(None) == ""
    assert event_detail("claimed", "took over from 77") == "took over from <@77>", "rows from before"
    assert event_detail("claimed", "took over from <@77>") == "took over from <@77>"
    assert event_detail("note", "ask <@77>") == "ask <@\u200b77>", "a note's mentions stay inert"
