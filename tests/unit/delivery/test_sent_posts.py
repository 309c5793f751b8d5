"""``sent_channel_posts``: the one lookup from outbox keys (or key patterns) to the channel posts
they became. The privacy lookups of circles, cases and coping all go through it."""

from __future__ import annotations

from bot.core.db import Database
from bot.delivery.outbox import sent_channel_posts

G, CHANNEL, MEMBER = 10, 5551, 738_291_046_518_273_049


async def _row(db: Database, key: str, *, state: str = "sent", target_kind: str = "channel",
               message_id: int | None = None, guild_id: int = G) -> None:
    await db.execute(
        "INSERT INTO outbox (key, guild_id, kind, target_kind, target_id, state, next_attempt_at, created_at,"
        " message_id) VALUES (?, ?, 'test', ?, ?, ?, '2026-11-23T09:00:00Z', '2026-11-23T09:00:00Z', ?)",
        (key, guild_id, target_kind, MEMBER if target_kind == "dm" else CHANNEL, state, message_id))


async def test_keys_and_patterns_find_only_sent_channel_posts_of_this_server_oldest_first(db: Database) -> None:
    await _row(db, "b:1", message_id=11)
    await _row(db, "a:2", message_id=12)
    await _row(db, "a:2:in:7", message_id=13)
    await _row(db, "a:2:in:8", state="pending")           # not sent yet
    await _row(db, "a:2:in:9", state="failed")            # never will be
    await _row(db, "a:2:in:10", target_kind="dm", message_id=14)  # a DM, not a channel post
    await _row(db, "a:2:in:11", guild_id=G + 1, message_id=15)    # another server
    await _row(db, "a:3:in:1", message_id=16)              # matches no pattern asked for
    async with db.transaction() as conn:
        assert await sent_channel_posts(conn, G, keys=["a:2", "b:1", "a:2"], patterns=["a:2:in:%"]) == [
            (CHANNEL, 11), (CHANNEL, 12), (CHANNEL, 13)]
        # A row both named and matched comes once.
        assert await sent_channel_posts(conn, G, keys=["a:2", "a:2:in:7"], patterns=["a:2:%"]) == [
            (CHANNEL, 12), (CHANNEL, 13)]
        assert await sent_channel_posts(conn, G + 1, patterns=["a:%"]) == [(CHANNEL, 15)]
        assert await sent_channel_posts(conn, G) == []


async def test_more_keys_than_one_query_takes_are_all_found(db: Database) -> None:
    for n in range(1, 1301):
        await _row(db, f"k:{n}", message_id=n)
    async with db.transaction() as conn:
        found = await sent_channel_posts(conn, G, keys=[f"k:{n}" for n in range(1300, 0, -1)],
                                         patterns=[f"k:{n}" for n in range(1, 1301)])
    assert found == [(CHANNEL, n) for n in range(1, 1301)]
