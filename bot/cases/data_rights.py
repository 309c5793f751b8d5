"""The cases' tables in the personal-data registry."""

from __future__ import annotations

from bot.core.personal_data import PersonalTable, delete_and_anonymise, not_personal, register

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
register(PersonalTable(
    "case_member_state", "cases", "when the bot last sent you crisis resources, and any it still has to show you",
    "until you leave the server", "nobody (the bot uses it to avoid repeating itself)", ("user_id",),
))
register(PersonalTable(
    "case_duty", "cases", "whether you are on duty as a moderator", "while you are on duty",
    "the server's moderators", ("user_id",),
))
not_personal("case_settings", "server settings of the moderator queue, no member ids")
