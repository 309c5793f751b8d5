"""The moderators' queue: one message per case in the queue channel, and the escalation ladder.

``announce_case`` runs in the transaction that opened a case (called by ``open_case``): it posts the
case's queue message through the outbox (key ``case:<id>:queue``) and creates the ladder's wake-ups
as one-off schedules (kind ``case_ladder``, owner the case): an urgent case re-pages the on-call
role after ``repage_minutes`` and the organisers after ``organiser_minutes``; a normal case is
raised once after ``normal_raise_hours``. The schedules live in the database, so a restart keeps
them (missed ones fire late); a claim or resolve deletes them. Without an outbox at hand the post
waits for a ``case_announce`` wake-up that fires at once.

The queue message shows kind, urgency, age, status and a link, never member text (that is in
``/case show``). Cogs edit it in place after each change (``queue_card``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.cases.paging import Page, dm_page, people_to_dm, reach, record_page, roster_of
from bot.cases.records import Case, add_event, read_case
from bot.cases.settings import case_settings
from bot.cases.wording import (
    KIND_NAMES,
    STATUS_NAMES,
    escalated_text,
    new_urgent_text,
    owner_page_text,
    page_text,
    queue_failed_text,
    queue_headline,
    queue_trouble_text,
)
from bot.core.clock import Clock, iso_utc
from bot.core.db import Conn, read_all, read_one
from bot.core.messages import DANGER, PRIMARY, SECONDARY, SUCCESS, Button, Card, custom_id, embed, timestamp
from bot.delivery import schedules
from bot.delivery.recurrence import Recurrence

if TYPE_CHECKING:
    from bot.delivery.outbox import Fallback, Outbox, OutboxRow

ANNOUNCE_KIND = "case_announce"
LADDER_KIND = "case_ladder"
# The outbox fallback of queue posts and pages: Discord refused the queue channel (403/404).
QUEUE_FALLBACK = "case_queue_failed"
URGENT_COLOUR = 0xC0392B


@dataclass(frozen=True)
class QueueTargets:
    """What /setup chose for the moderators (read on the caller's connection)."""

    queue_channel_id: int | None
    oncall_role_id: int | None
    organiser_role_id: int | None
    moderator_role_id: int | None


async def queue_targets(conn: Conn, guild_id: int) -> QueueTargets:
    async with conn.execute(
        "SELECT queue_channel_id, oncall_role_id, organiser_role_id, moderator_role_id FROM guild_settings"
        " WHERE guild_id = ?", (guild_id,),
    ) as cursor:
        row = await cursor.fetchone()
    return QueueTargets(*(tuple(row) if row is not None else (None, None, None, None)))


def queue_key(case_id: int) -> str:
    return f"case:{case_id}:queue"


def case_link(case: Case) -> str | None:
    if case.thread_id:
        return f"<#{case.thread_id}>"
    link = case.snapshot.get("link")
    return str(link) if link else None


def queue_card(case: Case) -> Card:
    """The case's message in the queue channel (kind, urgency, age, status, a link, buttons)."""
    urgent = case.urgency == "urgent"
    status = STATUS_NAMES[case.status]
    if case.status == "claimed" and case.claimed_by:
        status = f"Claimed by <@{case.claimed_by}>"
    if case.status == "resolved":
        status = f"Resolved: {case.outcome or 'no outcome given'}"
    fields = [
        {"name": "Urgency", "value": "🚨 urgent" if urgent else "normal", "inline": True},
        {"name": "Opened", "value": timestamp(case.created_at, "R"), "inline": True},
        {"name": "Status", "value": status, "inline": True},
        {"name": "From", "value": case.source.replace("_", " "), "inline": True},
    ]
    link = case_link(case)
    if link:
        fields.append({"name": "Link", "value": link, "inline": True})
    # People see the case's number in this server; the buttons carry the internal id.
    body = embed(f"Case #{case.number}: {KIND_NAMES.get(case.kind, case.kind)}",
                 "Details, snapshot and history: `/case show id:" + str(case.number) + "`", fields=fields)
    if urgent and case.status != "resolved":
        body["color"] = URGENT_COLOUR
    rows: tuple[tuple[Button, ...], ...] = ()
    if case.status != "resolved":
        rows = ((
            Button(custom_id("caseclaim", case.id), "Claim", SUCCESS if case.status == "open" else SECONDARY),
            Button(custom_id("casenote", case.id), "Add note", SECONDARY),
            Button(custom_id("caseresolve", case.id), "Resolve", PRIMARY),
            Button(custom_id("caseescalate", case.id), "Escalate", DANGER),
        ),)
    headline = queue_headline(case.number, case.kind, case.urgency, case.status, case.claimed_by)
    return Card(content=headline, embeds=(body,), rows=rows)


def _with_page(card: Card, text: str, page: Page) -> dict[str, Any]:
    """The card with ``text`` and the page's mentions (only those: member text can't ping anyone)."""
    payload = Card(content=f"{text} {page.mentions()}".strip(), embeds=card.embeds, rows=card.rows).to_payload()
    payload["allowed_mentions"] = page.allowed_mentions()
    return payload


async def _page(conn: Conn, clock: Clock, outbox: Outbox, *, case: Case, queue_channel_id: int,
                key: str, kind: str, text: str, card: Card, start: str, what: str) -> bool:
    """Post ``text`` (and ``card``) in the queue for whom the chain reaches from ``start``; the owner
    by DM when the chain ends with them; the case history says whom it reached. A post Discord
    refuses (403/404) pages the same people by DM (``QUEUE_FALLBACK``)."""
    roster = await roster_of(conn, case.guild_id, clock.now())
    page = reach(roster, start)
    sent = await outbox.enqueue(conn, key=key, kind=kind, guild_id=case.guild_id, target_kind="channel",
                                target_id=queue_channel_id, payload=_with_page(card, text, page),
                                fallback=QUEUE_FALLBACK)
    if not sent:
        return False
    if page.owner_dm is not None:
        await dm_page(conn, outbox, guild_id=case.guild_id, key=f"{key}:dm", people=(page.owner_dm,),
                      text=owner_page_text(text))
    await record_page(conn, iso_utc(clock.now()), guild_id=case.guild_id, case_id=case.id, what=what, page=page)
    return True


async def announce_case(
    conn: Conn, clock: Clock, outbox: Outbox | None, *, guild_id: int, case_id: int,
) -> None:
    """Post the queue message (once, by key) and create the ladder's wake-ups (see the module)."""
    case = await read_case(conn, guild_id, case_id)
    if case is None:
        return
    now = clock.now()
    if outbox is None:
        await schedules.create(conn, now, guild_id=guild_id, kind=ANNOUNCE_KIND, owner_id=case_id,
                               rule=Recurrence.once(now))
    else:
        await post_queue_message(conn, clock, outbox, case)
    await schedule_ladder(conn, now, case)


async def post_queue_message(conn: Conn, clock: Clock, outbox: Outbox, case: Case) -> bool:
    """The case's queue message (once, by key); an urgent one pages down the chain
    (bot.cases.paging: those on duty, on call, moderators, organisers, the owner)."""
    targets = await queue_targets(conn, case.guild_id)
    if targets.queue_channel_id is None:
        return False
    card = queue_card(case)
    if case.urgency == "urgent":
        return await _page(conn, clock, outbox, case=case, queue_channel_id=targets.queue_channel_id,
                           key=queue_key(case.id), kind="case_queue", text=new_urgent_text(case.number, case.kind),
                           card=card, start="duty", what="new urgent case")
    return await outbox.enqueue(conn, key=queue_key(case.id), kind="case_queue", guild_id=case.guild_id,
                                target_kind="channel", target_id=targets.queue_channel_id,
                                payload=card.to_payload(), fallback=QUEUE_FALLBACK)


async def schedule_ladder(conn: Conn, now: datetime, case: Case) -> None:
    settings = await case_settings(conn, case.guild_id)
    opened = now
    steps: list[tuple[str, datetime]]
    if case.urgency == "urgent":
        steps = [("oncall", opened + timedelta(minutes=settings.repage_minutes)),
                 ("organiser", opened + timedelta(minutes=settings.organiser_minutes))]
    else:
        steps = [("raise", opened + timedelta(hours=settings.normal_raise_hours))]
    await schedules.delete_for_owner(conn, case.guild_id, LADDER_KIND, case.id)
    for step, at in steps:
        await schedules.create(conn, now, guild_id=case.guild_id, kind=LADDER_KIND, owner_id=case.id,
                               rule=Recurrence.once(at), payload={"step": step})


async def stop_ladder(conn: Conn, guild_id: int, case_id: int) -> None:
    await schedules.delete_for_owner(conn, guild_id, LADDER_KIND, case_id)


async def ladder_step(
    conn: Conn, clock: Clock, outbox: Outbox, *, guild_id: int, case_id: int, step: str,
    scheduled_at: datetime,
) -> bool:
    """A ladder wake-up: page if the case is still unclaimed. Returns whether a page was enqueued.
    The re-page and a normal case's raise go down the whole chain; the organisers' step starts at
    the organisers (and ends with the owner)."""
    case = await read_case(conn, guild_id, case_id)
    if case is None or case.status != "open":
        return False
    targets = await queue_targets(conn, guild_id)
    if targets.queue_channel_id is None:
        return False
    settings = await case_settings(conn, guild_id)
    minutes = settings.repage_minutes if step == "oncall" else settings.organiser_minutes
    return await _page(conn, clock, outbox, case=case, queue_channel_id=targets.queue_channel_id,
                       key=f"case:{case.id}:page:{step}", kind="case_page",
                       text=page_text(step, case.number, case.kind, minutes), card=Card(),
                       start="organiser" if step == "organiser" else "duty",
                       what=f"{step} (due {iso_utc(scheduled_at)})")


async def page_escalation(conn: Conn, clock: Clock, outbox: Outbox, case: Case, by: int,
                          count: int) -> None:
    targets = await queue_targets(conn, case.guild_id)
    if targets.queue_channel_id is None:
        return
    await _page(conn, clock, outbox, case=case, queue_channel_id=targets.queue_channel_id,
                key=f"case:{case.id}:escalated:{count}", kind="case_page", text=escalated_text(case.number, by),
                card=Card(), start="organiser", what="escalated")


def _case_of_key(key: str) -> int | None:
    """The case a queue post or page row is for (keys ``case:<id>:queue``, ``case:<id>:page:...``)."""
    parts = key.split(":")
    return int(parts[1]) if len(parts) > 2 and parts[0] == "case" and parts[1].isdigit() else None


def queue_failed_fallback(clock: Clock, outbox: Outbox) -> Fallback:
    """The outbox fallback of queue posts and pages: the queue channel refused it (403/404), so the
    people the chain reaches get it by DM (at most MAX_PEOPLE; the owner when nobody is known), and
    the case history says so. /status and /setup show the failure (``queue_trouble``)."""
    async def fallback(conn: Conn, row: OutboxRow, reason: str) -> None:
        case_id = _case_of_key(row.key)
        case = await read_case(conn, row.guild_id, case_id) if case_id is not None else None
        if case is None or case.status == "resolved":
            return
        roster = await roster_of(conn, row.guild_id, clock.now())
        page = reach(roster)
        people = people_to_dm(page, roster)
        count = await dm_page(conn, outbox, guild_id=row.guild_id, key=f"case:{case.id}:queuefail:{row.id}",
                              people=people, text=queue_failed_text(case.number, case.kind, reason))
        await add_event(conn, clock, guild_id=row.guild_id, case_id=case.id, actor_id=None, event="page_failed",
                        detail=f"queue channel refused the post ({reason}); paged by DM instead: "
                               f"{page.describe()} ({count} DM{'' if count == 1 else 's'})")
    return fallback


@dataclass(frozen=True)
class QueueTrouble:
    reason: str     # the outbox's failure reason (missing_access, unknown_target)
    at: str         # when the failed post was queued
    failed: int     # failed posts since the last one that went through

    def describe(self) -> str:
        return queue_trouble_text(self.reason, self.failed, self.at)


async def queue_trouble(conn: Conn, guild_id: int) -> QueueTrouble | None:
    """Queue posts or pages Discord refused since the last one that went through (None: all well)."""
    kinds = "('case_queue', 'case_page')"
    row = await read_one(conn, f"SELECT MAX(created_at) FROM outbox WHERE guild_id = ? AND kind IN {kinds}"
                         " AND state = 'sent'", (guild_id,))
    since = row[0] if row is not None and row[0] is not None else ""
    rows = await read_all(
        conn,
        f"SELECT failure_reason, created_at FROM outbox WHERE guild_id = ? AND kind IN {kinds} AND state = 'failed'"
        " AND failure_reason IN ('missing_access', 'unknown_target') AND created_at >= ? ORDER BY created_at DESC",
        (guild_id, since),
    )
    if not rows:
        return None
    return QueueTrouble(str(rows[0][0]), str(rows[0][1]), len(rows))


async def page_now(conn: Conn, clock: Clock, outbox: Outbox, *, guild_id: int, case_id: int) -> bool:
    """A case that just became urgent (a concern case a crisis joined): one page down the chain now
    (once, by key) and the urgent ladder from now."""
    case = await read_case(conn, guild_id, case_id)
    targets = await queue_targets(conn, guild_id)
    if case is None or targets.queue_channel_id is None:
        return False
    await schedule_ladder(conn, clock.now(), case)
    return await _page(conn, clock, outbox, case=case, queue_channel_id=targets.queue_channel_id,
                       key=f"case:{case.id}:urgent", kind="case_page", text=new_urgent_text(case.number, case.kind),
                       card=Card(), start="duty", what="became an urgent crisis case")
