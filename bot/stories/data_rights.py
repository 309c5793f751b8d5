"""The stories' tables in the personal-data registry, and the receipt lookup for /privacy export.

None of them holds an author's or supporter's user id (``story_audit`` holds moderators' ids for
their own actions): authors appear only as a keyed one-way hash whose secret
is outside the database, supporters as a keyed hash per story. The bot cannot list a member's
stories from the database alone; a member finds, checks, exports and retracts their own with the
receipt. ``stories_by_receipt`` (registered with ``register_receipt_lookup``) gives a member's
export the stories whose receipts they paste: the story itself and its support count, never the
keys, the receipt fingerprint or anything about other members.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.db import Conn
from bot.core.personal_data import (
    Expiry,
    PersonalTable,
    delete_and_anonymise,
    not_personal,
    register,
    register_expiry,
    register_id_text,
    register_receipt_lookup,
)
from bot.delivery.housekeeping import keep_sent_kind, register_prune
from bot.stories.keys import normalise_receipt, receipt_hash

# The review card in the moderators' queue is edited when a moderator decides: kept past the clean-up.
keep_sent_kind("story_review")

not_personal("story_settings", "a server's story settings (limits, review, delay); nothing about members")
not_personal("stories", "anonymous stories: no user id, the author only as a keyed one-way hash;"
             " a member retracts their own with the receipt")
not_personal("story_quota", "daily counts per keyed author hash, pruned after two days; no user id")
not_personal("story_blocks", "blocks by keyed author hash; moderators and the database never learn who")
not_personal("story_support", "support counts as keyed hashes per story; no supporter id in plain form")
# Moderators' and organisers' own actions (approve, decline, remove, block, settings) name them:
# their export lists them and their erasure keeps the record with the id set to 0 (as coping_audit).
# An author's own actions carry no actor (NULL), so nothing here links a story to its author.
register(PersonalTable(
    "story_audit", "stories", "what you did on stories as a moderator or organiser (approvals, declines,"
    " removals, blocks, settings)", "while the server keeps the bot", "the server's moderators and organisers",
    ("actor_id",),
    erase=delete_and_anonymise("story_audit", (), ("actor_id",)),
))
register_id_text("story_audit", "detail")

# Declined stories (their text is cleared at the decline) go, row and all, after the server's
# retention for declined stories, counted from the decline (its audit line; the story's own time
# for one declined before audit lines were kept).
register_expiry(Expiry(
    "stories", "retention_declined_stories_days",
    retention_where="state = 'declined' AND COALESCE((SELECT MAX(a.at) FROM story_audit a"
                    " WHERE a.guild_id = stories.guild_id AND a.story_id = stories.id AND a.action = 'declined'),"
                    " created_at) < :cutoff",
))



async def prune_gone_stories(conn: Conn, now: datetime) -> int:
    """What still names a story that is gone (declined and expired, retracted, removed): its audit
    lines (a decline's reason, the moderator's id) and its review card's outbox row."""
    del now  # nothing waits: the story itself has gone
    cursor = await conn.execute(
        "DELETE FROM story_audit WHERE NOT EXISTS (SELECT 1 FROM stories s"
        " WHERE s.guild_id = story_audit.guild_id AND s.id = story_audit.story_id)")
    audit = cursor.rowcount
    cursor = await conn.execute(
        "DELETE FROM outbox WHERE kind = 'story_review' AND state IN ('sent', 'failed') AND NOT EXISTS"
        " (SELECT 1 FROM stories s WHERE s.guild_id = outbox.guild_id"
        " AND outbox.key = 'story_review:' || s.guild_id || ':' || s.id)")
    return audit + cursor.rowcount


register_prune("gone_stories", prune_gone_stories)

_EXPORTED = ("number", "title", "content_warning", "body", "state", "decline_reason", "created_at", "published_at")


async def stories_by_receipt(conn: Conn, guild_id: int, receipts: list[str]) -> list[dict[str, Any]]:
    """The stories of this server whose receipts were pasted (malformed or unknown ones are skipped)."""
    hashes = sorted({receipt_hash(code) for code in map(normalise_receipt, receipts) if code is not None})
    if not hashes:
        return []
    marks = ", ".join("?" for _ in hashes)
    sql = (f"SELECT {', '.join('s.' + c for c in _EXPORTED)},"
           " (SELECT COUNT(*) FROM story_support p WHERE p.guild_id = s.guild_id AND p.story_id = s.id)"
           f" AS support_count FROM stories s WHERE s.guild_id = ? AND s.receipt_hash IN ({marks}) ORDER BY s.number")
    async with conn.execute(sql, (guild_id, *hashes)) as cursor:
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in await cursor.fetchall()]


register_receipt_lookup("stories", stories_by_receipt)
