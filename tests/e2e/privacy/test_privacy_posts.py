"""/privacy delete also deletes the bot's posts of what the member shared under their name (coping
strategies and wins, found through bot.privacy.posts), after the erasure commits; anonymous posts
and other members' posts stay; a post still waiting in the outbox is never sent; a refused delete
is said."""

from __future__ import annotations

from typing import Any

from bot.client import PeerCirclesBot
from bot.core.clock import FakeClock
from emulator.events import Server
from emulator.interactions import text_of
from emulator.server import DiscordEmulator
from tests.e2e.circles.helpers import press
from tests.e2e.coping.helpers import circle_with, posts, share_strategy, share_win, wait_posts

DELETE = "/channels/{channel_id}/messages/{message_id}"


async def delete_my_data(emulator: DiscordEmulator, server: Server, user: str) -> dict[str, Any]:
    first = await (await emulator.slash(server.guild_id, user, "privacy delete")).reply()
    told = text_of(first)
    assert "strategies, small wins" in told and "are deleted" in told, "the member is told before confirming"
    # ... and which of the bot's posts naming them stay (issue 25).
    assert "thread opened when you reached out is renamed" in told and "a weekly wins recap that named you" in told
    second = await press(emulator, user, first, "Continue")
    return await press(emulator, user, second, "Delete everything about me")


def shown(emulator: DiscordEmulator, channel_id: int | None) -> str:
    return " ".join(text_of(m) for m in posts(emulator, channel_id))


async def test_deleting_my_data_deletes_my_named_posts_and_keeps_everyone_elses(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server) -> None:
    circle, (ann, bea) = await circle_with(bot, emulator, server, "ann", "bea")
    channel = circle.text_channel_id
    await share_strategy(emulator, server, ann, circle, "Ann's heat pad before bed")
    await share_win(emulator, server, ann, circle, "Ann walked to the mailbox")
    await share_strategy(emulator, server, ann, circle, "An anonymous tip on pacing", anonymous=True)
    await share_strategy(emulator, server, bea, circle, "Bea's short chores")
    await wait_posts(emulator, channel, 4)
    await bot.outbox.drain(5)
    assert "Ann's heat pad" in shown(emulator, channel) and "Ann walked" in shown(emulator, channel)

    done = await delete_my_data(emulator, server, ann)
    assert "Everything about you in this server is erased" in text_of(done)
    assert "could not delete" not in text_of(done)
    text = shown(emulator, channel)
    assert "Ann's heat pad" not in text and "Ann walked" not in text, "her named posts are gone from the channel"
    assert "An anonymous tip" in text, "an anonymous post is linked to nobody, so it stays"
    assert "Bea's short chores" in text, "other members' posts stay"
    deleted = emulator.find_calls("DELETE", DELETE)
    assert len(deleted) == 2 and {c.params["channel_id"] for c in deleted} == {str(channel)}


async def test_a_post_still_waiting_is_never_sent_and_a_refused_delete_is_said(
        bot: PeerCirclesBot, emulator: DiscordEmulator, server: Server, clock: FakeClock) -> None:
    circle, (ann,) = await circle_with(bot, emulator, server, "ann")
    channel = circle.text_channel_id
    await share_strategy(emulator, server, ann, circle, "Posted before she left")
    await wait_posts(emulator, channel, 1)
    await bot.outbox.drain(5)
    emulator.inject_fault("POST", "/channels/{channel_id}/messages", 503, times=None,
                          match=lambda req: req.params.get("channel_id") == str(channel))
    await share_win(emulator, server, ann, circle, "A win still waiting to be posted")
    await emulator.wait_until(lambda: [c for c in emulator.find_calls("POST", "/channels/{channel_id}/messages")
                                       if c.status == 503] or None, 5, "the win's first attempt fails")
    emulator.inject_fault("DELETE", DELETE, 403, 50013, times=1)

    done = await delete_my_data(emulator, server, ann)
    assert "Everything about you in this server is erased" in text_of(done)
    assert "could not delete every post of yours" in text_of(done), "a refused delete is said, not hidden"
    assert await bot.db.fetchval("SELECT COUNT(*) FROM outbox WHERE key LIKE 'coping:win:%'") == 0

    emulator.clear_faults()
    clock.advance(hours=1)
    bot.outbox.wake()
    await bot.outbox.drain(5)
    assert "A win still waiting" not in shown(emulator, channel), "never posted after the erasure"
