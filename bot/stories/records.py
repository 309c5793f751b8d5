"""Story rows and their life: submitted (held for review, scheduled, or ready), published,
declined, removed, retracted. One transaction per step; nothing here stores a member id.

States: review -> ready | declined; scheduled -> ready (the delay's wake-up); ready ->
publishing -> published (the cog posts it, see cogs/stories/members.py); published -> removed.
A retraction deletes the row and everything hanging off it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.core.clock import Clock, iso_utc
from bot.core.db import Conn, Database, read_one
from bot.core.errors import UserFacingError
from bot.delivery import schedules
from bot.delivery.leases import Claim
from bot.delivery.outbox import cancel_pending, sent_message
from bot.delivery.recurrence import Recurrence
from bot.stories import wording
from bot.stories.drafts import Verdict
from bot.stories.keys import new_receipt, receipt_hash
from bot.stories.settings import StorySettings, take_number

PUBLISH_KIND = "story_publish"
# Review mode "new": besides every story by a member who joined in the last week, this share of
# everyone else's goes to review too, picked at random, so a story in the queue no longer says
# "someone who joined this week wrote this".
NEW_MODE_SAMPLE = 0.3
WAITING = ("review", "scheduled", "ready", "publishing")

_COLUMNS = (
    "id, guild_id, circle_id, number, author_key, title, content_warning, body, state, crisis, decline_reason,"
    " channel_id, thread_id, message_id, queue_message_id, publish_at, created_at, published_at, publish_problem"
)


@dataclass(frozen=True)
class Story:
    id: int
    guild_id: int
    circle_id: int
    number: int
    author_key: str
    title: str | None
    content_warning: str | None
    body: str | None
    state: str
    crisis: bool
    decline_reason: str | None
    channel_id: int | None
    thread_id: int | None
    message_id: int | None
    queue_message_id: int | None
    publish_at: str | None
    created_at: str
    published_at: str | None
    publish_problem: str | None = None  # why Discord refused the post for good (see refused())

    @property
    def pseudonym(self) -> str:
        return wording.PSEUDONYM.format(number=self.number)


def _story(row: Any) -> Story:
    values = list(row)
    values[9] = bool(values[9])
    return Story(*values)


def hour_of(when: datetime) -> datetime:
    return when.replace(minute=0, second=0, microsecond=0)


DELAY_SECONDS = (60, 600)


def random_delay(now: datetime, rng: random.Random | None = None) -> datetime:
    """1-10 minutes from now at random: when a delayed story (or its review card) goes out."""
    return now.replace(microsecond=0) + timedelta(seconds=(rng or random.SystemRandom()).randint(*DELAY_SECONDS))


async def _fetch(conn: Conn, sql: str, params: tuple[Any, ...]) -> Story | None:
    row = await read_one(conn, sql, params)
    return None if row is None else _story(row)


async def get_story(conn: Conn, guild_id: int, story_id: int) -> Story | None:
    return await _fetch(conn, f"SELECT {_COLUMNS} FROM stories WHERE guild_id = ? AND id = ?", (guild_id, story_id))


async def story_by_number(conn: Conn, guild_id: int, number: int) -> Story:
    story = await _fetch(conn, f"SELECT {_COLUMNS} FROM stories WHERE guild_id = ? AND number = ?", (guild_id, number))
    if story is None:
        raise UserFacingError(wording.NO_STORY.format(number=number))
    return story


def story_ref(story: Story) -> str:
    """How a story is named in custom_ids: its number in this server ("n12"), never the global id."""
    return f"n{story.number}"


async def story_by_ref(conn: Conn, guild_id: int, ref: str) -> Story | None:
    """The story a custom_id names: "n12" is story #12 of this server; plain digits are the global
    id that buttons posted before per-server numbers carry (kept so those buttons still work)."""
    if ref.startswith("n") and ref[1:].isascii() and ref[1:].isdecimal():
        return await _fetch(conn, f"SELECT {_COLUMNS} FROM stories WHERE guild_id = ? AND number = ?",
                            (guild_id, int(ref[1:])))
    if ref.isascii() and ref.isdecimal():
        return await get_story(conn, guild_id, int(ref))
    return None


async def story_by_receipt(conn: Conn, guild_id: int, receipt: str | None) -> Story:
    story = None if receipt is None else await _fetch(
        conn, f"SELECT {_COLUMNS} FROM stories WHERE guild_id = ? AND receipt_hash = ?",
        (guild_id, receipt_hash(receipt)))
    if story is None:
        raise UserFacingError(wording.BAD_RECEIPT)
    return story


async def story_by_thread(db: Database, guild_id: int, thread_id: int) -> Story | None:
    return await _fetch(db.reader, f"SELECT {_COLUMNS} FROM stories WHERE guild_id = ? AND thread_id = ?",
                        (guild_id, thread_id))


# What the author does (anonymously): its audit time is rounded to the hour like created_at, so
# the exact second can't tie a story to a member seen active at that moment.
AUTHOR_ACTIONS = frozenset({"submitted", "published", "retracted"})


async def audit(conn: Conn, clock: Clock, story: Story, action: str, *,
                actor_id: int | None = None, detail: str = "") -> None:
    now = clock.now()
    at = hour_of(now) if action in AUTHOR_ACTIONS else now
    await conn.execute(
        "INSERT INTO story_audit (guild_id, story_id, number, actor_id, action, detail, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (story.guild_id, story.id, story.number, actor_id, action, detail, iso_utc(at)),
    )


# -- limits and blocks ----------------------------------------------------------------------------

async def blocked_until(conn: Conn, clock: Clock, guild_id: int, key: str) -> str | None:
    sql = "SELECT until FROM story_blocks WHERE guild_id = ? AND author_key = ? AND until > ?"
    params = (guild_id, key, iso_utc(clock.now()))
    row = await read_one(conn, sql, params)
    return None if row is None else str(row[0])


async def shared_today(conn: Conn, clock: Clock, guild_id: int, key: str) -> int:
    sql = "SELECT shared FROM story_quota WHERE guild_id = ? AND author_key = ? AND day = ?"
    params = (guild_id, key, clock.now().date().isoformat())
    row = await read_one(conn, sql, params)
    return 0 if row is None else int(row[0])


async def require_may_share(conn: Conn, clock: Clock, settings: StorySettings,
                            key: str, member_key: str | None = None) -> None:
    """Refuse (UserFacingError) a blocked author or one over today's limit. ``member_key``
    (``keys.member_block_key``) also finds a block placed on the member from a case."""
    until = await blocked_until(conn, clock, settings.guild_id, key)
    if until is None and member_key is not None:
        until = await blocked_until(conn, clock, settings.guild_id, member_key)
    if until is not None:
        from bot.core.messages import timestamp
        raise UserFacingError(wording.BLOCKED.format(until=timestamp(until)))
    if await shared_today(conn, clock, settings.guild_id, key) >= settings.daily_limit:
        stories = "story" if settings.daily_limit == 1 else "stories"
        raise UserFacingError(wording.DAILY_LIMIT.format(limit=settings.daily_limit, stories=stories))


# -- submitting -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Submitted:
    story: Story
    receipt: str  # shown once to the author, never stored
    schedule: schedules.Schedule | None = None


async def submit(
    conn: Conn, clock: Clock, settings: StorySettings, *, circle_id: int, key: str,
    verdict: Verdict, new_member: bool, rng: random.Random | None = None, member_key: str | None = None,
) -> Submitted:
    """Store a story in the caller's transaction and decide its way: review, a delay, or ready now."""
    await require_may_share(conn, clock, settings, key, member_key)
    now = clock.now()
    day = now.date().isoformat()
    await conn.execute("DELETE FROM story_quota WHERE guild_id = ? AND day < ?",
                       (settings.guild_id, (now - timedelta(days=2)).date().isoformat()))
    await conn.execute(
        "INSERT INTO story_quota (guild_id, author_key, day, shared) VALUES (?, ?, ?, 1)"
        " ON CONFLICT (guild_id, author_key, day) DO UPDATE SET shared = story_quota.shared + 1",
        (settings.guild_id, key, day))
    rng = rng or random.SystemRandom()
    review = verdict.crisis == "crisis" or settings.review_mode == "all" or (
        settings.review_mode == "new" and (new_member or rng.random() < NEW_MODE_SAMPLE))
    state = "review" if review else ("scheduled" if settings.delay else "ready")
    publish_at = None
    if state == "scheduled":
        publish_at = random_delay(now, rng)
    number = await take_number(conn, clock, settings.guild_id)
    receipt = new_receipt()
    cursor = await conn.execute(
        "INSERT INTO stories (guild_id, circle_id, number, author_key, receipt_hash, title, content_warning, body,"
        " state, crisis, publish_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (settings.guild_id, circle_id, number, key, receipt_hash(receipt), verdict.title or None,
         verdict.content_warning or None, verdict.body, state, int(verdict.crisis == "crisis"),
         None if publish_at is None else iso_utc(publish_at), iso_utc(hour_of(now))),
    )
    story = await get_story(conn, settings.guild_id, int(cursor.lastrowid or 0))
    assert story is not None
    await audit(conn, clock, story, "submitted", detail=state)
    schedule = None
    if publish_at is not None:
        schedule = await schedules.create(conn, now, guild_id=settings.guild_id, kind=PUBLISH_KIND,
                                          owner_id=story.id, rule=Recurrence.once(publish_at),
                                          created_at=hour_of(now))
    return Submitted(story, receipt, schedule)


def review_key(guild_id: int, story_id: int) -> str:
    """The outbox key of a story's review card in the moderators' queue."""
    return f"story_review:{guild_id}:{story_id}"


async def withdraw_review_card(conn: Conn, guild_id: int, story_id: int) -> tuple[int, int] | None:
    """A retracted story's review card: an unsent one is dropped from the outbox; a sent one is
    returned as (channel id, message id) for the cog to delete."""
    key = review_key(guild_id, story_id)
    await cancel_pending(conn, guild_id, key)
    return await sent_message(conn, guild_id, key)


# -- review ---------------------------------------------------------------------------------------

async def approve(conn: Conn, clock: Clock, settings: StorySettings, story_id: int,
                  moderator_id: int, rng: random.Random | None = None) -> tuple[Story, schedules.Schedule | None]:
    story = await get_story(conn, settings.guild_id, story_id)
    if story is None:
        raise UserFacingError(wording.ALREADY_HANDLED.format(state="retracted by its author"))
    if story.state != "review":
        raise UserFacingError(wording.ALREADY_HANDLED.format(state=story.state))
    if story.crisis:
        # Held for crisis language: never published by one click; the moderator may decline it.
        raise UserFacingError(wording.CRISIS_HELD_NO_APPROVE)
    now = clock.now()
    schedule = None
    if settings.delay:
        publish_at = random_delay(now, rng)
        await conn.execute("UPDATE stories SET state = 'scheduled', publish_at = ? WHERE guild_id = ? AND id = ?",
                           (iso_utc(publish_at), story.guild_id, story.id))
        schedule = await schedules.create(conn, now, guild_id=story.guild_id, kind=PUBLISH_KIND, owner_id=story.id,
                                          rule=Recurrence.once(publish_at), created_at=hour_of(now))
    else:
        await conn.execute("UPDATE stories SET state = 'ready' WHERE guild_id = ? AND id = ?",
                           (story.guild_id, story.id))
    await audit(conn, clock, story, "approved", actor_id=moderator_id)
    return story, schedule


async def decline(conn: Conn, clock: Clock, guild_id: int, story_id: int, moderator_id: int,
                  reason: str) -> Story:
    story = await get_story(conn, guild_id, story_id)
    if story is None:
        raise UserFacingError(wording.ALREADY_HANDLED.format(state="retracted by its author"))
    if story.state != "review":
        raise UserFacingError(wording.ALREADY_HANDLED.format(state=story.state))
    await conn.execute(
        "UPDATE stories SET state = 'declined', decline_reason = ?, body = NULL, title = NULL,"
        " content_warning = NULL WHERE guild_id = ? AND id = ?", (reason, guild_id, story.id))
    await audit(conn, clock, story, "declined", actor_id=moderator_id, detail=reason)
    return story


# -- publishing -----------------------------------------------------------------------------------

async def due_to_publish(conn: Conn, guild_id: int, story_id: int) -> bool:
    """The delay's wake-up: a scheduled story becomes ready (in the scheduler's transaction), and
    its spent schedule goes (a row kept would record when the story was shared)."""
    cursor = await conn.execute(
        "UPDATE stories SET state = 'ready' WHERE guild_id = ? AND id = ? AND state = 'scheduled'",
        (guild_id, story_id))
    await schedules.delete_for_owner(conn, guild_id, PUBLISH_KIND, story_id)
    return cursor.rowcount == 1


async def claim_ready(db: Database, claim: Claim, guild_ids: set[int] | None = None) -> Story | None:
    """Mark the oldest ready story 'publishing' under this process's lease and return it (None when
    nothing is ready)."""
    async with db.transaction() as conn:
        async with conn.execute(
            "SELECT id, guild_id FROM stories WHERE state = 'ready' AND publish_problem IS NULL"
            " ORDER BY id LIMIT 50" + db.skip_locked) as cursor:
            rows = await cursor.fetchall()
        for row in rows:
            if guild_ids is not None and row[1] not in guild_ids:
                continue
            await conn.execute(
                f"UPDATE stories SET state = 'publishing', {claim.SET}"
                " WHERE guild_id = ? AND id = ? AND state = 'ready'",
                (*claim.params, row[1], row[0]))
            return await get_story(conn, int(row[1]), int(row[0]))
    return None


async def published(db: Database, clock: Clock, story: Story, *, channel_id: int, thread_id: int,
                    message_id: int | None) -> bool:
    """Record the post; False when the story is no longer being published (its author retracted it
    meanwhile): the caller then deletes the post it just made."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "UPDATE stories SET state = 'published', channel_id = ?, thread_id = ?, message_id = ?, body = NULL,"
            " publish_at = NULL,"  # the random instant it went out, to the second: not kept
            " published_at = ? WHERE guild_id = ? AND id = ? AND state = 'publishing'",
            (channel_id, thread_id, message_id, iso_utc(hour_of(clock.now())), story.guild_id, story.id))
        if cursor.rowcount != 1:
            return False
        await audit(conn, clock, story, "published")
    return True


async def record_starter(db: Database, story: Story, *, channel_id: int, message_id: int) -> None:
    """A text-channel post's starter message, recorded before its thread is made: a retry reuses
    it and a retraction deletes it, so a refused thread never leaves a second copy behind."""
    await db.execute(
        "UPDATE stories SET channel_id = ?, message_id = ? WHERE guild_id = ? AND id = ? AND state = 'publishing'",
        (channel_id, message_id, story.guild_id, story.id))


async def refused(conn: Conn, story: Story, problem: str, *, starter_kept: bool) -> int:
    """Discord refused the post for good (a permission, a channel gone): the story waits, 'ready'
    with its problem, and is not tried again until a moderator runs /story-admin retry.
    ``starter_kept``: a starter message could not be deleted, so its id stays for a retraction.
    Returns how many retries moderators asked for (it names the problem notice), read in the same
    transaction as the refusal, so the notice is queued with it or not at all."""
    await conn.execute(
        "UPDATE stories SET state = 'ready', publish_problem = ?,"
        " message_id = CASE WHEN ? THEN message_id ELSE NULL END,"
        " channel_id = CASE WHEN ? THEN channel_id ELSE NULL END"
        " WHERE guild_id = ? AND id = ? AND state = 'publishing'",
        (problem, int(starter_kept), int(starter_kept), story.guild_id, story.id))
    row = await read_one(conn, "SELECT count(*) FROM story_audit WHERE guild_id = ? AND story_id = ?"
                               " AND action = 'retried'", (story.guild_id, story.id))
    return int(row[0]) if row is not None else 0


async def retry(conn: Conn, clock: Clock, guild_id: int, number: int, moderator_id: int) -> Story:
    """A moderator fixed what refused the post: publish the story again."""
    story = await story_by_number(conn, guild_id, number)
    if story.state != "ready" or story.publish_problem is None:
        raise UserFacingError(wording.NOTHING_TO_RETRY.format(pseudonym=story.pseudonym))
    await conn.execute("UPDATE stories SET publish_problem = NULL WHERE guild_id = ? AND id = ?",
                       (guild_id, story.id))
    await audit(conn, clock, story, "retried", actor_id=moderator_id)
    return story


async def back_to_ready(db: Database, guild_id: int, story_id: int) -> None:
    await db.execute("UPDATE stories SET state = 'ready' WHERE guild_id = ? AND id = ? AND state = 'publishing'",
                     (guild_id, story_id))


async def any_keyed_rows(db: Database) -> bool:
    """At start: does any server hold stories or blocks, which only the anonymity key can match to
    an author? Then a missing key must stop the bot rather than be replaced by a new one."""
    return bool(await db.fetchval(
        "SELECT CASE WHEN EXISTS (SELECT 1 FROM stories) OR EXISTS (SELECT 1 FROM story_blocks) THEN 1 ELSE 0 END"))


# -- retracting -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Retracted:
    story: Story
    review_card: tuple[int, int] | None  # (channel id, message id) of a sent review card to delete


async def retract(conn: Conn, clock: Clock, guild_id: int, receipt: str | None) -> Retracted:
    """Delete the story with this receipt and everything about it (the cog deletes the post and
    any review card already sent). The state is read in this transaction: a story being published
    this moment is refused (try again), so the publisher can't post one that is gone."""
    story = await story_by_receipt(conn, guild_id, receipt)
    if story.state == "publishing":
        raise UserFacingError(wording.BEING_PUBLISHED)
    card = await withdraw_review_card(conn, guild_id, story.id) if story.state == "review" else None
    await conn.execute("DELETE FROM story_support WHERE guild_id = ? AND story_id = ?", (guild_id, story.id))
    await conn.execute("DELETE FROM stories WHERE guild_id = ? AND id = ?", (guild_id, story.id))
    await schedules.delete_for_owner(conn, guild_id, PUBLISH_KIND, story.id)
    await audit(conn, clock, story, "retracted")
    return Retracted(story, card)
