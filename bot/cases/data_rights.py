"""The cases' tables in the personal-data registry."""

from __future__ import annotations

import aiosqlite

from bot.core.personal_data import PersonalTable, delete_and_anonymise, not_personal, register

_ANONYMISE_CASE = delete_and_anonymise("cases", (), ("subject_user_id", "opened_by", "claimed_by"))


async def _erase_from_cases(conn: aiosqlite.Connection, guild_id: int, user_id: int) -> int:
    # What happened and when stay (kind, source, status, outcome, times); the copy of what was
    # said and the summary written about the member go, and the member becomes 0 (a placeholder).
    await conn.execute(
        "UPDATE cases SET snapshot = '{}', summary = '' WHERE guild_id = ? AND (subject_user_id = ? OR opened_by = ?)",
        (guild_id, user_id, user_id),
    )
    return await _ANONYMISE_CASE(conn, guild_id, user_id)


# Moderation records about conduct keep what happened; the member is replaced by a placeholder.
register(PersonalTable(
    "cases", "cases", "cases you opened (reports, requests for help) or that are about you",
    "until a year after the case is resolved", "the server's moderators",
    ("subject_user_id", "opened_by", "claimed_by"),
    erase=_erase_from_cases,
    retention_setting="retention_cases_days",
    age_column="resolved_at", retention_where="status = 'resolved'",
    conduct_record=True,
))
register(PersonalTable(
    "case_events", "cases", "what you did on a case as a moderator", "as long as the case",
    "the server's moderators", ("actor_id",),
    erase=delete_and_anonymise("case_events", (), ("actor_id",)),
    # Goes with its case: runs before the cases' own expiry (tables without an age column first).
    retention_setting="retention_cases_days",
    retention_where="case_id IN (SELECT id FROM cases WHERE guild_id = :guild_id AND status = 'resolved'"
                    " AND resolved_at IS NOT NULL AND resolved_at < :cutoff)",
    conduct_record=True,
))
register(PersonalTable(
    "case_member_state", "cases", "when the bot last sent you crisis resources, and any it still has to show you",
    "until you leave the server", "nobody (the bot uses it to avoid repeating itself)", ("user_id",),
))
register(PersonalTable(
    "case_duty", "cases", "whether you are on duty as a moderator", "while you are on duty",
    "the server's moderators", ("user_id",),
))
register(PersonalTable(
    "case_duty_windows", "cases", "the weekly times you said you're on duty as a moderator, and their time zone",
    "until you remove them", "the server's moderators", ("user_id",),
))
not_personal("case_settings", "server settings of the moderator queue, no member ids")
