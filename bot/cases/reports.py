"""Members reaching the moderators: reporting a message, and asking for someone (/reach-out).

A report snapshots the message at report time (content, author, channel, link) into the case, and
is opened once per message (dedupe key ``report:<message id>``). The reporter's id is kept on the
case for the moderators only; the reported member is never told who reported them. A report of
"crisis concern for someone" is urgent and sends the reported member a gentle card through
``respond_to_crisis`` (worried=True), without saying who was worried. Crisis language in the
report's details, or in a reach-out's "what's going on", gets the writer the crisis response.

The bot's own messages are reported only when they are a story's post (or its author's reply in
the story's thread): the case then carries the story's number (read from the post) and names
nobody, and a "worried" report makes it urgent without any DM (the author is unknown).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot import screening
from bot.cases.crisis import CrisisResponse, respond_to_crisis
from bot.cases.records import Case, get_case, open_case
from bot.cases.wording import CRISIS_DM_SUMMARY, REPORT_CATEGORIES, STORY_REPORT_SUMMARY
from bot.core.clock import Clock
from bot.core.db import Database
from bot.core.errors import UserFacingError

if TYPE_CHECKING:
    from bot.delivery.outbox import Outbox

DETAILS_MAX = 1000


@dataclass(frozen=True)
class MessageSnapshot:
    message_id: int
    channel_id: int
    author_id: int
    content: str
    link: str
    created_at: str

    def to_json(self) -> dict[str, Any]:
        return {"message_id": self.message_id, "channel_id": self.channel_id, "author_id": self.author_id,
                "content": self.content, "link": self.link, "created_at": self.created_at}


@dataclass(frozen=True)
class Filed:
    case_id: int
    new: bool
    crisis: CrisisResponse | None  # the reporter's own crisis response (crisis words in the details)


def report_key(message_id: int) -> str:
    return f"report:{message_id}"


_STORY_NUMBER = re.compile(r"Story #(\d+)\b")


def story_number_of(embeds: list[dict[str, Any]]) -> int | None:
    """The story number a bot message carries: a story's post ("Anonymous member - Story #N" as its
    embed's author) or its author's reply ("The author of Story #N" in the footer); None otherwise."""
    for item in embeds:
        for text in ((item.get("author") or {}).get("name"), (item.get("footer") or {}).get("text")):
            found = _STORY_NUMBER.search(text or "")
            if found is not None:
                return int(found.group(1))
    return None


async def file_report(
    db: Database, clock: Clock, outbox: Outbox, *, guild_id: int, reporter_id: int, category: str, details: str,
    message: MessageSnapshot, crisis_embed: dict[str, Any], server_name: str, story_number: int | None = None,
) -> Filed:
    """File a report; ``story_number``: the message is a story's post (see the module docstring)."""
    if category not in REPORT_CATEGORIES:
        raise UserFacingError("Please choose what kind of problem this is.")
    details = details.strip()[:DETAILS_MAX]
    worried = category == "worried"
    verdict = (await screening.screen_async(details)).crisis if details else "none"
    snapshot: dict[str, Any] = {**message.to_json(), "category": category}
    summary = f"{REPORT_CATEGORIES[category]}: {details}" if details else REPORT_CATEGORIES[category]
    if story_number is not None:
        snapshot = {**snapshot, "author_id": None, "story_number": story_number}
        summary = STORY_REPORT_SUMMARY.format(number=story_number, summary=summary)
    async with db.transaction() as conn:
        opened = await open_case(
            conn, clock, guild_id=guild_id, kind="report", urgency="urgent" if worried else "normal",
            source="report" if story_number is None else "story_report",
            subject_user_id=message.author_id if story_number is None else None, opened_by=reporter_id,
            summary=summary, snapshot=snapshot, dedupe_key=report_key(message.message_id), outbox=outbox,
        )
        if not opened.new:
            return Filed(opened.case_id, False, None)
        if worried and story_number is None:
            await respond_to_crisis(conn, clock, outbox, guild_id=guild_id, user_id=message.author_id,
                                    level="concern", source="report", crisis_embed=crisis_embed,
                                    server_name=server_name, can_reply_privately=False,
                                    case_id=opened.case_id, worried=True)
        mine = None
        if verdict in ("crisis", "concern"):
            mine = await respond_to_crisis(conn, clock, outbox, guild_id=guild_id, user_id=reporter_id,
                                           level=verdict, source="report", crisis_embed=crisis_embed,
                                           server_name=server_name, can_reply_privately=True,
                                           summary="crisis language in a report's details",
                                           snapshot={"report_case": opened.case_id})
        return Filed(opened.case_id, True, mine)


@dataclass(frozen=True)
class ReachedOut:
    case_id: int
    urgent: bool
    crisis: CrisisResponse | None


async def open_reach_out_case(db: Database, guild_id: int, user_id: int) -> Case | None:
    """The member's newest open reach-out in this server that has its thread (private or relay):
    a second press of "Talk to a moderator now" is answered with it instead of a second case."""
    row = await db.fetchone(
        "SELECT id FROM cases WHERE guild_id = ? AND subject_user_id = ? AND source = 'reach_out'"
        " AND status != 'resolved' AND thread_id IS NOT NULL ORDER BY id DESC LIMIT 1", (guild_id, user_id))
    return None if row is None else await get_case(db, guild_id, int(row[0]))


async def reach_out(
    db: Database, clock: Clock, outbox: Outbox, *, guild_id: int, user_id: int, text: str, urgent: bool,
    crisis_embed: dict[str, Any], server_name: str, link: str | None = None, thread_id: int | None = None,
    relay: bool = False, crisis_dm: bool = False,
) -> ReachedOut:
    """Open the member's case (kind 'help'); crisis words make it urgent and bring the crisis card.

    ``thread_id``: the private thread (or, with ``relay``, the DM relay's thread; bot.cases.relay).
    ``crisis_dm``: the member wrote crisis words to the bot in DMs and picked this server's
    moderators (they share several servers with the bot): an urgent crisis case."""
    text = text.strip()[:DETAILS_MAX]
    verdict = (await screening.screen_async(text)).crisis if text else "none"
    urgent = urgent or verdict == "crisis" or crisis_dm
    summary = text or (CRISIS_DM_SUMMARY if crisis_dm else "")
    async with db.transaction() as conn:
        opened = await open_case(conn, clock, guild_id=guild_id,
                                 kind="crisis" if verdict == "crisis" or crisis_dm else "help",
                                 urgency="urgent" if urgent else "normal", source="reach_out",
                                 subject_user_id=user_id, opened_by=user_id, summary=summary,
                                 snapshot={"text": text, **({"link": link} if link else {}),
                                           **({"relay": True} if relay else {})}, outbox=outbox)
        if thread_id is not None:
            await conn.execute("UPDATE cases SET thread_id = ? WHERE guild_id = ? AND id = ?",
                               (thread_id, guild_id, opened.case_id))
        crisis = None
        if verdict in ("crisis", "concern"):
            crisis = await respond_to_crisis(conn, clock, outbox, guild_id=guild_id, user_id=user_id, level=verdict,
                                             source="help_request", crisis_embed=crisis_embed,
                                             server_name=server_name, can_reply_privately=True,
                                             case_id=opened.case_id)
        return ReachedOut(opened.case_id, urgent, crisis)
