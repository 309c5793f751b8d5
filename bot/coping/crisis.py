"""Crisis language (or a concern) in a strategy or win: the one crisis response every capability uses,
``bot.cases.crisis.respond_to_crisis``, in the caller's transaction.

- ``crisis``: never posted; an urgent case for the moderators (with its ladder), and the crisis card
  with "Talk to a moderator now" for the member, privately, at most once an hour.
- ``concern``: posted; the gentle check-in card (same hourly limit), and a case only when the server
  turned on ``concern_opens_case``.

We always answer the member's own modal submit, so the card is shown in that private reply
(``can_reply_privately=True``). An anonymous post keeps the member out of the case (subject NULL).
"""

from __future__ import annotations

from typing import Any

from bot.cases.crisis import CrisisResponse, respond_to_crisis
from bot.core.clock import Clock
from bot.core.db import Conn
from bot.delivery.outbox import Outbox

WHAT = {"strategy": "coping strategy", "win": "small win"}


async def respond(conn: Conn, clock: Clock, outbox: Outbox | None, *, level: str, guild_id: int,
                  circle_id: int, source: str, user_id: int, anonymous: bool, text: str,
                  crisis_embed: dict[str, Any], server_name: str) -> CrisisResponse:
    what = WHAT[source]
    held = "not posted" if level == "crisis" else "posted"
    summary = (f"{'Crisis language' if level == 'crisis' else 'Possible concern'} in a {what} ({held})"
               + (", shared anonymously" if anonymous else ""))
    return await respond_to_crisis(
        conn, clock, outbox, guild_id=guild_id, user_id=user_id, level=level, source=source,
        crisis_embed=crisis_embed, server_name=server_name, can_reply_privately=True, anonymous=anonymous,
        summary=summary, snapshot={"circle_id": circle_id, "text": text, "anonymous": anonymous},
    )
