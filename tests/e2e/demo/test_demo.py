"""`python -m bot demo`: every scene plays, nothing is rejected by the spec, and it exits 0."""

from __future__ import annotations

import io

from bot.demo.walkthrough import SCENES, run_demo


async def test_the_demo_plays_every_scene_cleanly() -> None:
    out = io.StringIO()
    assert await run_demo(out=out) == 0
    text = out.getvalue()
    assert "0 rejected by the spec, 0 scene(s) failed" in text
    assert "!! scene" not in text
    for heading in ("Connecting", "Circles:", "Screening:", "Delivery:"):
        assert f"== {heading}" in text, heading
    assert len(SCENES) >= 4
    # Cases: with no on-call role the page reaches the moderator role, and closed DMs get a private thread.
    flowing = " ".join(text.split())  # the transcript wraps at 100 columns
    assert "== Cases: no on-call role, and a member whose DMs are closed" in text
    assert "history: new urgent case: reached moderator role Moderators (1 member)" in flowing
    assert 'private thread named "Support" (type 12, not invitable)' in flowing
    assert "[#Support (private) sees]" in text
    # Mentions and timestamps read as a member's Discord shows them, not as the markup the bot sent.
    for raw in ("<@", "<#", "<t:"):
        assert raw not in text, f"raw {raw} in the transcript: {text[text.index(raw) - 80:text.index(raw) + 80]}"
    # A story Discord refuses: the moderators' notice and the author's status say why; a moderator's
    # retry once the permission is back posts it once.
    refused = flowing[flowing.index("== Stories: Discord refuses a story"):flowing.index("== Delivery:")]
    assert "Story #2 couldn't be published:** I'm not allowed to create threads" in refused
    assert "Messages left in the stories channel: 0" in refused
    assert "isn't published yet: I'm not allowed to create threads" in refused
    assert "Trying Anonymous member - Story #2 again now" in refused
    assert "Posts in the stories channel now: 1, with its thread" in refused
    assert "Story #2**) is published in" in refused
    # The daily clean-up a month on: spent rows go except posts the bot may still edit, spent one-offs go.
    cleanup = flowing[flowing.index("== Delivery: the daily clean-up, a month later"):]
    assert "remain, all of them posts the bot may still edit or delete" in cleanup
    assert "spent one-off schedules, 0 remain" in cleanup
    assert "The outbox holds 0 sent" not in cleanup, "the scene had something to clean up"
