"""The coping tables in the personal-data registry: what each keeps about a member, and how it goes.

Anonymous strategies and wins store no author id, so they are nobody's personal data: a member's
export and erasure cannot find them (nothing links them to the member), and that is the point.
"""

from __future__ import annotations

import aiosqlite

from bot.core.personal_data import Erase, PersonalTable, delete_and_anonymise, register


def _erase_presses(table: str, parent: str, key: str, counter: str) -> Erase:
    """Delete a member's presses and take them off the counts shown to others."""

    async def erase(conn: aiosqlite.Connection, guild_id: int, user_id: int) -> int:
        await conn.execute(
            f"UPDATE {parent} SET {counter} = MAX(0, {counter} - 1) WHERE guild_id = ? AND id IN"
            f" (SELECT {key} FROM {table} WHERE guild_id = ? AND user_id = ?)", (guild_id, guild_id, user_id))
        cursor = await conn.execute(f"DELETE FROM {table} WHERE guild_id = ? AND user_id = ?", (guild_id, user_id))
        return cursor.rowcount

    return erase


register(PersonalTable(
    "coping_strategies", "coping",
    "strategies you shared under your name, and strategies you pinned or removed as a facilitator",
    "until you or a facilitator remove them (removed ones keep no text)", "members of the circle",
    ("author_id", "pinned_by", "removed_by"),
    erase=delete_and_anonymise("coping_strategies", ("author_id",), ("pinned_by", "removed_by")),
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
