"""The cases' tables in the personal-data registry.

A member's export never names anyone else: for a case they opened, their own report or request
(kind, reason, their words, dates, status); for a case only about them, what happened and when
(kind, status, outcome, dates), never who reported them, who handled it, the summary or the copy
of the message; for a case they handled as a moderator, that they did and when. A case is named
by its number in the server ("case": 3 is Case #3 there), never by its internal id.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.cases.records import snapshot_of
from bot.cases.wording import ERASED_REACH_OUT_THREAD, ERASED_RELAY_THREAD, REPORT_CATEGORIES
from bot.core.clock import iso_utc
from bot.core.db import Conn, Row
from bot.core.personal_data import PersonalTable, delete_and_anonymise, not_personal, register, register_id_text
from bot.delivery.housekeeping import OUTBOX_KEEP, keep_sent_kind, register_prune
from bot.delivery.outbox import sent_channel_posts

_ANONYMISE_CASE = delete_and_anonymise("cases", (), ("subject_user_id", "opened_by", "claimed_by"))


async def _erase_from_cases(conn: Conn, guild_id: int, user_id: int) -> int:
    # What happened and when stay (kind, source, status, outcome, times); the copy of what was
    # said and the summary written about the member go, and the member becomes 0 (a placeholder).
    await conn.execute(
        "UPDATE cases SET snapshot = '{}', summary = '' WHERE guild_id = ? AND (subject_user_id = ? OR opened_by = ?)",
        (guild_id, user_id, user_id),
    )
    return await _ANONYMISE_CASE(conn, guild_id, user_id)


def _own_case(row: Row | tuple[Any, ...]) -> dict[str, Any]:
    number, kind, source, status, summary, snapshot, created_at, resolved_at = row[:8]
    category = snapshot_of(snapshot).get("category")
    reason = REPORT_CATEGORIES.get(str(category)) if category else None
    details = str(summary or "")
    if reason is not None:  # a report's summary is "<reason>: <the reporter's details>"
        details = details[len(reason) + 2:] if details.startswith(f"{reason}: ") else (
            "" if details == reason else details)
    return {"case": number, "your_part": "you opened it", "kind": kind, "source": source, "reason": reason,
            "your_details": details, "status": status, "created_at": created_at, "resolved_at": resolved_at}


async def _export_cases(conn: Conn, guild_id: int, user_id: int) -> list[dict[str, Any]]:
    async with conn.execute(
        "SELECT number, kind, source, status, summary, snapshot, created_at, resolved_at, outcome, opened_by,"
        " subject_user_id, claimed_by FROM cases WHERE guild_id = ? AND (opened_by = ? OR subject_user_id = ?"
        " OR claimed_by = ?) ORDER BY number", (guild_id, user_id, user_id, user_id),
    ) as cursor:
        rows = await cursor.fetchall()
    found: list[dict[str, Any]] = []
    for row in rows:
        number, kind, _source, status, _summary, _snapshot, created_at, resolved_at, outcome = row[:9]
        opened_by, subject, claimed_by = row[9:12]
        if opened_by == user_id:
            found.append(_own_case(row))
        elif subject == user_id:
            found.append({"case": number, "your_part": "it was about you", "kind": kind, "status": status,
                          "outcome": outcome, "created_at": created_at, "resolved_at": resolved_at})
        elif claimed_by == user_id:
            found.append({"case": number, "your_part": "you handled it as a moderator", "kind": kind,
                          "status": status, "created_at": created_at, "resolved_at": resolved_at})
    return found


async def _export_case_events(conn: Conn, guild_id: int, user_id: int) -> list[dict[str, Any]]:
    # What the member did and when; a note's text may name other people, so it stays out. The case
    # is named by its number in the server, as moderators know it (never the internal id).
    async with conn.execute(
        "SELECT c.number, e.event, e.at FROM case_events e"
        " LEFT JOIN cases c ON c.id = e.case_id AND c.guild_id = e.guild_id"
        " WHERE e.guild_id = ? AND e.actor_id = ? ORDER BY e.id",
        (guild_id, user_id),
    ) as cursor:
        return [{"case": r[0], "event": r[1], "at": r[2]} for r in await cursor.fetchall()]


# Moderation records about conduct keep what happened; the member is replaced by a placeholder.
register(PersonalTable(
    "cases", "cases", "cases you opened (reports, requests for help) or that are about you",
    "until a year after the case is resolved", "the server's moderators",
    ("subject_user_id", "opened_by", "claimed_by"),
    export=_export_cases,
    erase=_erase_from_cases,
    retention_setting="retention_cases_days",
    age_column="resolved_at", retention_where="status = 'resolved'",
    conduct_record=True,
))
register(PersonalTable(
    # A member who opens a case has its 'opened' event too: the label covers both parts.
    "case_events", "cases", "what you did on cases: opening one (a report, a request for help) or working on"
    " one as a moderator", "as long as the case",
    "the server's moderators", ("actor_id",),
    export=_export_case_events,
    erase=delete_and_anonymise("case_events", (), ("actor_id",)),
    # Goes with its case: runs before the cases' own expiry (tables without an age column first).
    retention_setting="retention_cases_days",
    retention_where="case_id IN (SELECT id FROM cases WHERE guild_id = :guild_id AND status = 'resolved'"
                    " AND resolved_at IS NOT NULL AND resolved_at < :cutoff)",
    conduct_record=True,
))
register(PersonalTable(
    "case_member_state", "cases", "when the bot last sent you crisis resources, and any it still has to show you",
    "until you leave the server (a crisis card still waiting for you is kept until you see it)",
    "nobody (the bot uses it to avoid repeating itself)", ("user_id",),
))
register(PersonalTable(
    "case_duty", "cases", "whether you are on duty as a moderator", "while you are on duty",
    "the server's moderators", ("user_id",),
))
register(PersonalTable(
    "case_duty_windows", "cases", "the weekly times you said you're on duty as a moderator, and their time zone",
    "until you remove them", "the server's moderators", ("user_id",),
))
register(PersonalTable(
    "case_crisis_threads", "cases",
    "private support threads the bot opened for you when a crisis card could not reach you by direct message",
    "as long as the case", "the server's moderators", ("user_id",),
    retention_setting="retention_cases_days",
    retention_where="case_id IN (SELECT id FROM cases WHERE guild_id = :guild_id AND status = 'resolved'"
                    " AND resolved_at IS NOT NULL AND resolved_at < :cutoff)",
))
not_personal("case_settings", "server settings of the moderator queue, no member ids")
not_personal("case_screened_messages", "which message ids were already screened at which tier: no member ids, no text")

# Screened message ids are kept a day (an edit after that is screened like a new message).
SCREENED_KEEP = timedelta(days=1)


async def prune_screened(conn: Conn, now: datetime) -> int:
    cursor = await conn.execute("DELETE FROM case_screened_messages WHERE screened_at < ?",
                                (iso_utc(now - SCREENED_KEEP),))
    return cursor.rowcount


register_prune("case_screened_messages", prune_screened)
# Sent posts the cases read later: the queue card (edited as the case moves), the member's action
# DMs (the case history says whether each arrived), relay posts (deleted at the member's erasure).
_KEPT_CASE_KINDS = ("case_queue", "case_action_dm", "case_relay", "case_thread")
for _kind in _KEPT_CASE_KINDS:
    keep_sent_kind(_kind)


async def prune_case_posts(conn: Conn, now: datetime) -> int:
    """Those kept rows go once their case has gone (its retention, or the server's purge): their keys
    name the case ("case:<id>:..."), and an action DM's row names the member it went to."""
    marks = ", ".join("?" for _ in _KEPT_CASE_KINDS)
    cursor = await conn.execute(
        f"DELETE FROM outbox WHERE kind IN ({marks}) AND state IN ('sent', 'failed')"
        " AND COALESCE(sent_at, created_at) < ? AND NOT EXISTS (SELECT 1 FROM cases c"
        " WHERE c.guild_id = outbox.guild_id AND outbox.key LIKE 'case:' || c.id || ':%')",
        (*_KEPT_CASE_KINDS, iso_utc(now - OUTBOX_KEEP)))
    return cursor.rowcount


register_prune("case_posts", prune_case_posts)

# Ids written inside text: a moderator's action or a takeover names the member as a mention, a
# page names whom it reached, a note may mention anyone; a crisis case's dedupe key may carry the
# member's id. A member's erasure rewrites them (bot.privacy.id_text).
register_id_text("case_events", "detail")
register_id_text("cases", "summary")
register_id_text("cases", "snapshot")
register_id_text("cases", "dedupe_key", unique_by="id")


async def member_relay_posts(conn: Conn, guild_id: int, user_id: int) -> list[tuple[int, int]]:
    """(channel id, message id) of the relay posts that carry the member's own words or name into the
    moderators' thread (their reach-out by DM: the opening post and each message relayed in).
    ``cogs/cases`` registers this with bot.privacy.posts, so the erasure deletes them from Discord."""
    async with conn.execute(
        "SELECT id FROM cases WHERE guild_id = ? AND (opened_by = ? OR subject_user_id = ?) ORDER BY id",
        (guild_id, user_id, user_id),
    ) as cursor:
        case_ids = [int(r[0]) for r in await cursor.fetchall()]
    # The opening post is "case:<id>:relay", each message relayed in "case:<id>:relay:in:<message id>"
    # (bot/cases/relay.py); the relay's replies go to the member's own DMs, not a channel.
    return await sent_channel_posts(conn, guild_id, keys=[f"case:{case_id}:relay" for case_id in case_ids],
                                    patterns=[f"case:{case_id}:relay:in:%" for case_id in case_ids])


async def member_reach_out_threads(conn: Conn, guild_id: int,
                                   user_id: int) -> list[tuple[int, str]]:
    """(thread id, neutral name) of the threads opened for the member's reach-outs: the private
    thread and the DM relay's thread are titled with their display name at the time. The new name
    keeps the case number, so moderators still find the thread. ``cogs/cases`` registers this with
    bot.privacy.posts, so the erasure renames them on Discord."""
    async with conn.execute(
        "SELECT thread_id, number, snapshot FROM cases WHERE guild_id = ?"
        " AND source = 'reach_out' AND opened_by = ? AND thread_id IS NOT NULL ORDER BY id",
        (guild_id, user_id),
    ) as cursor:
        rows = await cursor.fetchall()
    return [(int(r[0]), (ERASED_RELAY_THREAD if snapshot_of(r[2]).get("relay") else ERASED_REACH_OUT_THREAD)
             .format(number=r[1] or "?"))
            for r in rows]
