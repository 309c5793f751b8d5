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

import aiosqlite

from bot.cases.duty import on_duty
from bot.cases.records import Case, read_case
from bot.cases.settings import case_settings
from bot.cases.wording import KIND_NAMES, STATUS_NAMES, escalated_text, new_urgent_text, page_text, queue_headline
from bot.core.clock import Clock, iso_utc
from bot.core.messages import DANGER, PRIMARY, SECONDARY, SUCCESS, Button, Card, custom_id, embed, timestamp
from bot.delivery import schedules
from bot.delivery.recurrence import Recurrence

if TYPE_CHECKING:
    from bot.delivery.outbox import Outbox

ANNOUNCE_KIND = "case_announce"
LADDER_KIND = "case_ladder"
URGENT_COLOUR = 0xC0392B


@dataclass(frozen=True)
class QueueTargets:
    """What /setup chose for the moderators (read on the caller's connection)."""

    queue_channel_id: int | None
    oncall_role_id: int | None
    organiser_role_id: int | None
    moderator_role_id: int | None


async def queue_targets(conn: aiosqlite.Connection, guild_id: int) -> QueueTargets:
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
    body = embed(f"Case #{case.id}: {KIND_NAMES.get(case.kind, case.kind)}",
                 "Details, snapshot and history: `/case show id:" + str(case.id) + "`", fields=fields)
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
    headline = queue_headline(case.id, case.kind, case.urgency, case.status, case.claimed_by)
    return Card(content=headline, embeds=(body,), rows=rows)


def _with_pings(card: Card, text: str, role_ids: list[int | None], user_ids: list[int]) -> dict[str, Any]:
    roles = [r for r in role_ids if r]
    mentions = " ".join([*(f"<@&{r}>" for r in roles), *(f"<@{u}>" for u in user_ids)])
    payload = Card(content=f"{text} {mentions}".strip(), embeds=card.embeds, rows=card.rows).to_payload()
    payload["allowed_mentions"] = {"parse": [], "roles": [str(r) for r in roles], "users": [str(u) for u in user_ids]}
    return payload


async def announce_case(
    conn: aiosqlite.Connection, clock: Clock, outbox: Outbox | None, *, guild_id: int, case_id: int,
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
        await post_queue_message(conn, outbox, case, now)
    await schedule_ladder(conn, now, case)


async def post_queue_message(conn: aiosqlite.Connection, outbox: Outbox, case: Case, now: datetime) -> bool:
    """The case's queue message (once, by key); an urgent one pings those on duty at ``now``
    (by hand or by their weekly window), else the on-call role."""
    targets = await queue_targets(conn, case.guild_id)
    if targets.queue_channel_id is None:
        return False
    card = queue_card(case)
    if case.urgency == "urgent":
        duty = await on_duty(conn, case.guild_id, now)
        payload = _with_pings(card, new_urgent_text(case.id, case.kind), [] if duty else [targets.oncall_role_id],
                              duty)
    else:
        payload = card.to_payload()
    return await outbox.enqueue(conn, key=queue_key(case.id), kind="case_queue", guild_id=case.guild_id,
                                target_kind="channel", target_id=targets.queue_channel_id, payload=payload)


async def schedule_ladder(conn: aiosqlite.Connection, now: datetime, case: Case) -> None:
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


async def stop_ladder(conn: aiosqlite.Connection, guild_id: int, case_id: int) -> None:
    await schedules.delete_for_owner(conn, guild_id, LADDER_KIND, case_id)


async def ladder_step(
    conn: aiosqlite.Connection, clock: Clock, outbox: Outbox, *, guild_id: int, case_id: int, step: str,
    scheduled_at: datetime,
) -> bool:
    """A ladder wake-up: page if the case is still unclaimed. Returns whether a page was enqueued."""
    from bot.cases.records import add_event

    case = await read_case(conn, guild_id, case_id)
    if case is None or case.status != "open":
        return False
    targets = await queue_targets(conn, guild_id)
    if targets.queue_channel_id is None:
        return False
    settings = await case_settings(conn, guild_id)
    minutes = settings.repage_minutes if step == "oncall" else settings.organiser_minutes
    if step == "oncall":
        roles, users = [targets.oncall_role_id], await on_duty(conn, guild_id, clock.now())
    elif step == "organiser":
        roles, users = [targets.organiser_role_id, targets.oncall_role_id], []
    else:
        roles, users = [targets.oncall_role_id or targets.moderator_role_id], await on_duty(conn, guild_id, clock.now())
    payload = _with_pings(Card(), page_text(step, case.id, case.kind, minutes), roles, users)
    sent = await outbox.enqueue(conn, key=f"case:{case.id}:page:{step}", kind="case_page", guild_id=guild_id,
                                target_kind="channel", target_id=targets.queue_channel_id, payload=payload)
    if sent:
        await add_event(conn, clock, guild_id=guild_id, case_id=case.id, actor_id=None, event="paged",
                        detail=f"{step} (due {iso_utc(scheduled_at)})")
    return sent


async def page_escalation(conn: aiosqlite.Connection, outbox: Outbox, case: Case, by: int, count: int) -> None:
    targets = await queue_targets(conn, case.guild_id)
    if targets.queue_channel_id is None:
        return
    payload = _with_pings(Card(), escalated_text(case.id, by), [targets.organiser_role_id], [])
    await outbox.enqueue(conn, key=f"case:{case.id}:escalated:{count}", kind="case_page", guild_id=case.guild_id,
                         target_kind="channel", target_id=targets.queue_channel_id, payload=payload)
