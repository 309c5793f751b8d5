"""The goals' tables in the personal-data registry."""

from __future__ import annotations

from bot.core.personal_data import PersonalTable, register

register(PersonalTable(
    "goals", "goals", "your goals, their hard-day minimums, times and where pings go",
    "until you delete them", "nobody but you", ("user_id",),
))
register(PersonalTable(
    "goal_pings", "goals", "each goal ping, your answer and your private notes",
    "one year", "nobody but you (partners see weekly counts only, never notes)", ("user_id",),
    retention_setting="retention_goal_answers_days", age_column="scheduled_at",
))
register(PersonalTable(
    "goal_partners", "goals", "accountability partnerships you asked for or accepted",
    "until either of you ends it", "you and your partner", ("owner_id", "partner_id"),
))
register(PersonalTable(
    "goal_members", "goals", "your weekly recap day and whether a closed-DM notice is waiting for you",
    "until you change or delete them", "nobody but you", ("user_id",),
))
