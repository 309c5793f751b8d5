"""What moderators do to a case: claim, note, resolve, escalate, and the actions taken on a member.

Each change is one transaction that updates the case and appends a case event (who, what, when);
a claim or resolve stops the escalation ladder. Every function is scoped by guild id: a case of
another server is "not found". Permission checks are the cog's (it knows the member's roles).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bot.cases.queue import page_escalation, queue_key, stop_ladder
from bot.cases.records import Case, add_event, read_case
from bot.cases.settings import case_settings
from bot.cases.wording import ACTION_REMOVED, ACTION_TIMEOUT, ALREADY_RESOLVED, CASE_GONE, claim_detail
from bot.core.clock import Clock, iso_utc
from bot.core.db import Database
from bot.core.errors import UserFacingError
from bot.core.messages import Card, embed, timestamp
from bot.delivery.outbox import sent_message

if TYPE_CHECKING:
    from bot.core.db import Conn
    from bot.delivery.outbox import Outbox

NOTE_MAX = 1000
OUTCOME_MAX = 300
TIMEOUT_MIN = timedelta(minutes=1)
TIMEOUT_MAX = timedelta(days=28)


async def _case_to_act_on(conn: Conn, guild_id: int, case_id: int, *,
                          allow_resolved: bool = False) -> Case:
    """Read the case a moderator acts on, refusing one that is gone (or resolved, unless
    ``allow_resolved``). Creating a case is ``bot.cases.records.open_case``."""
    # ``case_id`` is the internal id (the cog resolved the number a moderator typed, or a button
    # carried it); what the moderator is told names the case by its number in this server.
    case = await read_case(conn, guild_id, case_id)
    if case is None:
        raise UserFacingError(CASE_GONE)
    if case.status == "resolved" and not allow_resolved:
        raise UserFacingError(ALREADY_RESOLVED.format(case_number=case.number))
    return case


async def _touch(conn: Conn, clock: Clock, case: Case) -> None:
    await conn.execute("UPDATE cases SET updated_at = ? WHERE id = ? AND guild_id = ?",
                       (iso_utc(clock.now()), case.id, case.guild_id))


async def claim(db: Database, clock: Clock, guild_id: int, case_id: int, moderator_id: int) -> Case:
    async with db.transaction() as conn:
        case = await _case_to_act_on(conn, guild_id, case_id)
        if case.claimed_by == moderator_id:
            raise UserFacingError(f"You've already claimed case #{case.number}.")
        detail = claim_detail(case.claimed_by)
        await conn.execute("UPDATE cases SET status = 'claimed', claimed_by = ?, updated_at = ?"
                           " WHERE id = ? AND guild_id = ?", (moderator_id, iso_utc(clock.now()), case_id, guild_id))
        await add_event(conn, clock, guild_id=guild_id, case_id=case_id, actor_id=moderator_id, event="claimed",
                        detail=detail)
        await stop_ladder(conn, guild_id, case_id)
        return await _case_to_act_on(conn, guild_id, case_id)


async def add_note(db: Database, clock: Clock, guild_id: int, case_id: int, moderator_id: int, text: str) -> Case:
    text = text.strip()
    if not text:
        raise UserFacingError("A note needs some text.")
    async with db.transaction() as conn:
        case = await _case_to_act_on(conn, guild_id, case_id, allow_resolved=True)
        await add_event(conn, clock, guild_id=guild_id, case_id=case_id, actor_id=moderator_id, event="note",
                        detail=text[:NOTE_MAX])
        await _touch(conn, clock, case)
        return case


async def resolve(db: Database, clock: Clock, guild_id: int, case_id: int, moderator_id: int, outcome: str) -> Case:
    outcome = outcome.strip()[:OUTCOME_MAX] or "resolved"
    async with db.transaction() as conn:
        await _case_to_act_on(conn, guild_id, case_id)
        stamp = iso_utc(clock.now())
        await conn.execute("UPDATE cases SET status = 'resolved', outcome = ?, resolved_at = ?, updated_at = ?,"
                           " claimed_by = COALESCE(claimed_by, ?) WHERE id = ? AND guild_id = ?",
                           (outcome, stamp, stamp, moderator_id, case_id, guild_id))
        await add_event(conn, clock, guild_id=guild_id, case_id=case_id, actor_id=moderator_id, event="resolved",
                        detail=outcome)
        await stop_ladder(conn, guild_id, case_id)
        return await _case_to_act_on(conn, guild_id, case_id, allow_resolved=True)


async def escalate(db: Database, clock: Clock, outbox: Outbox, guild_id: int, case_id: int, moderator_id: int,
                   reason: str = "") -> Case:
    """Make the case urgent and page the organisers now."""
    async with db.transaction() as conn:
        case = await _case_to_act_on(conn, guild_id, case_id)
        await conn.execute("UPDATE cases SET urgency = 'urgent', updated_at = ? WHERE id = ? AND guild_id = ?",
                           (iso_utc(clock.now()), case_id, guild_id))
        await add_event(conn, clock, guild_id=guild_id, case_id=case_id, actor_id=moderator_id, event="escalated",
                        detail=reason.strip()[:NOTE_MAX])
        async with conn.execute("SELECT COUNT(*) FROM case_events WHERE guild_id = ? AND case_id = ?"
                                " AND event = 'escalated'", (guild_id, case_id)) as cur:
            row = await cur.fetchone()
        await page_escalation(conn, clock, outbox, case, moderator_id, int(row[0]) if row else 1)
        return await _case_to_act_on(conn, guild_id, case_id)


async def queue_message_id(db: Database, guild_id: int, case_id: int) -> int | None:
    """The case's queue message, once the outbox has posted it (remembered on the case)."""
    known = await db.fetchval("SELECT queue_message_id FROM cases WHERE guild_id = ? AND id = ?", (guild_id, case_id))
    if known:
        return int(known)
    posted = await sent_message(db.reader, guild_id, queue_key(case_id))
    if posted is None:
        return None
    sent = posted[1]
    await db.execute("UPDATE cases SET queue_message_id = ? WHERE guild_id = ? AND id = ?", (sent, guild_id, case_id))
    return int(sent)


# -- actions on a member ---------------------------------------------------------------------------

def timeout_length(minutes: int) -> timedelta:
    length = timedelta(minutes=minutes)
    if not TIMEOUT_MIN <= length <= TIMEOUT_MAX:
        raise UserFacingError("A timeout lasts from 1 minute to 28 days (40320 minutes).")
    return length


async def record_action(
    db: Database, clock: Clock, outbox: Outbox, *, guild_id: int, case_id: int, moderator_id: int, action: str,
    member_id: int, reason: str, server_name: str, detail: str = "", tell: str | None = None,
) -> bool:
    """Record an action taken on ``member_id`` for a case (event 'action'); tell the member privately
    when the server chose that (``tell`` is the text). Returns whether a DM was queued."""
    reason = reason.strip()[:OUTCOME_MAX] or "no reason given"
    async with db.transaction() as conn:
        case = await _case_to_act_on(conn, guild_id, case_id, allow_resolved=True)
        cursor = await conn.execute(
            "INSERT INTO case_events (guild_id, case_id, actor_id, event, detail, at) VALUES (?, ?, ?, 'action', ?, ?)",
            (guild_id, case_id, moderator_id, f"{action} <@{member_id}> {detail} reason: {reason}".replace("  ", " "),
             iso_utc(clock.now())),
        )
        event_id = cursor.lastrowid
        await _touch(conn, clock, case)
        if tell is None or not (await case_settings(conn, guild_id)).tell_member_of_actions:
            return False
        card = Card(embeds=(embed(f"From the moderators of {server_name}", tell.format(reason=reason)),))
        return await outbox.enqueue(conn, key=f"case:{case_id}:action:{event_id}", kind="case_action_dm",
                                    guild_id=guild_id, target_kind="dm", target_id=member_id,
                                    payload=card.to_payload())


def timeout_text(server: str, until: str) -> str:
    return ACTION_TIMEOUT.format(server=server, until=timestamp(until), reason="{reason}")


def removed_text(server: str, circle: str) -> str:
    return ACTION_REMOVED.format(server=server, circle=circle, reason="{reason}")


async def action_dm_states(db: Database, guild_id: int, case_id: int) -> dict[int, str]:
    """Whether each action's DM to the member arrived: event id -> outbox state (and failure reason)."""
    rows = await db.fetchall("SELECT key, state, failure_reason FROM outbox WHERE guild_id = ? AND key LIKE ?",
                             (guild_id, f"case:{case_id}:action:%"))
    found: dict[int, str] = {}
    for row in rows:
        state = {"sent": "delivered", "failed": f"not delivered ({row['failure_reason']})"}.get(row["state"], "sending")
        found[int(row["key"].rsplit(":", 1)[1])] = state
    return found


async def case_for_action(conn: Conn, guild_id: int, case_id: int) -> Case:
    """The case an action is taken for, in the caller's transaction (resolved cases too); "not found" otherwise."""
    return await _case_to_act_on(conn, guild_id, case_id, allow_resolved=True)


async def block_from_stories(conn: Conn, clock: Clock, *, guild_id: int, case_id: int,
                             moderator_id: int, reason: str, whom: str, until: str) -> Case:
    """Record on the case that ``whom`` ("the author of story #3", never a name the stories don't
    give, or the case's member) is blocked from sharing stories until ``until``. The block itself is
    the stories capability's (bot.cases may not import it): the cog places it and calls this in the
    same transaction."""
    case = await _case_to_act_on(conn, guild_id, case_id, allow_resolved=True)
    await add_event(conn, clock, guild_id=guild_id, case_id=case_id, actor_id=moderator_id, event="action",
                    detail=f"blocked {whom} from sharing stories until {until} reason: "
                    + (reason.strip()[:OUTCOME_MAX] or "no reason given"))
    await _touch(conn, clock, case)
    return case
