"""Issue 25: the daily clean-up deletes spent outbox rows and spent one-off schedules after their
documented periods (and cases' screened message ids after a day), and keeps everything else."""

from __future__ import annotations

from datetime import timedelta

from bot.core.clock import FakeClock, iso_utc
from bot.core.db import Database
from bot.delivery import housekeeping, schedules
from bot.delivery.recurrence import Recurrence
from tests.unit.privacy.test_schema_classification import _import_every_bot_package

G = 5


async def _outbox(db: Database, key: str, kind: str, state: str, at: str) -> None:
    await db.execute(
        "INSERT INTO outbox (key, guild_id, kind, target_kind, target_id, payload, state, next_attempt_at, created_at,"
        " sent_at, message_id) VALUES (?, ?, ?, 'dm', 77, ?, ?, ?, ?, ?, ?)",
        (key, G, kind, '{"content": "x"}' if state == "pending" else None, state, at, at,
         at if state == "sent" else None, 900 if state == "sent" else None))


async def test_outbox_rows_go_after_thirty_days_except_pending_and_kept_kinds(db: Database, clock: FakeClock) -> None:
    _import_every_bot_package()
    now = clock.now()
    old, recent = iso_utc(now - timedelta(days=31)), iso_utc(now - timedelta(days=29))
    await _outbox(db, "card-old", "case_card_crisis", "sent", old)
    await _outbox(db, "failed-old", "checkins.reminder", "failed", old)
    await _outbox(db, "card-recent", "case_card_crisis", "sent", recent)
    await _outbox(db, "pending-old", "goal_ping", "pending", old)
    await db.execute("INSERT INTO cases (id, guild_id, number, kind, urgency, source, created_at, updated_at)"
                     " VALUES (7, ?, 1, 'help', 'normal', 'chat', ?, ?)", (G, old, old))
    await _outbox(db, "case:7:queue", "case_queue", "sent", old)  # the queue card is edited while the case is
    await _outbox(db, "strategy-old", "coping_strategy", "sent", old)  # found again at erasure
    async with db.transaction() as conn:
        deleted = await housekeeping.prune_all(conn, now)
    assert deleted["outbox"] == 2
    left = {r[0] for r in await db.fetchall("SELECT key FROM outbox")}
    assert left == {"card-recent", "pending-old", "case:7:queue", "strategy-old"}


async def test_spent_one_off_schedules_go_a_day_after_they_fired(db: Database, clock: FakeClock) -> None:
    now = clock.now()
    async with db.transaction() as conn:
        fired = await schedules.create(conn, now - timedelta(days=3), guild_id=G, kind="t_once", owner_id=1,
                                       rule=Recurrence.once(now - timedelta(days=2)))
        waiting = await schedules.create(conn, now, guild_id=G, kind="t_once", owner_id=2,
                                         rule=Recurrence.once(now + timedelta(days=2)))
        daily = await schedules.create(conn, now - timedelta(days=3), guild_id=G, kind="t_daily", owner_id=3,
                                       rule=Recurrence.daily(now.time(), "UTC", start=now.date()))
    spent_at = iso_utc(now - timedelta(days=2))
    await db.execute("UPDATE schedules SET next_fire_at = NULL, updated_at = ? WHERE id = ?", (spent_at, fired.id))
    just_spent = waiting.id
    await db.execute("UPDATE schedules SET next_fire_at = NULL, updated_at = ? WHERE id = ?",
                     (iso_utc(now - timedelta(hours=2)), just_spent))
    await db.execute("INSERT INTO schedule_occurrences (schedule_id, occurrence_key, guild_id, kind, scheduled_at,"
                     " outcome, recorded_at) VALUES (?, 'k', ?, 't_once', ?, 'late', ?)",
                     (fired.id, G, spent_at, spent_at))
    async with db.transaction() as conn:
        deleted = await housekeeping.prune_all(conn, now)
    assert deleted["spent_schedules"] == 1
    assert {r[0] for r in await db.fetchall("SELECT id FROM schedules")} == {just_spent, daily.id}
    assert await db.fetchval("SELECT COUNT(*) FROM schedule_occurrences") == 0


async def test_screened_message_ids_are_kept_a_day(db: Database, clock: FakeClock) -> None:
    _import_every_bot_package()
    now = clock.now()
    for message_id, age in ((1, timedelta(hours=25)), (2, timedelta(hours=23))):
        await db.execute("INSERT INTO case_screened_messages (guild_id, message_id, tier, screened_at)"
                         " VALUES (?, ?, 'crisis', ?)", (G, message_id, iso_utc(now - age)))
    async with db.transaction() as conn:
        deleted = await housekeeping.prune_all(conn, now)
    assert deleted["case_screened_messages"] == 1
    assert [r[0] for r in await db.fetchall("SELECT message_id FROM case_screened_messages")] == [2]


async def test_kept_case_posts_go_once_their_case_has_gone(db: Database, clock: FakeClock) -> None:
    """A case's queue card and action DMs are kept while the case is (the bot edits them), then go."""
    _import_every_bot_package()
    now = clock.now()
    old = iso_utc(now - timedelta(days=400))
    await db.execute("INSERT INTO cases (id, guild_id, number, kind, urgency, source, created_at, updated_at)"
                     " VALUES (7, ?, 1, 'help', 'normal', 'chat', ?, ?)", (G, old, old))
    await _outbox(db, "case:7:queue", "case_queue", "sent", old)
    await _outbox(db, "case:7:action:3", "case_action_dm", "sent", old)
    await _outbox(db, "case:70:action:4", "case_action_dm", "sent", old)  # case 70 has gone (retention)
    await _outbox(db, "case:71:relay", "case_relay", "sent", iso_utc(now - timedelta(days=2)))  # too recent
    async with db.transaction() as conn:
        deleted = await housekeeping.prune_all(conn, now)
    assert deleted.get("case_posts") == 1
    left = {r[0] for r in await db.fetchall("SELECT key FROM outbox")}
    assert left == {"case:7:queue", "case:7:action:3", "case:71:relay"}


async def test_a_gone_storys_audit_lines_and_review_card_go(db: Database, clock: FakeClock) -> None:
    """Declined and expired, retracted or removed: nothing keeps naming the story (a decline's reason,
    the moderator's id, its review card's row)."""
    _import_every_bot_package()
    now = clock.now()
    at = iso_utc(now - timedelta(days=40))
    await db.execute("INSERT INTO stories (id, guild_id, circle_id, number, author_key, receipt_hash, state,"
                     " created_at) VALUES (1, ?, 1, 1, 'k', 'r1', 'published', ?)", (G, at))
    for story_id, action in ((1, "published"), (2, "declined")):
        await db.execute("INSERT INTO story_audit (guild_id, story_id, number, actor_id, action, detail, at)"
                         " VALUES (?, ?, ?, 99, ?, 'reason', ?)", (G, story_id, story_id, action, at))
    await _outbox(db, f"story_review:{G}:1", "story_review", "sent", at)
    await _outbox(db, f"story_review:{G}:2", "story_review", "sent", at)
    async with db.transaction() as conn:
        deleted = await housekeeping.prune_all(conn, now)
    assert deleted.get("gone_stories") == 2
    assert [r[0] for r in await db.fetchall("SELECT story_id FROM story_audit")] == [1]
    assert {r[0] for r in await db.fetchall("SELECT key FROM outbox")} == {f"story_review:{G}:1"}
