"""The coping tables in the personal-data registry: what each keeps about a member, and how it goes.

Anonymous strategies and wins store no author id, so they are nobody's personal data: a member's
export and erasure cannot find them (nothing links them to the member), and that is the point.

A member's named strategies and wins are also posts in their circle's channel. Erasing them drops
posts still waiting in the outbox (same transaction); posts already sent are found by
``member_posts`` (read before the rows go) so the privacy cog can delete them from Discord after
the erasure commits (``cogs/coping`` registers it with ``bot.privacy.posts``: bot.coping may not
import bot.privacy, and the core registry has no such hook).
"""

from __future__ import annotations

from bot.core.db import Conn, sql_max
from bot.core.personal_data import Erase, PersonalTable, delete_and_anonymise, register
from bot.delivery.housekeeping import keep_sent_kind
from bot.delivery.outbox import sent_channel_posts

# The outbox keys of a strategy's and a win's post ("coping:strategy:<id>", "coping:win:<id>").
POST_KEYS = {"coping_strategies": "coping:strategy:", "coping_wins": "coping:win:"}
# Their sent outbox rows are how the posts are found again (edited, deleted at erasure): kept past
# the daily clean-up.
keep_sent_kind("coping_strategy")
keep_sent_kind("coping_win")


async def member_posts(conn: Conn, guild_id: int, user_id: int) -> list[tuple[int, int]]:
    """(channel id, message id) of the posts of the member's named strategies and wins in this server."""
    posts: list[tuple[int, int]] = []
    for table, prefix in POST_KEYS.items():
        async with conn.execute(
            f"SELECT id FROM {table} WHERE guild_id = ? AND author_id = ? ORDER BY id", (guild_id, user_id),
        ) as cursor:
            keys = [f"{prefix}{int(r[0])}" for r in await cursor.fetchall()]
        posts += await sent_channel_posts(conn, guild_id, keys=keys)
    return posts


def _erase_posts(table: str, then: Erase) -> Erase:
    """Drop the member's posts still waiting in the outbox (never sent now), then erase the rows."""

    async def erase(conn: Conn, guild_id: int, user_id: int) -> int:
        await conn.execute(
            f"DELETE FROM outbox WHERE guild_id = ? AND state = 'pending' AND key IN"
            f" (SELECT ? || id FROM {table} WHERE guild_id = ? AND author_id = ?)",
            (guild_id, POST_KEYS[table], guild_id, user_id))
        return await then(conn, guild_id, user_id)

    return erase


def _erase_presses(table: str, parent: str, key: str, counter: str) -> Erase:
    """Delete a member's presses and take them off the counts shown to others."""

    async def erase(conn: Conn, guild_id: int, user_id: int) -> int:
        await conn.execute(
            f"UPDATE {parent} SET {counter} = {sql_max('0', f'{counter} - 1')} WHERE guild_id = ? AND id IN"
            f" (SELECT {key} FROM {table} WHERE guild_id = ? AND user_id = ?)", (guild_id, guild_id, user_id))
        cursor = await conn.execute(f"DELETE FROM {table} WHERE guild_id = ? AND user_id = ?", (guild_id, user_id))
        return cursor.rowcount

    return erase


register(PersonalTable(
    "coping_strategies", "coping",
    "strategies you shared under your name, and strategies you pinned or removed as a facilitator",
    "until you or a facilitator remove them (removed ones keep no text)", "members of the circle",
    ("author_id", "pinned_by", "removed_by"),
    erase=_erase_posts("coping_strategies",
                       delete_and_anonymise("coping_strategies", ("author_id",), ("pinned_by", "removed_by"))),
))
register(PersonalTable(
    "coping_helped", "coping", "strategies you said helped you too", "while the strategy is shared",
    "nobody (others see only the count)", ("user_id",),
    erase=_erase_presses("coping_helped", "coping_strategies", "strategy_id", "helped_count"),
))
register(PersonalTable(
    "coping_saved", "coping", "strategies you saved to your private list", "until you remove them",
    "nobody but you", ("user_id",),
))
register(PersonalTable(
    "coping_wins", "coping", "small wins you shared under your name, and whether you chose to be named in recaps",
    "while the circle exists", "members of the circle", ("author_id",),
    erase=_erase_posts("coping_wins", delete_and_anonymise("coping_wins", ("author_id",), ())),
))
register(PersonalTable(
    "coping_cheers", "coping", "wins you celebrated", "while the win is shown",
    "nobody (others see only the count)", ("user_id",),
    erase=_erase_presses("coping_cheers", "coping_wins", "win_id", "cheer_count"),
))
register(PersonalTable(
    "coping_resources", "coping", "resources you added as an organiser or facilitator", "until they are removed",
    "members of the server", ("added_by",),
    erase=delete_and_anonymise("coping_resources", (), ("added_by",)),
))
register(PersonalTable(
    "coping_audit", "coping", "pins, removals and resource changes you made as a facilitator or organiser",
    "while the server keeps the bot", "the server's organisers", ("actor_id",),
    erase=delete_and_anonymise("coping_audit", (), ("actor_id",)),
))
