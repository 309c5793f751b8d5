"""A member's erasure (``/privacy delete``): every declared table, in one transaction.

Each table's declared erasure runs (delete by default; anonymise where a record must stay, such
as consent history's own rule or a case about conduct), the member's own schedules of every
member-owned kind are cancelled, their id is rewritten wherever it is written inside other text
(``bot.privacy.id_text``), and the Discord roles their rows granted, the posts that carry their
words and the threads titled with their name (``bot.privacy.posts``) are returned so the cog can
take them away (rename the threads) after the commit.
Foreign keys are checked at the commit, so the order of tables does not matter. After the commit
the write-ahead log is checkpointed (``Database.checkpoint``) so the erased words and ids are in
no file of the database.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bot.core.db import Database
from bot.core.personal_data import member_schedule_kinds, personal_tables
from bot.delivery.schedules import delete_for_owner
from bot.privacy.id_text import scrub_member_id
from bot.privacy.posts import member_posts, member_threads

log = logging.getLogger(__name__)


@dataclass
class Erasure:
    guild_id: int
    user_id: int
    rows: dict[str, int] = field(default_factory=dict)  # changed rows by table
    schedules: int = 0
    roles: set[int] = field(default_factory=set)  # Discord roles to take away
    posts: list[tuple[int, int]] = field(default_factory=list)  # (channel id, message id) to delete
    threads: dict[int, str] = field(default_factory=dict)  # thread id -> a name that names nobody

    @property
    def total(self) -> int:
        return sum(self.rows.values()) + self.schedules


async def erase_member(db: Database, guild_id: int, user_id: int) -> Erasure:
    result = Erasure(guild_id, user_id)
    async with db.transaction() as conn:
        await conn.execute("PRAGMA defer_foreign_keys = ON")
        tables = personal_tables()
        for table in tables:
            result.roles |= await table.granted_roles(conn, guild_id, user_id)
        result.posts = await member_posts(conn, guild_id, user_id)  # before the rows that link them go
        result.threads = await member_threads(conn, guild_id, user_id)
        for table in tables:
            changed = await table.erase_rows(conn, guild_id, user_id)
            if changed:
                result.rows[table.table] = changed
        for kind in member_schedule_kinds():
            result.schedules += await delete_for_owner(conn, guild_id, kind, user_id)
        # Last: the id written inside other people's rows (mentions in case histories, keys).
        for name, count in (await scrub_member_id(conn, guild_id, user_id)).items():
            result.rows[name] = count
    # The rows are gone; the write-ahead log still holds them until it is copied back and emptied.
    await db.checkpoint()
    # Ids and counts only: never which circles or what the rows said.
    log.info("member data erased guild_id=%s tables=%d rows=%d schedules=%d posts=%d threads=%d", guild_id,
             len(result.rows), sum(result.rows.values()), result.schedules, len(result.posts), len(result.threads))
    return result
