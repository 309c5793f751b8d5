"""Crisis language in a strategy or win: never posted; an urgent case for the moderators.

The member's private crisis card is the cog's job (it answers the interaction); this opens the
case in the caller's transaction through the ``CaseOpener`` the cog passes in. For an anonymous
post the case names nobody (subject_user_id NULL): identity is revealed only by the member's choice.
"""

from __future__ import annotations

import aiosqlite

from bot.coping.vetting import CaseOpener
from bot.core.clock import Clock


async def open_crisis_case(conn: aiosqlite.Connection, clock: Clock, open_case: CaseOpener, *, guild_id: int,
                           circle_id: int, source: str, author_id: int | None, text: str) -> int:
    what = "coping strategy" if source == "strategy" else "small win"
    opened = await open_case(
        conn, clock, guild_id=guild_id, kind="crisis", urgency="urgent", source=source,
        subject_user_id=author_id,
        summary=f"Crisis language in a {what} (not posted; the member was shown the crisis card privately)"
                + (", shared anonymously" if author_id is None else ""),
        snapshot={"circle_id": circle_id, "text": text, "anonymous": author_id is None},
    )
    return int(getattr(opened, "case_id", 0))
