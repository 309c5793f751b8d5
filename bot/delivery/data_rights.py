"""The delivery core's tables in the personal-data registry."""

from __future__ import annotations

from bot.core.personal_data import PersonalTable, not_personal, register

register(PersonalTable(
    "outbox", "delivery", "messages the bot is sending you (their text is cleared once sent)",
    "ids and delivery state until the daily clean-up", "nobody (the bot's own delivery queue)", ("target_id",),
))
register(PersonalTable(
    "dm_unreachable", "delivery", "that your direct messages are closed to the bot", "until a message reaches you",
    "nobody (the bot uses it to choose another way to reach you)", ("user_id",),
))
# Schedules and their occurrences belong to the capability that made them (a goal's pings, a
# circle's check-ins): that capability's erasure cancels the member's own schedules.
not_personal("schedules", "timing rows owned by capabilities; a member's own schedules are erased by their owner")
not_personal("schedule_occurrences", "occurrence keys of schedules; erased with their schedule")
