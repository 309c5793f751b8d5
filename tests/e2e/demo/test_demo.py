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
