"""Small wins end to end: sharing (named, anonymous, screened), celebrating once per member, and the
weekly recap in the circle's channel, exactly once through the outbox, with a moved clock."""

from __future__ import annotations

from datetime import timedelta

from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock
from bot.demo.runner import BotRunner
from emulator.events import Server
from emulator.interactions import find_component, text_of
from emulator.server import DiscordEmulator
from tests.e2e.circles.helpers import press
from tests.e2e.coping.helpers import circle_with, post_calls, posts, share_win, wait_posts

RECAP = "This week's small wins"


def recaps(emulator: DiscordEmulator, channel_id: int | None) -> list[dict]:
    return [m for m in posts(emulator, channel_id) if RECAP in text_of(m)]


async def test_a_win_is_posted_and_celebrated_once_per_member(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                              server: Server) -> None:
    circle, (ann, bea, cat) = await circle_with(bot, emulator, server, "ann", "bea", "cat")
    answer = await share_win(emulator, server, ann, circle, "Walked to the mailbox")
    assert "Thank you for sharing your win" in answer["content"]
    (post,) = await wait_posts(emulator, circle.text_channel_id, 1)
    assert "A small win" in text_of(post) and "Walked to the mailbox" in text_of(post)
    assert f"Shared by <@{ann}>" in text_of(post)
    assert post_calls(emulator, circle.text_channel_id)[-1].json["allowed_mentions"] == {"parse": [], "users": []}

    updated = await press(emulator, bea, post, "🎉 Celebrate")
    assert updated["components"][0]["components"][0]["label"] == "🎉 Celebrate 1", "the count shows for everyone"
    again = await press(emulator, bea, updated, "🎉 Celebrate 1")
    assert "already celebrated" in again["content"]
    updated = await press(emulator, cat, updated, "🎉 Celebrate 1")
    assert updated["components"][0]["components"][0]["label"] == "🎉 Celebrate 2"

    outsider = await emulator.member_join(server.guild_id, "zed")
    refused = await press(emulator, outsider, updated, "🎉 Celebrate 2")
    assert "Only members of **Fibro Friends**" in refused["content"]

    anon = await share_win(emulator, server, bea, circle, "Asked for help at work", anonymous=True)
    assert "without your name" in anon["content"]
    posted = await wait_posts(emulator, circle.text_channel_id, 2)
    assert "a member (shared anonymously)" in text_of(posted[-1]) and bea not in text_of(posted[-1])
    assert [r[0] for r in await bot.db.fetchall("SELECT author_id FROM coping_wins ORDER BY id")] == [int(ann), None]


async def test_crisis_in_a_win_is_held_and_raised(bot: PeerCirclesBot, emulator: DiscordEmulator,
                                                  server: Server) -> None:
    circle, (ann,) = await circle_with(bot, emulator, server, "ann")
    held = await share_win(emulator, server, ann, circle, "I wrote my goodbye letters and I'm ready to end it all")
    assert "I haven't posted this" in held["content"] and "988" in text_of(held)
    assert find_component(held, label="Talk to a moderator now") is not None
    case = await bot.db.fetchone("SELECT kind, urgency, source, subject_user_id FROM cases")
    assert tuple(case) == ("crisis", "urgent", "win", int(ann))
    assert await bot.db.fetchval("SELECT COUNT(*) FROM coping_wins") == 0


async def test_the_weekly_recap_names_only_those_who_opted_in_and_is_sent_once(
        runner: BotRunner, bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    circle, (ann, bea, cat) = await circle_with(bot, emulator, server, "ann", "bea", "cat")
    await share_win(emulator, server, ann, circle, "Walked to the mailbox", name_in_recap=True)
    await share_win(emulator, server, bea, circle, "Cooked dinner sitting down")
    await share_win(emulator, server, cat, circle, "Said no to a long shift", anonymous=True, name_in_recap=True)
    await wait_posts(emulator, circle.text_channel_id, 3)
    assert await bot.db.fetchval("SELECT COUNT(*) FROM schedules WHERE kind = 'coping_wins_recap'") == 1

    # Monday 09:00 -> Sunday 17:59 UTC: not yet.
    clock.advance(days=6, hours=8, minutes=59)
    await bot.scheduler.run_due()
    assert recaps(emulator, circle.text_channel_id) == []
    clock.advance(minutes=1)  # Sunday 18:00 in the server's time zone (UTC here)
    (recap,) = await emulator.wait_until(lambda: recaps(emulator, circle.text_channel_id), 5, "the weekly recap")
    text = text_of(recap)
    for win in ("Walked to the mailbox", "Cooked dinner sitting down", "Said no to a long shift"):
        assert win in text
    assert f"<@{ann}>" in text, "ann opted in"
    assert f"<@{bea}>" not in text and f"<@{cat}>" not in text, "bea did not opt in; cat was anonymous"
    call = next(c for c in post_calls(emulator, circle.text_channel_id) if RECAP in text_of(c.json))
    assert call.json["allowed_mentions"] == {"parse": [], "users": []}

    # A restart and another wake-up do not send it again.
    bot = await runner.restart()
    await bot.scheduler.caught_up()
    await bot.scheduler.run_due()
    await bot.outbox.drain(5)
    assert len(recaps(emulator, circle.text_channel_id)) == 1

    # A quiet week sends nothing.
    clock.advance(timedelta(days=7))
    await bot.scheduler.run_due()
    await bot.outbox.drain(5)
    assert len(recaps(emulator, circle.text_channel_id)) == 1
    assert await bot.db.fetchval("SELECT fired_count FROM schedules WHERE kind = 'coping_wins_recap'") == 2
