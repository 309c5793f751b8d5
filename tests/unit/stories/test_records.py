"""Story rows: submitting (review, delay, ready), limits and blocks by the one-way key, review,
publishing, retracting, support; always within one server."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest

from bot.core import anonymity
from bot.core.clock import FakeClock
from bot.core.db import Database
from bot.core.errors import UserFacingError
from bot.delivery.leases import Claim
from bot.stories import records
from bot.stories.drafts import Verdict
from bot.stories.keys import author_key
from bot.stories.moderation import block_author_of_story, remove_story, unblock_author_of_story
from bot.stories.settings import StorySettings, get_story_settings, save_story_settings
from bot.stories.support import add_support, support_count

GUILD, OTHER, USER = 100, 200, 1577722604393857059
CLAIM = Claim("single", "2099-01-01T00:00:00Z")
VERDICT = Verdict("A story long enough to share here.", "", "", "none", (), False)


@pytest.fixture(autouse=True)
def _key(tmp_path: Path) -> None:
    anonymity.install(anonymity.load_key(tmp_path / "key", env={}))


async def submit(db: Database, clock: FakeClock, settings: StorySettings | None = None, *, user: int = USER,
                 verdict: Verdict = VERDICT, new_member: bool = False) -> records.Submitted:
    settings = settings or StorySettings(GUILD, delay=False)
    async with db.transaction() as conn:
        return await records.submit(conn, clock, settings, circle_id=1, key=author_key(settings.guild_id, user),
                                    verdict=verdict, new_member=new_member, rng=random.Random(1))


async def test_a_story_is_numbered_per_server_and_stores_no_member_id(db: Database, clock: FakeClock) -> None:
    first = await submit(db, clock)
    second = await submit(db, clock, user=8)
    elsewhere = await submit(db, clock, StorySettings(OTHER, delay=False))
    assert (first.story.number, second.story.number, elsewhere.story.number) == (1, 2, 1)
    assert first.story.state == "ready" and first.story.author_key == author_key(GUILD, USER)
    assert first.story.author_key != elsewhere.story.author_key, "keys differ between servers"
    row = await db.fetchone("SELECT * FROM stories WHERE id = ?", (first.story.id,))
    assert USER not in tuple(row) and str(USER) not in "".join(str(v) for v in tuple(row) if isinstance(v, str))
    assert first.story.created_at.endswith(":00:00Z"), "the time is rounded to the hour"


async def test_review_modes_and_crisis_hold_the_story(db: Database, clock: FakeClock) -> None:
    assert (await submit(db, clock, StorySettings(GUILD, delay=False, review_mode="all"))).story.state == "review"
    new_mode = StorySettings(GUILD, delay=False, review_mode="new")
    assert (await submit(db, clock, new_mode, new_member=True)).story.state == "review"
    crisis = Verdict("text", "", "", "crisis", (), False)
    held = await submit(db, clock, StorySettings(GUILD, delay=False, daily_limit=9), user=10, verdict=crisis)
    assert held.story.state == "review" and held.story.crisis


async def test_the_delay_schedules_publication_by_story_id_between_1_and_10_minutes(
        db: Database, clock: FakeClock) -> None:
    done = await submit(db, clock, StorySettings(GUILD, delay=True))
    assert done.story.state == "scheduled" and done.schedule is not None
    assert done.schedule.owner_id == done.story.id and done.schedule.payload == {}
    assert done.schedule.next_fire_at is not None
    assert timedelta(minutes=1) <= done.schedule.next_fire_at - clock.now() <= timedelta(minutes=10)
    async with db.transaction() as conn:
        assert await records.due_to_publish(conn, GUILD, done.story.id)
        assert not await records.due_to_publish(conn, GUILD, done.story.id), "once"
    claimed = await records.claim_ready(db, CLAIM)
    assert claimed is not None and claimed.state == "publishing"
    assert await records.claim_ready(db, CLAIM) is None


async def test_the_daily_limit_counts_by_key_and_survives_a_retraction(db: Database, clock: FakeClock) -> None:
    settings = StorySettings(GUILD, delay=False, daily_limit=2)
    await submit(db, clock, settings)
    second = await submit(db, clock, settings)
    async with db.transaction() as conn:
        await records.retract(conn, clock, GUILD, second.receipt)
    with pytest.raises(UserFacingError, match="daily limit"):
        await submit(db, clock, settings)
    await submit(db, clock, settings, user=8)  # someone else is not limited
    clock.advance(days=1)
    await submit(db, clock, settings)


async def test_blocks_reach_the_author_through_the_key_only(db: Database, clock: FakeClock) -> None:
    done = await submit(db, clock)
    async with db.transaction() as conn:
        _, until = await block_author_of_story(conn, clock, guild_id=GUILD, number=done.story.number, days=3,
                                               moderator_id=55, reason="insults")
    assert until > clock.now().isoformat()[:10]
    with pytest.raises(UserFacingError, match="paused for you"):
        await submit(db, clock)
    await submit(db, clock, user=8)
    async with db.transaction() as conn:
        with pytest.raises(UserFacingError):
            await block_author_of_story(conn, clock, guild_id=OTHER, number=done.story.number, days=3, moderator_id=55)
    clock.advance(days=3, seconds=1)
    await submit(db, clock)
    async with db.transaction() as conn:
        await block_author_of_story(conn, clock, guild_id=GUILD, number=1, days=1, moderator_id=55)
        _, was = await unblock_author_of_story(conn, clock, guild_id=GUILD, number=1, moderator_id=55)
    assert was
    await submit(db, clock)
    blocks = await db.fetchall("SELECT * FROM story_blocks")
    assert blocks == [] or all(USER not in tuple(b) for b in blocks)


async def test_review_decisions_happen_once(db: Database, clock: FakeClock) -> None:
    settings = StorySettings(GUILD, delay=False, review_mode="all")
    done = await submit(db, clock, settings)
    async with db.transaction() as conn:
        _, schedule = await records.approve(conn, clock, settings, done.story.id, 55)
    assert schedule is None
    async with db.transaction() as conn:
        with pytest.raises(UserFacingError, match="already handled"):
            await records.decline(conn, clock, GUILD, done.story.id, 55, "no")
    other = await submit(db, clock, settings, user=8)
    async with db.transaction() as conn:
        await records.decline(conn, clock, GUILD, other.story.id, 55, "Names a person")
    declined = await records.story_by_receipt(db.reader, GUILD, other.receipt)
    assert declined.state == "declined" and declined.body is None and declined.decline_reason == "Names a person"
    with pytest.raises(UserFacingError):
        await records.story_by_receipt(db.reader, OTHER, other.receipt)


async def test_publishing_retracting_and_removing(db: Database, clock: FakeClock) -> None:
    done = await submit(db, clock)
    claimed = await records.claim_ready(db, CLAIM)
    assert claimed is not None
    await records.published(db, clock, claimed, channel_id=5, thread_id=6, message_id=None)
    story = await records.story_by_thread(db, GUILD, 6)
    assert story is not None and story.state == "published" and story.body is None, "the text lives in Discord"
    async with db.transaction() as conn:
        assert await add_support(conn, GUILD, story.id, 8)
        assert not await add_support(conn, GUILD, story.id, 8)
        assert await add_support(conn, GUILD, story.id, 9)
    assert await support_count(db.reader, GUILD, story.id) == 2
    async with db.transaction() as conn:
        await records.retract(conn, clock, GUILD, done.receipt)
    assert await db.fetchval("SELECT count(*) FROM stories") == 0
    assert await db.fetchval("SELECT count(*) FROM story_support") == 0
    again = await submit(db, clock, user=8)
    async with db.transaction() as conn:
        removed = await remove_story(conn, clock, GUILD, again.story.number, 55, "private detail")
        with pytest.raises(UserFacingError):
            await remove_story(conn, clock, GUILD, again.story.number, 55, "again")
    assert removed.number == again.story.number
    after = await records.story_by_receipt(db.reader, GUILD, again.receipt)
    assert after.state == "removed" and after.body is None


async def test_settings_are_validated_stored_and_audited(db: Database, clock: FakeClock) -> None:
    assert await get_story_settings(db, GUILD) == StorySettings(GUILD)
    await save_story_settings(db, clock, StorySettings(GUILD, 5, 50, "new", True), actor_id=55)
    assert await get_story_settings(db, GUILD) == StorySettings(GUILD, 5, 50, "new", True)
    assert await get_story_settings(db, OTHER) == StorySettings(OTHER)
    with pytest.raises(UserFacingError):
        await save_story_settings(db, clock, StorySettings(GUILD, delay=False, review_mode="some"))
    assert await db.fetchval("SELECT actor_id FROM story_audit WHERE action = 'settings'") == 55


async def test_a_story_held_for_crisis_language_cannot_be_approved(db: Database, clock: FakeClock) -> None:
    settings = StorySettings(GUILD, delay=False)
    held = await submit(db, clock, settings, verdict=Verdict(VERDICT.body, "", "", "crisis", (), False))
    assert held.story.state == "review" and held.story.crisis
    async with db.transaction() as conn:
        with pytest.raises(UserFacingError, match="crisis language"):
            await records.approve(conn, clock, settings, held.story.id, 55)
    async with db.transaction() as conn:
        await records.decline(conn, clock, GUILD, held.story.id, 55, "not now")
    assert (await records.story_by_receipt(db.reader, GUILD, held.receipt)).state == "declined"


async def test_retracting_while_publishing_is_refused_and_a_post_for_a_retracted_story_is_reported(
        db: Database, clock: FakeClock) -> None:
    done = await submit(db, clock)
    claimed = await records.claim_ready(db, CLAIM)
    assert claimed is not None and claimed.state == "publishing"
    async with db.transaction() as conn:
        with pytest.raises(UserFacingError, match="being published"):
            await records.retract(conn, clock, GUILD, done.receipt)
    assert await db.fetchval("SELECT state FROM stories") == "publishing", "nothing changed"

    # Retracted between being claimed and being recorded (the state read before the claim):
    await db.execute("UPDATE stories SET state = 'ready' WHERE guild_id = ?", (GUILD,))
    async with db.transaction() as conn:
        await records.retract(conn, clock, GUILD, done.receipt)
    assert not await records.published(db, clock, claimed, channel_id=5, thread_id=6, message_id=None), \
        "the caller learns the story is gone and deletes its post"
    assert await db.fetchval("SELECT count(*) FROM story_audit WHERE action = 'published'") == 0


async def test_the_author_s_audit_rows_are_rounded_to_the_hour_and_moderators_are_not(
        db: Database, clock: FakeClock) -> None:
    clock.set(clock.now().replace(minute=37, second=12))
    settings = StorySettings(GUILD, delay=False, review_mode="all")
    done = await submit(db, clock, settings)
    async with db.transaction() as conn:
        await records.approve(conn, clock, settings, done.story.id, 55)
    claimed = await records.claim_ready(db, CLAIM)
    assert claimed is not None
    assert await records.published(db, clock, claimed, channel_id=5, thread_id=6, message_id=None)
    async with db.transaction() as conn:
        await records.retract(conn, clock, GUILD, done.receipt)
    times = dict(await db.fetchall("SELECT action, at FROM story_audit WHERE guild_id = ?", (GUILD,)))
    for action in ("submitted", "published", "retracted"):
        assert times[action].endswith(":00:00Z"), (action, times[action])
    assert times["approved"].endswith(":37:12Z"), "a moderator's action keeps its time"


class FixedDraw(random.Random):
    """A Random whose random() always returns ``value``: the review sample, decided by the test."""

    def __init__(self, value: float) -> None:
        super().__init__(0)
        self.value = value

    def random(self) -> float:
        return self.value


async def test_review_new_also_takes_a_random_share_of_other_members_stories(db: Database, clock: FakeClock) -> None:
    settings = StorySettings(GUILD, delay=False, review_mode="new", daily_limit=9)
    async with db.transaction() as conn:
        picked = await records.submit(conn, clock, settings, circle_id=1, key=author_key(GUILD, 9), verdict=VERDICT,
                                      new_member=False, rng=FixedDraw(records.NEW_MODE_SAMPLE - 0.01))
        passed = await records.submit(conn, clock, settings, circle_id=1, key=author_key(GUILD, 9), verdict=VERDICT,
                                      new_member=False, rng=FixedDraw(records.NEW_MODE_SAMPLE))
        newcomer = await records.submit(conn, clock, settings, circle_id=1, key=author_key(GUILD, 8),
                                        verdict=VERDICT, new_member=True, rng=FixedDraw(0.99))
    assert (picked.story.state, passed.story.state, newcomer.story.state) == ("review", "ready", "review")
