"""A member's id written inside other text (a mention in a case's history, a key naming them) is
rewritten at their erasure, in every column declared with ``register_id_text``.

Only whole numbers are rewritten (not digits inside a longer number or a date), so the match is
made here with a regular expression over the rows SQL narrowed down with ``LIKE``.
"""

from __future__ import annotations

import re

from bot.core.db import Conn
from bot.core.personal_data import IdText, id_texts

FORMER_MEMBER = "a former member"


def _pattern(user_id: int) -> re.Pattern[str]:
    return re.compile(rf"(?<!\d){user_id}(?!\d)")


def _mention(user_id: int) -> re.Pattern[str]:
    return re.compile(rf"<@!?{user_id}>")


def rewrite_text(text: str, user_id: int) -> str:
    """``text`` with the member's mentions as "a former member" and any other mention of the id as 0."""
    return _pattern(user_id).sub("0", _mention(user_id).sub(FORMER_MEMBER, text))


def rewrite_key(key: str, user_id: int, row_id: int) -> str:
    """A key with the member's id replaced by ``erased<row id>``: unique still, naming nobody."""
    return _pattern(user_id).sub(f"erased{row_id}", key)


async def _scrub(conn: Conn, spec: IdText, guild_id: int, user_id: int) -> int:
    row_id = spec.unique_by or spec.row_id
    async with conn.execute(
        f"SELECT {row_id}, {spec.column} FROM {spec.table}"
        f" WHERE guild_id = ? AND {spec.column} IS NOT NULL AND {spec.column} LIKE '%' || ? || '%'",
        (guild_id, str(user_id)),
    ) as cursor:
        rows = [(r[0], str(r[1])) for r in await cursor.fetchall()]
    changed = 0
    for rid, text in rows:
        new = rewrite_key(text, user_id, int(rid)) if spec.unique_by else rewrite_text(text, user_id)
        if new != text:
            await conn.execute(f"UPDATE {spec.table} SET {spec.column} = ? WHERE guild_id = ? AND {row_id} = ?",
                               (new, guild_id, rid))
            changed += 1
    return changed


async def scrub_member_id(conn: Conn, guild_id: int, user_id: int) -> dict[str, int]:
    """Rewrite the member's id in every declared text column of this server; rows changed by table.column."""
    changed: dict[str, int] = {}
    for spec in id_texts():
        count = await _scrub(conn, spec, guild_id, user_id)
        if count:
            changed[f"{spec.table}.{spec.column}"] = count
    return changed
