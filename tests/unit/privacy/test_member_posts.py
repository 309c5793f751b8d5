"""Issue 25: the bot's posts that carry a member's words or name in moderators' channels (relay posts
of their reach-out, role-problem notices) are found at erasure, so the privacy cog deletes them."""

from __future__ import annotations

from bot.cases.data_rights import member_reach_out_threads, member_relay_posts
from bot.circles.data_rights import member_notice_posts
from bot.core.db import Database

G, MEMBER, OTHER, THREAD, QUEUE = 10, 738_291_046_518_273_049, 402_118_553_907_661_312, 5551, 5552


async def _sent(db: Database, key: str, kind: str, target_kind: str, target: int, message_id: int) -> None:
    await db.execute(
        "INSERT INTO outbox (key, guild_id, kind, target_kind, target_id, state, next_attempt_at, created_at,"
        " message_id) VALUES (?, ?, ?, ?, ?, 'sent', '2026-11-23T09:00:00Z', '2026-11-23T09:00:00Z', ?)",
        (key, G, kind, target_kind, target, message_id))


async def test_relay_posts_and_role_notices_of_the_member_are_found_and_nobody_elses(db: Database) -> None:
    ids = []
    for opener in (MEMBER, OTHER):
        ids.append(await db.execute(
            "INSERT INTO cases (guild_id, kind, urgency, source, opened_by, created_at, updated_at, number)"
            " VALUES (?, 'help', 'normal', 'reach_out', ?, '2026-11-23T09:00:00Z', '2026-11-23T09:00:00Z', ?)",
            (G, opener, len(ids) + 1)))
    rows = await db.fetchall("SELECT id FROM cases ORDER BY id")
    mine, theirs = int(rows[0][0]), int(rows[1][0])
    await _sent(db, f"case:{mine}:relay", "case_relay", "channel", THREAD, 1)
    await _sent(db, f"case:{mine}:relay:in:900", "case_relay", "channel", THREAD, 2)
    await _sent(db, f"case:{mine}:relay:out:901", "case_relay", "dm", MEMBER, 3)  # in her own DMs
    await _sent(db, f"case:{theirs}:relay:in:902", "case_relay", "channel", THREAD, 4)
    await _sent(db, f"circle:3:roleproblem:user:{MEMBER}:2026-11-23T09:00:00Z", "circles.role_problem",
                "channel", QUEUE, 5)
    await _sent(db, f"circle:3:roleproblem:user:{OTHER}:2026-11-23T09:00:00Z", "circles.role_problem",
                "channel", QUEUE, 6)
    async with db.transaction() as conn:
        assert await member_relay_posts(conn, G, MEMBER) == [(THREAD, 1), (THREAD, 2)]
        assert await member_notice_posts(conn, G, MEMBER) == [(QUEUE, 5)]
        assert await member_relay_posts(conn, G + 1, MEMBER) == []



async def test_reach_out_threads_of_the_member_get_a_neutral_name_and_nobody_elses(db: Database) -> None:
    for opener, thread, snapshot, number in ((MEMBER, 7001, '{}', 4), (MEMBER, 7002, '{"relay": true}', 5),
                                             (OTHER, 7003, '{}', 6)):
        await db.execute(
            "INSERT INTO cases (guild_id, kind, urgency, source, opened_by, thread_id, snapshot, created_at,"
            " updated_at, number) VALUES (?, 'help', 'normal', 'reach_out', ?, ?, ?, '2026-11-23T09:00:00Z',"
            " '2026-11-23T09:00:00Z', ?)", (G, opener, thread, snapshot, number))
    async with db.transaction() as conn:
        assert await member_reach_out_threads(conn, G, MEMBER) == [
            (7001, "talking with a moderator (case #4)"), (7002, "Relay (case #5)")]
        assert await member_reach_out_threads(conn, G + 1, MEMBER) == []
