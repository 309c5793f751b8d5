"""The cases' tables in the personal-data registry."""

from __future__ import annotations

from bot.core.personal_data import PersonalTable, delete_and_anonymise, register

# Moderation records about conduct keep what happened; the member is replaced by a placeholder.
register(PersonalTable(
    "cases", "cases", "cases you opened (reports, requests for help) or that are about you",
    "until a year after the case is resolved", "the server's moderators",
    ("subject_user_id", "opened_by", "claimed_by"),
    erase=delete_and_anonymise("cases", (), ("subject_user_id", "opened_by", "claimed_by")),
    retention_setting="retention_cases_days",
))
register(PersonalTable(
    "case_events", "cases", "what you did on a case as a moderator", "as long as the case",
    "the server's moderators", ("actor_id",),
    erase=delete_and_anonymise("case_events", (), ("actor_id",)),
))
